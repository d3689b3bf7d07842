# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Misspelt and missing inventory variables, found by reading the files (no templating, no AWS).

Plain functions, used by the ``teamf.platform.inventory_check`` action: which of our variables an
inventory sets (and in which file), which names the platform reads, and which of the platform's
templates read a variable nobody set.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

PREFIXES = (
    "platform_",
    "vpc_",
    "iam_",
    "eks_",
    "nodegroup_",
    "ecs_dev_",
    "helm_release_",
    "registry_",
    "ci_identity_",
)
_NAME = re.compile(r"(?<![\w.'\"])((?:" + "|".join(PREFIXES) + r")[a-z0-9_]+)\b")
_EXPRESSION = re.compile(r"{{(.*?)}}|{%(.*?)%}", re.S)
# A read that tolerates an unset variable: `x | default(...)`, `x.y['z'] | d(...)`, `x is defined`.
_DEFAULTED = re.compile(r"(?:\.\w+|\[[^\]]*\])*\s*(?:\|\s*(?:default|d)\b|is\s+(?:not\s+)?defined)")


def _load(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _var_files(directory: Path, name: str) -> list[Path]:
    """``group_vars/<name>.yml`` (or .yaml, or no extension) and every file of ``group_vars/<name>/``."""
    found = [directory / f"{name}{ext}" for ext in (".yml", ".yaml", "") if (directory / f"{name}{ext}").is_file()]
    folder = directory / name
    if folder.is_dir():
        found += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))
    return found


def inventory_files(inventory_dir: str, host: str, groups: Iterable[str]) -> list[Path]:
    """The host's variable files, lowest precedence first: group_vars of all, of its groups, host_vars."""
    root = Path(inventory_dir)
    files = _var_files(root / "group_vars", "all")
    for group in sorted(set(groups) - {"all", "ungrouped"}):
        files += _var_files(root / "group_vars", group)
    return files + _var_files(root / "host_vars", host)


def defined_names(files: Iterable[Path]) -> dict[str, Path]:
    """Our-prefixed variables set in ``files`` and the file each comes from (the last one wins)."""
    names: dict[str, Path] = {}
    for path in files:
        for key in _load(path):
            if isinstance(key, str) and key.startswith(PREFIXES):
                names[key] = path
    return names


def read_names(text: str) -> set[str]:
    """Every our-prefixed name a YAML text mentions (keys, templates, conditions, name lists)."""
    return set(_NAME.findall(text))


def required_reads(value) -> set[str]:
    """Names a variable's template reads without a default (those must be set for the host)."""
    reads: set[str] = set()
    if isinstance(value, dict):
        for item in value.values():
            reads |= required_reads(item)
    elif isinstance(value, list):
        for item in value:
            reads |= required_reads(item)
    elif isinstance(value, str) and ("{{" in value or "{%" in value):
        guarded: set[str] = set()
        for match in _EXPRESSION.finditer(value):
            expression = match.group(1) or match.group(2)
            for name in _NAME.finditer(expression):
                # One guarded read (`if x | default('')`) means the template expects x may be unset.
                (guarded if _DEFAULTED.match(expression, name.end()) else reads).add(name.group(1))
        reads -= guarded
    return reads


def produced_names(tasks) -> set[str]:
    """Variables ``set_fact`` tasks set (role outputs): unset before the run, so never "missing"."""
    names: set[str] = set()
    if isinstance(tasks, list):
        for task in tasks:
            names |= produced_names(task)
    elif isinstance(tasks, dict):
        for key, value in tasks.items():
            if key in ("ansible.builtin.set_fact", "set_fact") and isinstance(value, dict):
                names |= {k for k in value if isinstance(k, str)}
            elif isinstance(value, (list, dict)):
                names |= produced_names(value)
    return names


def _nearest(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.85)
    return close[0] if close else None


def _shown(path: Path, base: str) -> str:
    """The path relative to ``base`` (the directory the command runs in) when inside it, else absolute."""
    absolute = os.path.abspath(path)
    inside = os.path.commonpath([absolute, os.path.abspath(base)]) == os.path.abspath(base)
    return os.path.relpath(absolute, base) if inside else absolute


def check(
    files: list[Path], known: set[str], available: set[str], base: str = ".", others: list[Path] = ()
) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one host.

    ``files``: its inventory files; ``known``: every name the platform reads (roles, playbooks, shared
    inventory); ``available``: every variable the host has (inventory, role outputs aside).
    """
    errors: list[str] = []
    warnings: list[str] = []
    defined = defined_names(files)
    for name, path in sorted(defined.items()):
        if name in known:
            continue
        nearest = _nearest(name, known)
        where = f"{name} ({_shown(path, base)})"
        if nearest:
            errors.append(f"{where} is not a variable the platform reads; did you mean {nearest}? Rename it")
        else:
            warnings.append(
                f"{where} is not a variable the platform reads; it has no effect (remove it or fix its name)"
            )
    for path in files:
        for name, value in _load(path).items():
            for missing in sorted(required_reads(value) - available):
                candidates = {**defined_names(others), **defined}
                nearest = _nearest(missing, candidates)
                hint = f"; did you mean {nearest} ({_shown(candidates[nearest], base)})?" if nearest else ""
                errors.append(
                    f"{name} ({_shown(path, base)}) reads {missing}, which is not set for this environment: "
                    f"set it in the environment's host_vars{hint}"
                )
    return errors, warnings
