"""The platform lock and the account guard, over HTTP against private emulators.

- teamf.platform.platform_lock on its own: take, keep, refuse (naming the holder), take over from a dead
  or expired holder, release, force-release; check mode writes nothing.
- Two converges of dev at once: exactly one converges, the other refuses early naming the holder and
  since when, nothing exists twice; the loser's rerun converges nothing new (taking over a dead holder's
  lock on the way).
- An inventory that names another AWS account is refused by every mutating playbook before any
  mutating request reaches the emulator.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from emulator.faults import call_endpoint
from tests.conftest import REPO_ROOT, ansible_env
from tests.integration.conftest import CLEAN_DEV, clients, dev_counts, mutating_requests, run_playbook
from tests.integration.modules import Step, run_steps

HOST = socket.gethostname()
LOCAL = REPO_ROOT / "inventories" / "local"
# Read-only API calls, by their operation names (the emulator counts requests per operation).


def dead_pid() -> int:
    """The pid of a process that has exited."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(finished.stdout)


def put_holder(ddb, table, name, *, host=HOST, pid, since, expires, user="alice", playbook="site.yml"):
    item = {
        "lock": {"S": name},
        "user": {"S": user},
        "host": {"S": host},
        "pid": {"N": str(pid)},
        "playbook": {"S": playbook},
        "run": {"S": f"{user}@{host}:{pid}"},
        "since": {"N": str(since)},
        "expires": {"N": str(expires)},
    }
    ddb.put_item(TableName=table, Item=item)


def get_holder(ddb, table, name):
    return ddb.get_item(TableName=table, Key={"lock": {"S": name}}, ConsistentRead=True).get("Item")


# ---- the module ------------------------------------------------------------------------------------


@pytest.fixture
def table():
    return f"locks-{uuid.uuid4().hex[:8]}"


def lock(name, table, check=False, diff=False, **args):
    return Step("teamf.platform.platform_lock", dict(name=name, table=table, **args), check=check, diff=diff)


