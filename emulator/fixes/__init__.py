"""Fidelity fixes for moto, one module per behaviour.

Every module defines ``apply()`` and a docstring that states what moto does, what AWS documents
(with the documentation page) and what the fix changes. The fixes reach into moto internals, so
they are guarded twice at start, before the server answers anything:

- the moto version must be the one they were written for (``MOTO_VERSION``, the pin in
  requirements.in); another one stops the server with what to do;
- a fix whose patch target moved (a method, class or parameter moto renamed or dropped) stops the
  server naming the fix and what changed, instead of surfacing as HTTP 500s in the middle of a run.
  ``require(owner, name, parameters)`` states what a fix relies on; ``eks_updates.wrap`` checks it.

``tests/emulator`` proves each fix over HTTP; ``tests/emulator/test_fix_guard.py`` proves the guard.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable

# The moto release every fix here was written against and tested with (requirements.in pins it).
MOTO_VERSION = "5.2.5"


class FixError(RuntimeError):
    """A fix cannot apply to the moto that is installed."""


def check_moto_version(installed: str) -> None:
    if installed != MOTO_VERSION:
        raise FixError(
            f"emulator fixes are written for moto {MOTO_VERSION}, but moto {installed} is installed: reinstall the "
            f"pin (make setup; requirements.txt moto=={MOTO_VERSION}), or port emulator/fixes/ to moto {installed}, "
            "rerun tests/emulator and raise MOTO_VERSION in emulator/fixes/__init__.py"
        )


def require(owner: type, name: str, parameters: Iterable[str] = ()) -> None:
    """Fail with FixError unless ``owner.name`` exists and takes every one of ``parameters``."""
    target = getattr(owner, name, None)
    if target is None:
        raise FixError(f"moto changed {owner.__module__}.{owner.__name__}: it has no {name} any more")
    if parameters:
        accepted = inspect.signature(target).parameters
        missing = [parameter for parameter in parameters if parameter not in accepted]
        if missing:
            raise FixError(
                f"moto changed {owner.__name__}.{name}: it takes no {', '.join(missing)} "
                f"(its parameters: {', '.join(accepted)})"
            )


def apply_all(installed: str | None = None) -> list[str]:
    """Check moto's version, then import and apply every fix in name order; return their names.

    A fix that cannot apply raises FixError naming it (``fix <name>: moto changed ...``).
    """
    if installed is None:
        import moto

        installed = moto.__version__
    check_moto_version(installed)
    applied = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        try:
            module = importlib.import_module(f"{__name__}.{info.name}")
            module.apply()
        except FixError as exc:
            raise FixError(f"fix {info.name}: {exc}") from exc
        except (ImportError, AttributeError, TypeError) as exc:
            raise FixError(f"fix {info.name}: moto changed what it patches: {type(exc).__name__}: {exc}") from exc
        applied.append(info.name)
    return applied
