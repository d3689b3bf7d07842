# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for teamf.platform.platform_history: tell the module which run records the event.

A GitHub Actions job is named by its run's URL (the one a reader of the history can open); a run from a
terminal by ``user@host:pid``, the same identity the platform lock gives its holder. What the task sets wins.
"""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash
from ansible_collections.teamf.platform.plugins.action.platform_lock import controller_owner


def controller_run():
    owner = controller_owner()
    if os.environ.get("GITHUB_RUN_ID"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        run = f"{server}/{os.environ.get('GITHUB_REPOSITORY', '?')}/actions/runs/{os.environ['GITHUB_RUN_ID']}"
    else:
        run = f"{owner['user']}@{owner['host']}:{owner['pid']}"
    return {"run": run, "playbook": owner["playbook"]}


class ActionModule(ActionBase):
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        given = {key: value for key, value in self._task.args.items() if value not in (None, "")}
        args = dict(controller_run(), **given)
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars))
        self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