def test_take_keep_refuse_release(emulator, table):
    ddb = clients(emulator)("dynamodb")
    results = run_steps(
        emulator,
        [
            lock("dev", table, check=True),
            lock("dev", table, diff=True),
            lock("dev", table),
            lock("dev", table, owner={"user": "bob", "host": "elsewhere", "pid": 4242, "playbook": "deploy.yml"}),
            lock("dev", table, state="released", check=True),
            lock("dev", table, state="released"),
            lock("dev", table, state="released"),
        ],
    )
    would, took, kept, refused, would_release, released, again = results
    # check mode: would take it and create the table, wrote neither
    assert would["changed"] and would["table_created"] and not would.get("failed"), would
    # taken, by this run: this ansible-playbook's pid on this host, the playbook's file name
    assert took["changed"] and took["table_created"], took
    holder = took["lock"]
    assert holder["host"] == HOST and holder["playbook"] == "playbook.yml" and holder["pid"] > 0
    assert took["diff"] == {"before": {}, "after": holder}
    assert kept["changed"] is False and kept["lock"] == holder and "held by this run" in kept["msg"]
    assert refused["failed"] and refused["lock"] == holder
    assert refused["msg"] == (
        f"dev is being converged by {holder['holder']} (pid {holder['pid']}, playbook.yml) since {holder['since']}; "
        f"wait for it, or if that run is dead: make unlock ENV=dev (the lock counts as stale after "
        f"{holder['expires']}, platform_lock_ttl)"
    )
    assert would_release["changed"] and would_release["previous"] == holder
    assert released["changed"] and released["lock"] == {} and released["previous"] == holder
    assert again["changed"] is False and again["msg"] == "dev's lock: not held"
    assert get_holder(ddb, table, "dev") is None
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["AttributeName"] == "expires"
    assert ddb.describe_table(TableName=table)["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_check_mode_writes_nothing(emulator, table):
    results = run_steps(emulator, [lock("dev", table, check=True)])
    assert results[0]["changed"], results
    assert table not in clients(emulator)("dynamodb").list_tables()["TableNames"]


def test_stale_holders_are_taken_over_and_live_ones_refused(emulator, table):
    aws = clients(emulator)
    ddb = aws("dynamodb")
    run_steps(emulator, [lock("setup", table)])  # the table
    now = int(time.time())
    gone = dead_pid()
    put_holder(ddb, table, "dead-here", pid=gone, since=now - 60, expires=now + 7000)
    put_holder(ddb, table, "expired-elsewhere", host="laptop", pid=4242, since=now - 7300, expires=now - 100)
    put_holder(ddb, table, "alive-elsewhere", host="laptop", pid=4242, since=now - 60, expires=now + 7000)
    put_holder(ddb, table, "alive-here", pid=os.getpid(), since=now - 60, expires=now + 7000)
    dead, expired, alive_elsewhere, alive_check, alive_here, forced = run_steps(
        emulator,
        [
            lock("dead-here", table),
            lock("expired-elsewhere", table),
            lock("alive-elsewhere", table),
            lock("alive-elsewhere", table, check=True),
            lock("alive-here", table),
            lock("alive-elsewhere", table, state="released", force=True),
        ],
    )
    assert dead["changed"] and dead["took_over"] == "dead", dead
    assert dead["previous"]["pid"] == gone and dead["lock"]["host"] == HOST
    assert f"took over dead-here's lock from alice@{HOST} (pid {gone}, site.yml)" in dead["msg"]
    assert f"pid {gone} is no longer running on {HOST}" in dead["msg"]
    assert any("took over dead-here's lock" in warning for warning in dead.get("warnings", []))
    assert expired["changed"] and expired["took_over"] == "expired", expired
    assert "it expired at" in expired["msg"]
    for refused in (alive_elsewhere, alive_check, alive_here):
        assert refused["failed"] and "is being converged by alice@" in refused["msg"], refused
    assert "make unlock ENV=alive-elsewhere" in alive_elsewhere["msg"]
    assert forced["changed"] and forced["previous"]["holder"] == "alice@laptop", forced
    assert "released alive-elsewhere's lock, held by alice@laptop (pid 4242, site.yml)" in forced["msg"]
    assert get_holder(ddb, table, "alive-elsewhere") is None
    assert get_holder(ddb, table, "alive-here")["pid"] == {"N": str(os.getpid())}  # refused: left as it was
    assert get_holder(ddb, table, "dead-here")["host"] == {"S": HOST}


# ---- two converges of dev at once --------------------------------------------------------------------


def start_site(emulator, *args):
    env = dict(ansible_env(emulator), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "ansible-playbook"), "site.yml", "-i", "inventories/local", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc):
    """rc, the whole output, the json callback's stats and the names of the tasks that failed."""
    stdout, stderr = proc.communicate(timeout=1500)
    try:
        report = json.loads(stdout)
    except ValueError:
        report = {}
    failed = [
        task["task"]["name"]
        for play in report.get("plays", [])
        for task in play["tasks"]
        if any(result.get("failed") for result in task["hosts"].values())
    ]
    return proc.returncode, stdout + stderr, report.get("stats", {}), failed


def test_two_converges_of_dev_at_once(emulator_factory):
    emu = emulator_factory(isolation="locks", TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS="1")
    aws = clients(emu)
    first, second = start_site(emu, "--limit", "dev"), start_site(emu, "--limit", "dev")
    runs = {first.pid: finish(first), second.pid: finish(second)}

    [winner] = [pid for pid, run in runs.items() if run[0] == 0]
    [loser] = [pid for pid, run in runs.items() if run[0] != 0]
    _rc, output, stats, failed = runs[loser]
    held = re.search(
        rf"dev is being converged by \S+@{re.escape(HOST)} \(pid {winner}, site\.yml\) since "
        r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ); wait for it, or if that run is dead: make unlock ENV=dev "
        r"INVENTORY=inventories/local",
        output,
    )
    assert held, output[-4000:]
    # the loser stopped at the lock, before any change
    assert failed == ["Take the platform lock of dev"], failed
    assert stats["dev"]["changed"] == 0, stats
    assert runs[winner][2]["dev"]["changed"] > 0
    assert dev_counts(aws) == CLEAN_DEV
    assert get_holder(aws("dynamodb"), "teamf-platform-locks", "dev") is None  # released at the end

    # The loser again, after a run of this host died holding the lock: taken over, nothing to change.
    now = int(time.time())
    gone = dead_pid()
    put_holder(aws("dynamodb"), "teamf-platform-locks", "dev", pid=gone, since=now - 30, expires=now + 7000)
    rc, output, stats, _failed = finish(start_site(emu, "--limit", "dev"))
    assert rc == 0, output[-4000:]
    assert f"took over dev's lock from alice@{HOST} (pid {gone}, site.yml)" in output
    assert stats["dev"]["changed"] == 0, stats
    assert dev_counts(aws) == CLEAN_DEV


