"""plugins/module_utils/platform_history.py: what a rollback puts back, what make history prints, the items."""

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.platform_history import (
    ID_PATTERN,
    describe_change,
    event_time,
    from_item,
    new_event_id,
    rollback_plan,
    table_lines,
    to_item,
)


def entry(version, images=()):
    return {
        "version": version,
        "revision": int(version.rpartition(":")[2]) if ":" in version else 3,
        "images": list(images),
    }


def event(event_id, kind, before, after, result="succeeded"):
    return {
        "id": event_id,
        "kind": kind,
        "result": result,
        "from": {name: entry(v) for name, v in before.items()},
        "to": {name: entry(v) for name, v in after.items()},
    }


A1, A2, A3 = (f"teamf-dev-auth-server:{n}" for n in (1, 2, 3))
U1, U2, U3 = (f"teamf-dev-api-server:{n}" for n in (1, 2, 3))
FIRST = event("20261202-080000-aaaa", "redeploy", {"auth": A1, "api": U1}, {"auth": A2, "api": U2})
SECOND = event("20261202-090000-bbbb", "redeploy", {"auth": A2, "api": U2}, {"auth": A3, "api": U3})
FAILED = event("20261202-093000-cccc", "redeploy", {"api": U3}, {"api": "teamf-dev-api-server:4"}, result="failed")
ROLLBACK = event("20261202-100000-dddd", "rollback", {"auth": A3, "api": U3}, {"auth": A2, "api": U2})


@pytest.mark.parametrize(
    ("events", "current", "to", "targets", "source"),
    [
        pytest.param([SECOND, FIRST], {"auth": A3, "api": U3}, "", {"auth": A2, "api": U2}, SECOND["id"],
                     id="last-deploy"),
        pytest.param([FAILED, SECOND, FIRST], {"auth": A3, "api": U3}, "", {"auth": A2, "api": U2}, SECOND["id"],
                     id="failed-skipped"),
        pytest.param([ROLLBACK, SECOND, FIRST], {"auth": A2, "api": U2}, "", {}, SECOND["id"], id="rerun-is-no-op"),
        pytest.param([ROLLBACK, SECOND, FIRST], {"auth": A2, "api": U2}, SECOND["id"], {"auth": A3, "api": U3},
                     SECOND["id"], id="to-event"),
        pytest.param([], {"auth": A3, "api": U1}, "", {"auth": A2}, "", id="previous-revision"),
        pytest.param([], {"auth": A3, "api": U3}, "1", {"auth": A1, "api": U1}, "", id="to-revision"),
        pytest.param([], {"auth": A3, "api": U3}, "auth:1", {"auth": A1}, "", id="to-service-revision"),
    ],
)  # fmt: skip
def test_ecs_rollback_targets(events, current, to, targets, source):
    plan = rollback_plan(events, current, to, "dev")
    assert plan == {"event": source, "targets": targets, "error": ""}


@pytest.mark.parametrize(
    ("events", "current", "to", "platform", "error"),
    [
        pytest.param([], {"auth": A1, "api": U1}, "", "ecs", "nothing to roll back to on dev", id="first-deploy"),
        pytest.param([], {"api": "1.0.0"}, "", "eks", "nothing to roll back to on dev", id="eks-no-history"),
        pytest.param([FIRST], {"auth": A2}, "20991231-000000-ffff", "ecs", "TO=20991231-000000-ffff: no such event",
                     id="unknown-event"),
        pytest.param([FAILED], {"api": U3}, FAILED["id"], "ecs", "that redeploy failed", id="failed-event"),
        pytest.param([], {"auth": A2}, "latest", "ecs", "TO=latest: not a history event id", id="bad-to"),
        pytest.param([FIRST], {"auth": A2}, FIRST["id"], "ecs", "api: recorded in the history but not deployable",
                     id="service-gone"),
    ],
)  # fmt: skip
def test_nothing_to_roll_back_says_why(events, current, to, platform, error):
    plan = rollback_plan(events, current, to, "dev", platform)
    assert plan["targets"] == {}
    assert error in plan["error"]


def test_eks_rolls_back_to_the_release_before_the_last_deploy_or_the_one_asked_for():
    deploy = event("20261202-080000-aaaa", "deploy", {"api": "1.0.0"}, {"api": "1.1.0"})
    assert rollback_plan([deploy], {"api": "1.1.0"}, "", "staging", "eks")["targets"] == {"api": "1.0.0"}
    assert rollback_plan([deploy], {"api": "1.1.0"}, "0.9.0", "prod", "eks")["targets"] == {"api": "0.9.0"}
    assert rollback_plan([deploy], {"api": "1.1.0"}, "1.1.0", "prod", "eks")["targets"] == {}


def test_event_ids_sort_by_time_and_name_it():
    first, second = new_event_id(1_764_662_400, "ffff"), new_event_id(1_764_662_401, "0000")
    assert first == "20251202-080000-ffff" and first < second
    assert ID_PATTERN.match(first)
    assert event_time(first) == "2025-12-02T08:00:00Z"


def test_items_round_trip_through_dynamodb_attribute_values():
    item = SECOND | {"environment": "dev", "message": "", "note": None, "ok": True}
    assert from_item(to_item(item)) == item
    with pytest.raises(ValueError, match=r"from.auth.revision: 1.5 is a float"):
        to_item({"from": {"auth": {"revision": 1.5}}})


def test_the_table_users_read():
    lines = table_lines([FAILED | {"time": "2026-12-02T09:30:00Z", "who": "arn:aws:sts::1:assumed-role/deploy/ci",
                                   "message": "1 of the services\nfailed"}, SECOND])  # fmt: skip
    assert lines[0].split() == ["ID", "WHEN", "(UTC)", "WHO", "KIND", "FROM", "→", "TO", "RESULT"]
    assert "assumed-role/deploy/ci" in lines[1] and lines[1].endswith("failed: 1 of the services failed")
    assert "api :3 → :4" in lines[1]
    assert describe_change(SECOND) == "api :2 → :3, auth :2 → :3"
    assert (
        describe_change(event("x", "deploy", {"api": "1.0.0"}, {"api": "1.1.0"})) == "api 1.0.0 (rev 3) → 1.1.0 (rev 3)"
    )
