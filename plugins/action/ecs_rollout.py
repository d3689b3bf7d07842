# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for teamf.platform.ecs_rollout: show progress while the module waits.

Ansible shows nothing of a module until it returns, and a rollout can take many minutes. When the
module runs on the controller (local connection, as AWS modules usually do), this plugin runs it in a
background thread with ``progress_file`` set to a temporary file and prints each line the module
appends to it (one per service state change). Anywhere else, or with the ``async`` keyword, the
module runs as any other.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

display = Display()
READ_INTERVAL = 0.5


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect

        wrap_async = self._task.async_val and not self._connection.has_native_async
        if wrap_async or self._connection.transport != "local" or self._task.args.get("progress_file"):
            result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        else:
            self._host = (task_vars or {}).get("inventory_hostname", "localhost")
            result = merge_hash(result, self._run_showing_progress(task_vars))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _run_showing_progress(self, task_vars):
        handle, path = tempfile.mkstemp(prefix="ecs_rollout-", suffix=".jsonl")
        os.close(handle)
        outcome = {}

        def execute():
            try:
                outcome["result"] = self._execute_module(
                    module_args=dict(self._task.args, progress_file=path), task_vars=task_vars
                )
            except BaseException as exc:  # re-raised in the worker's own thread below
                outcome["error"] = exc

        worker = threading.Thread(target=execute, name="ecs_rollout", daemon=True)
        try:
            with open(path, encoding="utf-8") as progress:
                worker.start()
                while worker.is_alive():
                    worker.join(READ_INTERVAL)
                    self._show(progress)
                self._show(progress)
        finally:
            os.unlink(path)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def _show(self, progress):
        """Print every complete line appended since the last call."""
        while True:
            position = progress.tell()
            line = progress.readline()
            if not line.endswith("\n"):
                progress.seek(position)  # incomplete: wait for the rest
                return
            try:
                item = json.loads(line)
            except ValueError:
                continue
            display.display(f"[{self._host}] ecs_rollout {item.get('service')}: {item.get('message')}", stderr=True)