# ---- the account guard -----------------------------------------------------------------------------


def inventory_of_account(tmp_path, account):
    """inventories/local with dev only, naming ``account`` (None: naming none) in its emulator group_vars."""
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "host_vars").mkdir()
    for name in ("all.yml", "ecs_environments.yml", "eks_environments.yml"):
        (tmp_path / "group_vars" / name).symlink_to(LOCAL / "group_vars" / name)
    (tmp_path / "files").symlink_to(LOCAL / "files")
    (tmp_path / "host_vars" / "dev.yml").symlink_to(LOCAL / "host_vars" / "dev.yml")
    emulator_vars = yaml.safe_load((LOCAL / "group_vars" / "emulator.yml").read_text())
    emulator_vars.pop("platform_aws_account_id")
    if account is not None:
        emulator_vars["platform_aws_account_id"] = account
    (tmp_path / "group_vars" / "emulator.yml").write_text(yaml.safe_dump(emulator_vars))
    hosts = {
        "all": {
            "children": {
                "ecs_environments": {"hosts": {"dev": None}},
                "emulator": {"children": {"ecs_environments": None}},
            }
        }
    }
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(hosts))
    return tmp_path


PLAYBOOKS = [
    pytest.param(["site.yml"], id="site"),
    pytest.param(["playbooks/redeploy.yml", "-e", "image_tag=1.0"], id="redeploy"),
    pytest.param(["playbooks/teardown.yml", "-e", "confirm=dev"], id="teardown"),
    pytest.param(["playbooks/release.yml", "-e", "version=9.9.9", "-e", "commit=" + "a" * 40], id="release"),
    pytest.param(["playbooks/unlock.yml"], id="unlock"),
]


@pytest.fixture(scope="module")
def guarded(emulator_factory):
    return emulator_factory(isolation="account-guard")


def run_counted(emulator, inventory, playbook):
    call_endpoint(emulator.url, "DELETE")  # counters zeroed
    run = run_playbook(emulator, playbook[0], inventory, *playbook[1:])
    requests = call_endpoint(emulator.url)["requests"]["by_service"]
    return run.rc, run.output, requests, mutating_requests(emulator.url)


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_another_account_is_refused_before_any_change(guarded, tmp_path, playbook):
    inventory = inventory_of_account(tmp_path, "111122223333")
    rc, output, requests, mutating = run_counted(guarded, inventory, playbook)
    assert rc != 0
    assert (
        "are for AWS account 123456789012, but inventory" in output
        and "belongs to account 111122223333 (platform_aws_account_id, region ap-northeast-2)" in output
        and "the access key in aws_access_key, no profile" in output
        and "Nothing was changed." in output
    ), output[-3000:]
    assert requests["sts"] == {"GetCallerIdentity": requests["sts"]["GetCallerIdentity"]}
    assert mutating == {}, mutating


def test_an_inventory_naming_no_account_is_refused(guarded, tmp_path):
    inventory = inventory_of_account(tmp_path, None)
    rc, output, _requests, mutating = run_counted(guarded, inventory, ["site.yml"])
    assert rc != 0
    assert "platform_aws_account_id is not set for dev" in output, output[-3000:]
    assert "Add it to inventories/shared/group_vars/all.yml" in output.replace(str(REPO_ROOT) + "/", "")
    assert "are for account 123456789012" in output
    assert mutating == {}, mutating
