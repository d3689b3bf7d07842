"""plugins/module_utils/platform_lock.py: who may take a lock, when a held one is stale, what users read."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.platform_lock import (
    Holder,
    iso,
    pid_alive,
    plan_acquire,
    plan_release,
    refusal,
    takeover,
)

NOW = 1_796_185_870  # 2026-12-02T04:31:10Z
ME = Holder("bob", "ci-runner", 77, "site.yml", since=NOW, expires=NOW + 7200)
ALICE = Holder("alice", "laptop", 4242, "site.yml", since=NOW - 60, expires=NOW + 7140)


def alive(*pids):
    return lambda pid: pid in pids


@pytest.mark.parametrize(
    ("current", "this_host", "running", "expected"),
    [
        pytest.param(None, "ci-runner", alive(), ("take", "", ME.run), id="free"),
        pytest.param(ME, "ci-runner", alive(77), ("keep", "", ME.run), id="this-run-again"),
        pytest.param(ALICE, "ci-runner", alive(), ("refuse", "", ""), id="held-elsewhere-pid-unknowable"),
        pytest.param(ALICE, "laptop", alive(4242), ("refuse", "", ""), id="held-here-alive"),
        pytest.param(ALICE, "laptop", alive(), ("take_over", "dead", ALICE.run), id="held-here-dead"),
        pytest.param(
            Holder("alice", "laptop", 4242, "site.yml", since=NOW - 7300, expires=NOW - 100),
            "ci-runner",
            alive(),
            ("take_over", "expired", "alice@laptop:4242"),
            id="expired",
        ),
        pytest.param(
            Holder("alice", "laptop", 4242, since=NOW - 7200, expires=NOW),
            "ci-runner",
            alive(),
            ("take_over", "expired", "alice@laptop:4242"),
            id="expires-now",
        ),
    ],
)
def test_plan_acquire(current, this_host, running, expected):
    plan = plan_acquire(current, ME, NOW, this_host, alive=running)
    assert (plan.action, plan.reason, plan.expected) == expected


@pytest.mark.parametrize(
    ("current", "force", "expected"),
    [
        pytest.param(None, False, "none", id="not-held"),
        pytest.param(ME, False, "delete", id="ours"),
        pytest.param(ALICE, False, "not_ours", id="someone-elses-is-left"),
        pytest.param(ALICE, True, "delete", id="forced"),
    ],
)
def test_plan_release(current, force, expected):
    assert plan_release(current, ME, force) == expected


def test_refusal_names_the_holder_since_when_and_the_fix():
    assert refusal("prod", ALICE, "make unlock ENV=prod") == (
        "prod is being converged by alice@laptop (pid 4242, site.yml) since 2026-12-02T04:30:10Z; wait for it, "
        "or if that run is dead: make unlock ENV=prod (the lock counts as stale after 2026-12-02T06:30:10Z, "
        "platform_lock_ttl)"
    )


@pytest.mark.parametrize(
    ("reason", "why"),
    [("dead", "pid 4242 is no longer running on laptop"), ("expired", "it expired at 2026-12-02T06:30:10Z")],
)
def test_takeover_says_from_whom_and_why(reason, why):
    message = takeover("prod", ALICE, reason)
    assert message.startswith(
        "took over prod's lock from alice@laptop (pid 4242, site.yml), held since 2026-12-02T04:30:10Z: "
    )
    assert why in message


def test_item_round_trip():
    item = ALICE.to_item("prod")
    assert item["lock"] == {"S": "prod"} and item["run"] == {"S": "alice@laptop:4242"}
    assert Holder.from_item(item) == ALICE
    assert ALICE.as_result("prod")["since"] == iso(NOW - 60) == "2026-12-02T04:30:10Z"


def test_pid_alive():
    assert pid_alive(os.getpid())
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert not pid_alive(int(finished.stdout))
    assert not pid_alive(0)


def test_a_killed_process_not_yet_reaped_is_not_alive():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert pid_alive(child.pid)
        child.kill()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, still a zombie
        assert not pid_alive(child.pid)
    finally:
        child.kill()
        child.wait()
