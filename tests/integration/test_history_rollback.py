"""make history and make rollback on dev (ECS) against a private emulator: dev converged once by site.yml.

The tests are one story in their written order: nothing to roll back on a fresh estate, two redeploys (and
a rerun that records nothing), a failed one, a rollback, its rerun, a rollback to a revision, bad input.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import clients, converged_dev, mutating_requests, run_playbook, zero_request_counters

CLUSTER = "teamf-dev"
DEPLOYABLE = ("api-server", "auth-server")
TABLE = "teamf-platform-history"


@pytest.fixture(scope="module")
def dev(emulator_factory):
    return converged_dev(emulator_factory, "history")


@pytest.fixture(scope="module")
def aws(dev):
    return clients(dev)


def running(aws):
    services = aws("ecs").describe_services(cluster=CLUSTER, services=list(DEPLOYABLE))["services"]
    return {s["serviceName"]: s["taskDefinition"].rsplit("/", 1)[-1] for s in services}


def events(aws):
    """dev's events as DynamoDB holds them, newest first (read with boto3, not with our module)."""
    items = aws("dynamodb").query(
        TableName=TABLE,
        KeyConditionExpression="environment = :e",
        ExpressionAttributeValues={":e": {"S": "dev"}},
        ScanIndexForward=False,
    )["Items"]
    return [{k: v.get("S", v.get("M")) for k, v in item.items()} for item in items]


def history_table(run) -> str:
    """What make history printed (the json callback's result of the task that shows it)."""
    for play in json.JSONDecoder().raw_decode(run.output)[0]["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"].startswith("Show the deploy history"):
                return task["hosts"]["dev"]["msg"]
    raise AssertionError(run.output[-3000:])


def play(emu, playbook, *args):
    return run_playbook(emu, playbook, "inventories/local", *args)


def test_a_fresh_estate_has_no_history_and_nothing_to_roll_back(dev, aws):
    history = play(dev, "playbooks/ops/history.yml", "-e", "env=dev")
    assert history.rc == 0, history.output[-3000:]
    assert history_table(history) == "no deploy of dev is recorded yet (table teamf-platform-history)"
    before = running(aws)
    zero_request_counters(dev.url)
    run = play(dev, "playbooks/ops/rollback.yml", "-e", "env=dev")
    assert run.rc != 0
    assert "nothing to roll back to on dev: its history has no earlier successful deploy" in run.output
    assert "(the first revisions); pass TO=<x> to choose one. Nothing was changed." in run.output
    assert mutating_requests(dev.url) == {}
    assert running(aws) == before


def test_redeploys_are_recorded_once_each_with_the_caller(dev, aws):
    initial = running(aws)
    for tag in ("2.0.0", "2.0.0", "2.1.0"):
        run = play(dev, "playbooks/redeploy.yml", "--limit", "dev", "-e", f"image_tag={tag}")
        assert run.rc == 0, run.output[-3000:]
    failed = play(dev, "playbooks/redeploy.yml", "--limit", "dev", "-e", "image_tag=fail", "-e", "services=api-server")
    assert failed.rc != 0
    assert "circuit breaker" in failed.output or "failed to roll out" in failed.output
    caller = aws("sts").get_caller_identity()["Arn"]
    found = events(aws)
    # The rerun with 2.0.0 changed nothing and recorded nothing; the failure is recorded, newest first.
    assert [(e["kind"], e["result"]) for e in found] == [
        ("redeploy", "failed"),
        ("redeploy", "succeeded"),
        ("redeploy", "succeeded"),
    ]
    assert {e["who"] for e in found} == {caller}
    assert "failed to roll out" in found[0]["message"]
    first = found[2]
    assert {name: entry["M"]["version"]["S"] for name, entry in first["from"].items()} == initial
    assert first["to"]["auth-server"]["M"]["images"]["L"][0]["S"].endswith("/teamf/auth-api:2.0.0")

    history = play(dev, "playbooks/ops/history.yml", "-e", "env=dev", "-e", "limit=2")
    assert history.rc == 0, history.output[-3000:]
    lines = history_table(history).splitlines()
    assert len(lines) == 3  # header + LIMIT=2, newest first
    assert lines[1].startswith(found[0]["id"]) and "redeploy" in lines[1] and "failed:" in lines[1]
    assert lines[2].startswith(found[1]["id"]) and "user/moto" in lines[2] and lines[2].endswith("succeeded")
    assert "api-server :2 → :3, auth-server :2 → :3" in lines[2]


