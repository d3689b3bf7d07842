"""plugins/module_utils/ecs_rollout.py: what to update, which events explain, and the wait itself."""

from __future__ import annotations

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.ecs_rollout import (
    Watch,
    events_since,
    service_changes,
    wanted_deployment_configuration,
    watch,
)

ARN = "arn:aws:ecs:ap-northeast-2:123456789012:task-definition/web:{}"
CONFIG = wanted_deployment_configuration(100, 200, True)
CURRENT_CONFIG = {
    "minimumHealthyPercent": 100,
    "maximumPercent": 200,
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
}


def service(revision=1, config=CURRENT_CONFIG, desired=2, **extra):
    return dict(
        desiredCount=desired,
        deploymentConfiguration=config,
        deployments=[{"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": ARN.format(revision)}],
        **extra,
    )


@pytest.mark.parametrize(
    ("current", "target", "desired", "expected"),
    [
        (service(), ARN.format(1), None, {}),
        (service(), ARN.format(1), 2, {}),
        (service(), ARN.format(2), None, {"taskDefinition": ARN.format(2)}),
        (service(), ARN.format(1), 3, {"desiredCount": 3}),
        (service(config={}), ARN.format(1), None, {"deploymentConfiguration": CONFIG}),
        (
            service(config=dict(CURRENT_CONFIG, deploymentCircuitBreaker={"enable": True, "rollback": False})),
            ARN.format(1),
            None,
            {"deploymentConfiguration": CONFIG},
        ),
        (
            service(config=dict(CURRENT_CONFIG, maximumPercent=150)),
            ARN.format(1),
            None,
            {"deploymentConfiguration": CONFIG},
        ),
    ],
    ids=["same", "same-count", "new-revision", "new-count", "no-config", "breaker-without-rollback", "max-percent"],
)
def test_service_changes(current, target, desired, expected):
    assert service_changes(current, target, CONFIG, desired) == expected


def test_service_changes_compares_the_primary_deployment_not_the_service_field():
    # A circuit breaker rollback in progress: the service already names revision 1, the primary is 2.
    current = service(revision=2, taskDefinition=ARN.format(1))
    assert service_changes(current, ARN.format(1), CONFIG) == {"taskDefinition": ARN.format(1)}


@pytest.mark.parametrize(
    ("marker", "expected"),
    [("e2", ["newest", "middle"]), (None, ["newest", "middle", "old"]), ("gone", ["newest", "middle", "old"])],
    ids=["since-marker", "no-marker", "marker-gone"],
)
def test_events_since(marker, expected):
    events = [{"id": "e0", "message": "newest"}, {"id": "e1", "message": "middle"}, {"id": "e2", "message": "old"}]
    assert events_since({"events": events}, marker) == expected


class FakeECS:
    """Answers describe_services with the next prepared service (the last one repeats)."""

    def __init__(self, *services):
        self.services = list(services)

    def describe_services(self, cluster, services, aws_retry):
        current = self.services.pop(0) if len(self.services) > 1 else self.services[0]
        return {"services": [dict(current, status="ACTIVE")]}


class FakeELB:
    def __init__(self, states):
        self.states = states

    def describe_target_health(self, TargetGroupArn, aws_retry):
        return {"TargetHealthDescriptions": [{"TargetHealth": {"State": s}} for s in self.states]}


def deployment(state, running=2, desired=2, id="ecs-svc/new", status="PRIMARY", reason=None):
    return dict(
        id=id,
        status=status,
        rolloutState=state,
        runningCount=running,
        desiredCount=desired,
        rolloutStateReason=reason,
        taskDefinition=ARN.format(2),
    )


def snapshot(*deployments, running=2, desired=2, **extra):
    return dict(deployments=list(deployments), runningCount=running, desiredCount=desired, events=[], **extra)


def job(ecs, elbv2=None, timeout=10, **extra):
    clock = iter(range(0, 1000)).__next__  # one second per look, from 0
    lines = []
    watch_job = Watch(
        label="web",
        cluster="dev",
        service="web",
        deployment_id="ecs-svc/new",
        ecs=ecs,
        elbv2=elbv2,
        timeout=timeout,
        poll_interval=0,
        started=0,
        report=lambda label, message: lines.append(message),
        clock=clock,
        sleep=lambda seconds: None,
        **extra,
    )
    return watch_job, lines


def test_watch_completes_when_deployment_completed_and_all_tasks_run():
    ecs = FakeECS(
        snapshot(deployment("IN_PROGRESS", running=0), running=2),
        snapshot(deployment("IN_PROGRESS", running=1), running=3),
        snapshot(deployment("COMPLETED"), running=2),
    )
    watch_job, lines = job(ecs)
    outcome = watch(watch_job)
    assert (outcome.state, outcome.reason) == ("completed", None)
    assert lines == ["IN_PROGRESS 0/2 running (0s)", "IN_PROGRESS 1/2 running (1s)", "COMPLETED 2/2 running (2s)"]


def test_watch_waits_for_healthy_targets():
    lb = {"loadBalancers": [{"targetGroupArn": "arn:tg"}]}
    ecs = FakeECS(snapshot(deployment("COMPLETED"), **lb))
    elbv2 = FakeELB(["healthy", "initial"])
    watch_job, lines = job(ecs, elbv2, timeout=2)
    outcome = watch(watch_job)
    assert outcome.state == "timed_out"
    assert "targets 1/2 healthy" in outcome.reason
    assert lines[0] == "COMPLETED 2/2 running, targets 1/2 healthy (0s)"


def test_watch_reports_a_circuit_breaker_failure_with_its_reason():
    failed = deployment(
        "FAILED", running=0, status="ACTIVE", reason="ECS deployment circuit breaker: tasks failed to start."
    )
    rollback = deployment("IN_PROGRESS", id="ecs-svc/rollback")
    ecs = FakeECS(snapshot(deployment("IN_PROGRESS", running=0)), snapshot(rollback, failed))
    outcome = watch(job(ecs)[0])
    assert (outcome.state, outcome.reason) == ("failed", "ECS deployment circuit breaker: tasks failed to start.")


def test_watch_reports_a_deployment_replaced_by_another():
    ecs = FakeECS(snapshot(deployment("IN_PROGRESS", id="ecs-svc/other")))
    outcome = watch(job(ecs)[0])
    assert outcome.state == "failed"
    assert outcome.reason == "deployment ecs-svc/new was replaced by deployment ecs-svc/other of web:2"


def test_watch_times_out_naming_the_last_state():
    ecs = FakeECS(snapshot(deployment("IN_PROGRESS", running=1), running=3))
    outcome = watch(job(ecs, timeout=3)[0])
    assert outcome.state == "timed_out"
    assert outcome.reason == "timed out after 3s waiting for deployment ecs-svc/new: IN_PROGRESS 1/2 running"


def test_watch_checks_the_probe_after_steady_state(monkeypatch):
    import ansible_collections.teamf.platform.plugins.module_utils.ecs_rollout as ecs_rollout

    answers = iter(["probe http://x answered 503, expected 200", None])
    monkeypatch.setattr(ecs_rollout, "probe_error", lambda probe: next(answers))
    ecs = FakeECS(snapshot(deployment("COMPLETED")))
    watch_job, lines = job(ecs, probe={"url": "http://x", "status": 200, "timeout": 1})
    assert watch(watch_job).state == "completed"
    assert lines == [
        "COMPLETED 2/2 running, probe http://x answered 503, expected 200 (0s)",
        "COMPLETED 2/2 running (1s)",
    ]
