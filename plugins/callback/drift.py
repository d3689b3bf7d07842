# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
name: drift
type: aggregate
short_description: Record what a check-mode run would change, per host, as JSON
version_added: 0.3.0
description:
  - Beside the stdout callback, collects every task result that reports a change (with the task's name,
    role, item label, the resource its module arguments name, such as C(name=teamf-dev-ecs), and the diff),
    every failure and every unreachable host, and writes them to O(report) when the playbook ends.
  - C(tools/drift.py) (C(make drift ENV=<env>)) runs C(site.yml --check --diff) with it and turns the
    report into an exit code, since C(ansible-playbook --check) has none that tells drift from no drift.
requirements:
  - enabled, for example with C(ANSIBLE_CALLBACKS_ENABLED=teamf.platform.drift)
options:
  report:
    description: File the JSON report is written to. Nothing is written when it is not set.
    type: path
    env:
      - name: TEAMF_DRIFT_REPORT
    ini:
      - section: callback_drift
        key: report
"""

EXAMPLES = r"""
# TEAMF_DRIFT_REPORT=/tmp/drift.json ANSIBLE_CALLBACKS_ENABLED=teamf.platform.drift \
#   ansible-playbook site.yml -i inventories/dev --limit dev --check --diff
# /tmp/drift.json:
# {"check_mode": true,
#  "hosts": {"dev": {"changed": [{"task": "Create the services, or reconcile their settings",
#                                 "role": "ecs_dev", "item": "api-server", "action": "community.aws.ecs_service",
#                                 "resource": "name=api-server cluster=teamf-dev", "diff": [...]}],
#                    "failed": [], "unreachable": false}},
#  "stats": {"dev": {"changed": 1, "failures": 0, "unreachable": 0, "ok": 250}}}
"""

import json

from ansible.plugins.callback import CallbackBase


def _label(result):
    """The loop item's label as the stdout callback shows it, or None for a task without a loop."""
    res = result._result
    if "_ansible_item_label" in res:
        return str(res["_ansible_item_label"])
    if "item" in res:
        item = res["item"]
        return item if isinstance(item, str) else json.dumps(item, sort_keys=True, default=str)
    return None


# Module arguments that name the resource a task manages, in the order they are reported.
NAMING_ARGS = (
    "name", "cluster", "service", "family", "arn", "id", "repository_name", "release_name", "release_namespace",
    "iam_name", "policy_name", "vpc_id", "resource", "path",
)  # fmt: skip


def _resource(res):
    """``key=value`` for the module arguments that name the resource (``name=teamf-dev-ecs``), or None."""
    args = (res.get("invocation") or {}).get("module_args") or {}
    named = [f"{key}={args[key]}" for key in NAMING_ARGS if isinstance(args.get(key), (str, int)) and args[key] != ""]
    return " ".join(named[:3]) or None


def _diffs(res):
    diff = res.get("diff")
    if not diff:
        return []
    return [d for d in (diff if isinstance(diff, list) else [diff]) if d]


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "teamf.platform.drift"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._hosts = {}
        self._check_mode = None

    def _host(self, name):
        return self._hosts.setdefault(name, {"changed": [], "failed": [], "unreachable": False})

    def _entry(self, result):
        task = result._task
        role = task._role.get_name(include_role_fqcn=False) if task._role else None
        return {
            "task": task.name or task.get_name(),
            "role": role,
            "item": _label(result),
            "action": task.action,
            "resource": _resource(result._result),
        }

    def v2_playbook_on_play_start(self, play):
        if self._check_mode is None:
            self._check_mode = bool(play.check_mode) or bool(getattr(self._options_context(), "check", False))

    def _options_context(self):
        from ansible import context

        return context.CLIARGS

    def v2_runner_on_ok(self, result):
        res = result._result
        # A loop's parent result repeats its items' changes; the items are counted one by one.
        if res.get("changed") and "results" not in res:
            self._host(result._host.get_name())["changed"].append({**self._entry(result), "diff": _diffs(res)})

    def v2_runner_item_on_ok(self, result):
        if result._result.get("changed"):
            self._host(result._host.get_name())["changed"].append(
                {**self._entry(result), "diff": _diffs(result._result)}
            )

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self._host(result._host.get_name())["failed"].append(
                {**self._entry(result), "msg": str(result._result.get("msg", ""))}
            )

    def v2_runner_on_unreachable(self, result):
        host = self._host(result._host.get_name())
        host["unreachable"] = True
        host["failed"].append({**self._entry(result), "msg": str(result._result.get("msg", ""))})

    def v2_playbook_on_stats(self, stats):
        self.set_options()
        path = self.get_option("report")
        if not path:
            return
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        report = {"check_mode": bool(self._check_mode), "hosts": self._hosts, "stats": summary}
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2, sort_keys=True, default=str)
