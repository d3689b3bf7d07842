# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for teamf.platform.platform_lock: tell the module which run it locks for.

A lock belongs to one ansible-playbook run. The module alone cannot name it: it runs in a process of
its own, several forks below ansible-playbook. This plugin runs in the worker ansible-playbook forked
for the task, so its parent is the ansible-playbook process: that pid, the user, the host name and the
playbook's file name fill in the module's ``owner`` (what the task sets wins).
"""

from __future__ import annotations

import getpass
import os
import socket

from ansible import context
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash


def controller_owner():
    playbooks = context.CLIARGS.get("args") or ()
    return {
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "pid": os.getppid(),
        "playbook": ",".join(os.path.basename(path) for path in playbooks),
    }


class ActionModule(ActionBase):
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        given = {key: value for key, value in (self._task.args.get("owner") or {}).items() if value not in (None, "")}
        args = dict(self._task.args, owner=dict(controller_owner(), **given))
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars))
        self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
