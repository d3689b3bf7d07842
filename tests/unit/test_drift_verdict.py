"""tools/drift.py: the exit code and the lines printed, from ansible-playbook's exit and the callback's report."""

import pytest

from tools.drift import DRIFT, ERROR, NO_DRIFT, render_diff, verdict

STATS = {"dev": {"ok": 200, "changed": 0, "failures": 0, "unreachable": 0}}
CHANGE = {
    "task": "Create the Auto Scaling group, or bring it in line",
    "role": "ecs_dev",
    "item": None,
    "action": "amazon.aws.autoscaling_group",
    "resource": "name=teamf-dev-ecs",
    "diff": [{"before": {"max_size": 7}, "after": {"max_size": 3}}],
}


def report(changed=(), failed=(), unreachable=False, check_mode=True, stats=STATS):
    hosts = {"dev": {"changed": list(changed), "failed": list(failed), "unreachable": unreachable}}
    return {"check_mode": check_mode, "hosts": hosts, "stats": stats}


@pytest.mark.parametrize(
    ("rc", "given", "code", "first_line"),
    [
        (0, report(), NO_DRIFT, "drift: none, dev is as its inventory defines it"),
        (0, report(changed=[CHANGE]), DRIFT, "drift: dev differs from its inventory in 1 place(s):"),
        (
            2,
            report(failed=[{"task": "Read the VPC", "msg": "Could not connect"}]),
            ERROR,
            "drift: the check of dev failed (ansible-playbook exit 2); drift unknown",
        ),
        (4, report(unreachable=True), ERROR, "drift: the check of dev failed (ansible-playbook exit 4); drift unknown"),
        (2, report(changed=[CHANGE]), ERROR, "drift: the check of dev failed (ansible-playbook exit 2); drift unknown"),
        (1, None, ERROR, "drift: the check of dev did not run to the end (ansible-playbook exit 1): see above"),
        (0, report(stats={}), ERROR, "drift: the check ran no task on dev (is it a host of the inventory?)"),
        (0, report(check_mode=False), ERROR, "drift: the run was not in check mode"),
    ],
    ids=["none", "drift", "failed-task", "unreachable", "drift-but-failed", "no-report", "no-host", "not-check-mode"],
)
def test_verdict(rc, given, code, first_line):
    got, lines = verdict(rc, given, "dev")
    assert (got, lines[0]) == (code, first_line)


def test_drift_names_the_task_its_item_and_the_diff():
    _, lines = verdict(0, report(changed=[CHANGE]), "dev")
    assert lines[1] == "  ~ ecs_dev: Create the Auto Scaling group, or bring it in line (name=teamf-dev-ecs)"
    assert '-  "max_size": 7' in [line.strip() for line in lines] or '-  "max_size": 7' in "\n".join(lines)
    assert any(line.strip() == '+  "max_size": 3' for line in lines)


@pytest.mark.parametrize(
    ("diff", "expected"),
    [
        ({"before": "a\nb\n", "after": "a\nc\n"}, ["--- before", "+++ after", "@@ -1,2 +1,2 @@", " a", "-b", "+c"]),
        ({"prepared": "line 1\nline 2"}, ["line 1", "line 2"]),
        (
            {"before": {}, "after": {"state": "present"}, "before_header": "sg-1", "after_header": "sg-1"},
            ["--- sg-1", "+++ sg-1", "@@ -0,0 +1,3 @@", "+{", '+  "state": "present"', "+}"],
        ),
    ],
    ids=["text", "prepared", "dicts"],
)
def test_render_diff(diff, expected):
    assert render_diff(diff) == expected


def test_a_change_without_diff_says_so():
    change = {**CHANGE, "diff": [], "item": "api-server", "resource": None}
    _, lines = verdict(0, report(changed=[change]), "dev")
    assert lines[1:] == [
        "  ~ ecs_dev: Create the Auto Scaling group, or bring it in line [api-server]",
        "      (amazon.aws.autoscaling_group reports no diff: compare with the inventory)",
    ]