def test_rollback_puts_back_the_set_before_the_last_redeploy_and_a_rerun_changes_nothing(dev, aws):
    found = events(aws)
    last = next(e for e in found if e["result"] == "succeeded")
    wanted = {name: entry["M"]["version"]["S"] for name, entry in last["from"].items()}
    left = running(aws)
    assert wanted != left

    run = play(dev, "playbooks/ops/rollback.yml", "-e", "env=dev")
    assert run.rc == 0, run.output[-3000:]
    assert run.changed("dev") > 0
    assert running(aws) == wanted
    ecs = aws("ecs")
    for service in DEPLOYABLE:
        # The revision left is deregistered: the family's latest is what runs, so site.yml keeps it.
        assert ecs.describe_task_definition(taskDefinition=left[service])["taskDefinition"]["status"] == "INACTIVE"
        latest = ecs.describe_task_definition(taskDefinition=f"{CLUSTER}-{service}")["taskDefinition"]
        assert f"{latest['family']}:{latest['revision']}" == wanted[service]
    rollback = events(aws)[0]
    assert (rollback["kind"], rollback["result"]) == ("rollback", "succeeded")
    assert rollback["who"] == aws("sts").get_caller_identity()["Arn"]
    assert [e["kind"] for e in events(aws)] == ["rollback", "redeploy", "redeploy", "redeploy"]

    rerun = play(dev, "playbooks/ops/rollback.yml", "-e", "env=dev")
    assert rerun.rc == 0, rerun.output[-3000:]
    assert rerun.changed("dev") == 0
    assert "nothing to roll back" in rerun.output
    assert len(events(aws)) == 4
    assert running(aws) == wanted


def test_rollback_to_a_revision_of_one_service(dev, aws):
    before = running(aws)
    run = play(dev, "playbooks/ops/rollback.yml", "-e", "env=dev", "-e", "to=auth-server:1")
    assert run.rc == 0, run.output[-3000:]
    after = running(aws)
    assert after == dict(before, **{"auth-server": f"{CLUSTER}-auth-server:1"})
    newest = events(aws)[0]
    assert newest["kind"] == "rollback"
    # The event holds every deployable service's set; only auth-server moved.
    versions = {side: {n: e["M"]["version"]["S"] for n, e in newest[side].items()} for side in ("from", "to")}
    assert versions == {"from": before, "to": after}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-e", "env=nope"), "ENV=nope: no such environment in inventory inventories/local; it has dev, staging, prod"),
        (
            ("-e", "env=dev", "-e", "to=99"),
            "teamf-dev-api-server:99, teamf-dev-auth-server:99: no such task definitions",
        ),
        (("-e", "env=dev", "-e", "to=20261202-000000-abcd"), "TO=20261202-000000-abcd: no such event in dev"),
        (("-e", "env=dev", "-e", "to=bogus"), "TO=bogus: not a history event id"),
    ],
)
def test_bad_input_fails_before_any_change(dev, aws, args, message):
    before = running(aws)
    zero_request_counters(dev.url)
    run = play(dev, "playbooks/ops/rollback.yml", *args)
    assert run.rc != 0
    assert message in run.output, run.output[-3000:]
    assert mutating_requests(dev.url) == {}
    assert running(aws) == before


def test_a_failed_event_is_no_rollback_target(dev, aws):
    failed = next(e for e in events(aws) if e["result"] == "failed")
    run = play(dev, "playbooks/ops/rollback.yml", "-e", "env=dev", "-e", f"to={failed['id']}")
    assert run.rc != 0
    assert f"TO={failed['id']}: that redeploy failed, so what it deployed never ran" in run.output
