# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: platform
type: stdout
short_description: Quiet, readable runs - one line per play, per change and per wait, a recap of what changed
version_added: 0.3.0
description:
  - The stdout callback of the project (C(stdout_callback = teamf.platform.platform) in C(ansible.cfg)). At
    the default verbosity it prints one line per play, one line per task that changed something (host,
    task, the loop items that changed), one line when a retried task (C(until)) starts waiting and one when
    it is done (with a progress line at most once a minute while it waits), failures in full, actionable
    warnings, what C(debug) tasks say (summaries, previews), the C(--diff) of every changed task collected
    at the end, and a recap per environment (ok/changed/failed and the names of the changed tasks).
  - With C(-v) or more it is ansible.builtin.default, unchanged.
  - A few warnings and deprecations that no inventory or task can act on are left out at the default
    verbosity (listed in C(UNACTIONABLE) in the plugin, each with the reason); C(-v) shows them again.
    Deprecation warnings stay on (C(deprecation_warnings)), so a new one is printed.
  - Tests and machines that read the run set C(ANSIBLE_STDOUT_CALLBACK=ansible.posix.json) instead.
extends_documentation_fragment:
  - default_callback
  - result_format_callback
requirements:
  - set as stdout_callback in ansible.cfg
"""

import re
import time

from ansible import constants as C
from ansible import context
from ansible.playbook.task_include import TaskInclude
from ansible.plugins.callback.default import CallbackModule as DefaultCallback
from ansible.template import Templar
from ansible.utils.fqcn import add_internal_fqcns

DEBUG_ACTIONS = add_internal_fqcns(("debug",))

# (pattern, why nothing can act on it): matched against the start of the message.
UNACTIONABLE = (
    (
        # amazon.aws 10 iam_role deprecates unconditionally, whatever the task passes (modules/iam_role.py
        # main()); nothing here reads that return value (tests/unit/test_callback_platform.py checks).
        re.compile(r"In a release after \S+ iam_role\.assume_role_policy_document_raw will no longer be returned"),
        "amazon.aws iam_role announces on every call that a return value nothing here reads goes away",
    ),
    (
        # kubernetes.core.helm without the helm-diff plugin; the helm_release role compares the values itself
        # (roles/helm_release/tasks/present.yml) and the module's own check compares chart and values.
        re.compile(r"The default idempotency check can fail to report changes in certain cases\. Install helm diff"),
        "kubernetes.core.helm asks for the helm-diff plugin; the helm_release role diffs the values itself",
    ),
)

# Progress lines of a long wait: at most one a minute per waiting task (one more when it ends).
PROGRESS_SECONDS = 60
# Changed loop items named on a change line; the rest are counted.
ITEMS_SHOWN = 4


def unactionable(message):
    """True when ``message`` is one of UNACTIONABLE's (nothing a user can do about it)."""
    return any(pattern.match(message or "") for pattern, _why in UNACTIONABLE)


def change_line(host, task_name, items):
    """``changed  dev  Create the subnets: public-a, public-c, … (+2)``: one line per changed task."""
    line = f"changed  {host}  {task_name}"
    if items:
        shown = ", ".join(items[:ITEMS_SHOWN])
        more = f" (+{len(items) - ITEMS_SHOWN})" if len(items) > ITEMS_SHOWN else ""
        line += f": {shown}{more}"
    return line


def wait_line(state, host, task_name, attempts, retries, seconds):
    """``waiting  dev  Wait for the cluster (attempt 3 of 181, 20s)``."""
    of = f" of {retries + 1}" if retries else ""
    return f"{state}  {host}  {task_name} (attempt {attempts}{of}, {format_seconds(seconds)})"


