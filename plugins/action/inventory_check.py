# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for teamf.platform.inventory_check: misspelt and missing inventory variables.

Runs on the controller only: it reads the host's inventory files and the collection's roles,
playbooks and shared inventory, and templates nothing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import yaml
from ansible.plugins.action import ActionBase
from ansible_collections.teamf.platform.plugins.plugin_utils import inventory_names

COLLECTION = Path(__file__).resolve().parents[2]
READERS = ("roles/**/*.yml", "playbooks/**/*.yml", "site.yml", "inventories/shared/**/*.yml")


def known_names(root: Path = COLLECTION) -> tuple[set[str], set[str]]:
    """Every name the collection's files mention, and the ones its tasks set (role outputs)."""
    names: set[str] = set()
    produced: set[str] = set()
    for pattern in READERS:
        for path in root.glob(pattern):
            text = path.read_text()
            names |= inventory_names.read_names(text)
            if "set_fact" in text:
                with contextlib.suppress(yaml.YAMLError):
                    produced |= inventory_names.produced_names(yaml.safe_load(text))
    return names, produced


class ActionModule(ActionBase):
    _supports_check_mode = True
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        inventory_dir = task_vars.get("inventory_dir")
        if not inventory_dir:
            return dict(result, changed=False, skipped=True, msg="no inventory directory to read")
        files = inventory_names.inventory_files(
            inventory_dir, task_vars["inventory_hostname"], task_vars.get("group_names", [])
        )
        shared = (COLLECTION / "inventories" / "shared").resolve()
        own = [path for path in files if shared not in path.resolve().parents]
        base = os.getcwd()
        known, produced = known_names()
        available = set(task_vars) | produced
        errors, warnings = inventory_names.check(
            own, known | set(self._task.args.get("known", [])), available, base=base
        )
        # The shared templates may read what only this environment sets: check them against it too.
        shared_files = [p for p in files if p not in own]
        errors += inventory_names.check(shared_files, known, available, base=base, others=own)[0]
        result.update(changed=False, problems=errors, warnings=warnings)
        if errors:
            result.update(failed=True, msg="; ".join(errors))
        return result