def format_seconds(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def recap_line(host, totals, width):
    """``dev     : ok=57 changed=0 unreachable=0 failed=0 skipped=21 rescued=0 ignored=0``.

    The default recap's fields in its order, so what parses that (benchmarks, molecule) parses this.
    """
    counts = ("ok", "changed", "unreachable", "failures", "skipped", "rescued", "ignored")
    shown = " ".join(f"{'failed' if key == 'failures' else key}={totals[key]}" for key in counts)
    return f"{host.ljust(width)} : {shown}"


class CallbackModule(DefaultCallback):
    """ansible.builtin.default at -v; at the default verbosity, only what changed, waited or failed."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "teamf.platform.platform"

    def __init__(self):
        super().__init__()
        self._changes = {}  # host -> names of the tasks that changed, in order
        self._diffs = []  # (host, task name, diff text), printed at the end
        self._host_names = {}  # (host, task uuid) -> the task name templated with that host's variables
        self._waits = {}  # (host, task uuid, item) -> [first seen, last progress line]
        self._play_shown = False

    @property
    def _detail(self):
        return self._display.verbosity >= 1

    # --- plays and tasks: one line per play, nothing per task until it changes, waits or fails
    def v2_playbook_on_start(self, playbook):
        if self._detail:
            super().v2_playbook_on_start(playbook)

    def v2_playbook_on_play_start(self, play):
        if self._detail:
            return super().v2_playbook_on_play_start(play)
        # Printed with the play's first task: a play no host of the run belongs to prints nothing.
        self._play = play
        self._play_shown = False

    def _show_play(self):
        if self._play is not None and not self._play_shown:
            self._play_shown = True
            hosts = self._play.hosts if isinstance(self._play.hosts, str) else ", ".join(self._play.hosts)
            check = " [check mode]" if self._play.check_mode else ""
            self._display.display(f"== {self._play.get_name().strip()} ({hosts}){check}", color=C.COLOR_HIGHLIGHT)

    def v2_playbook_on_no_hosts_matched(self):
        if self._detail:
            super().v2_playbook_on_no_hosts_matched()

    def v2_playbook_on_task_start(self, task, is_conditional):
        if self._detail:
            return super().v2_playbook_on_task_start(task, is_conditional)
        # Remembers the name for a failure's banner; prints nothing but the play's line.
        self._show_play()
        self._task_type_cache[task._uuid] = "TASK"
        self._last_task_name = task.get_name().strip()

    def v2_playbook_on_handler_task_start(self, task):
        if self._detail:
            return super().v2_playbook_on_handler_task_start(task)
        self._show_play()
        self._task_type_cache[task._uuid] = "RUNNING HANDLER"
        self._last_task_name = task.get_name().strip()

    def v2_playbook_on_include(self, included_file):
        if self._detail:
            super().v2_playbook_on_include(included_file)

    def v2_runner_on_skipped(self, result):
        if self._detail:
            return super().v2_runner_on_skipped(result)
        self._handle_warnings_and_exception(result)

    def v2_runner_item_on_skipped(self, result):
        if self._detail:
            return super().v2_runner_item_on_skipped(result)
        self._handle_warnings_and_exception(result)

    def v2_runner_item_on_ok(self, result):
        if self._detail:
            return super().v2_runner_item_on_ok(result)
        self._handle_warnings_and_exception(result)
        self._end_wait(result, "waited")
        if result.task.action in DEBUG_ACTIONS and "msg" in result.result:
            self._show_debug(result.host.get_name(), result.result["msg"])

    def v2_runner_on_ok(self, result):
        if self._detail:
            return super().v2_runner_on_ok(result)
        self._handle_warnings_and_exception(result)
        if isinstance(result.task, TaskInclude):
            return
        self._end_wait(result, "waited")
        host, name = result.host.get_name(), self._task_name(result)
        if result.task.action in DEBUG_ACTIONS and "msg" in result.result:
            self._show_debug(host, result.result["msg"])
        if result.result.get("changed", False):
            items = [
                str(self._get_item_label(item))
                for item in result.result.get("results", [])
                if isinstance(item, dict) and item.get("changed")
            ]
            self._changes.setdefault(host, []).append(name)
            self._display.display(change_line(host, name, items), color=C.COLOR_CHANGED)

    def _show_debug(self, host, msg):
        """What a debug task says (a summary, a preview), without the result around it."""
        for line in msg if isinstance(msg, list) else str(msg).splitlines():
            self._display.display(f"{host}  {line}")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if self._detail:
            return super().v2_runner_on_failed(result, ignore_errors)
        self._end_wait(result, "gave up")
        if ignore_errors:  # an expected failure the play goes on from (probes): nothing to act on
            self._handle_warnings_and_exception(result)
            return
        super().v2_runner_on_failed(result, ignore_errors)

    def v2_runner_item_on_failed(self, result):
        self._end_wait(result, "gave up")
        super().v2_runner_item_on_failed(result)

    # --- waits: retries of an `until` loop are expected, shown as progress
    def v2_runner_retry(self, result):
        if self._detail:
            return super().v2_runner_retry(result)
        now = time.monotonic()
        key = self._wait_key(result)
        attempts, retries = result.result.get("attempts", 0), result.result.get("retries", 0)
        host, name = result.host.get_name(), self._task_name(result)
        if key not in self._waits:
            self._waits[key] = [now, now]
            self._display.display(wait_line("waiting", host, name, attempts, retries, 0), color=C.COLOR_DEBUG)
        elif now - self._waits[key][1] >= PROGRESS_SECONDS:
            self._waits[key][1] = now
            line = wait_line("waiting", host, name, attempts, retries, now - self._waits[key][0])
            self._display.display(line, color=C.COLOR_DEBUG)

    def _wait_key(self, result):
        return (result.host.get_name(), result.task._uuid, str(self._get_item_label(result.result) or ""))

    def _end_wait(self, result, state):
        started = self._waits.pop(self._wait_key(result), None)
        if started is not None:
            attempts = result.result.get("attempts", 0)
            seconds = time.monotonic() - started[0]
            line = wait_line(state, result.host.get_name(), self._task_name(result), attempts, 0, seconds)
            self._display.display(line, color=C.COLOR_DEBUG)

    def _task_name(self, result):
        item = self._get_item_label(result.result) if "results" not in result.result else None
        name = self._host_task_name(result)
        return f"{name} ({item})" if item is not None and result.task.loop else name

    def _host_task_name(self, result):
        """The task's name as templated for this result's host.

        Ansible templates a task's name once, with the first host's variables, for every host
        ("the GitHub environment dev" on prod's line); a name with a template is templated again
        here with the host's own variables. Anything that goes wrong keeps Ansible's name.
        """
        task = result.task
        name = task.get_name(include_role_fqcn=False).strip()
        raw = (getattr(task, "_ds", None) or {}).get("name")
        play = self._play
        if not isinstance(raw, str) or "{{" not in raw or play is None:
            return name
        key = (result.host.get_name(), task._uuid)
        if key not in self._host_names:
            try:
                variables = play._variable_manager.get_vars(play=play, host=result.host, task=task)
                templated = str(Templar(loader=play._loader, variables=variables).template(raw)).strip()
                role = task._role.get_name(include_role_fqcn=False) if task._role else None
                self._host_names[key] = f"{role} : {templated}" if role else templated
            except Exception:  # a name that cannot be templated again keeps Ansible's
                self._host_names[key] = name
        return self._host_names[key]

    # --- warnings: only the actionable ones
    def _handle_warnings(self, res):
        if not self._detail and self._current_task_result is not None:
            for key, show in (("warnings", self._display._warning), ("deprecations", self._display._deprecated)):
                if res.pop(key, None):
                    for event in getattr(self._current_task_result, key, None) or []:
                        if not unactionable(event.event.msg):
                            show(event)
        super()._handle_warnings(res)

    # --- diff: collected, printed at the end
    def v2_on_file_diff(self, result):
        if self._detail:
            return super().v2_on_file_diff(result)
        results = result.result.get("results") if result.task.loop else None
        for res in results if results is not None else [result.result]:
            if res.get("diff") and res.get("changed", False):
                diff = self._get_diff(res["diff"])
                if diff:
                    self._diffs.append((result.host.get_name(), self._task_name(result), diff))

    # --- the recap: per environment, and what changed
    def v2_playbook_on_stats(self, stats):
        if self._detail:
            return super().v2_playbook_on_stats(stats)
        if self._diffs:
            self._display.display("== Diff", color=C.COLOR_HIGHLIGHT)
            for host, name, diff in self._diffs:
                self._display.display(f"--- {host}  {name}")
                self._display.display(diff.rstrip("\n"))
        hosts = sorted(stats.processed.keys())
        self._display.display("== Recap" + (" [check mode]" if context.CLIARGS.get("check") else ""))
        width = max((len(h) for h in hosts), default=0)
        for host in hosts:
            totals = stats.summarize(host)
            color = C.COLOR_ERROR if totals["failures"] or totals["unreachable"] else None
            color = color or (C.COLOR_CHANGED if totals["changed"] else C.COLOR_OK)
            self._display.display(recap_line(host, totals, width), color=color)
            changed = self._changes.get(host, [])
            if changed:
                self._display.display(f"{''.ljust(width)}   changed: {'; '.join(changed)}", color=C.COLOR_CHANGED)
