"""emulator.fixes.ecs_deployments (failing images, circuit breaker, rollback), over HTTP.

Runs its own emulators with a two-second rollout: one with the default failing-image pattern and
one with ``TEAMF_EMULATOR_ECS_FAIL_IMAGE_PATTERN`` set.
"""

import re
import time

import boto3
import pytest

ROLLOUT_SECONDS = 2.0
REGION = "ap-northeast-2"
ARN_PREFIX = f"arn:aws:ecs:{REGION}:123456789012:task-definition/"


BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}


def _client(emu):
    session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=REGION)
    client = session.client("ecs", endpoint_url=emu.url)
    for image in ("nginx:1.27", "nginx:fail", "nginx:fail-canary", "nginx:broken"):
        client.register_task_definition(
            family="web", containerDefinitions=[{"name": "web", "image": image, "memory": 128}]
        )
    return client  # web:1 good, web:2 and web:3 fail by default, web:4 fails with the custom pattern


@pytest.fixture(scope="module")
def ecs(emulator_factory):
    return _client(emulator_factory("ecs-breaker", TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS=ROLLOUT_SECONDS))


@pytest.fixture
def cluster(ecs, request):
    """A cluster of its own per test: cheaper than resetting the emulator (which reloads IAM)."""
    name = re.sub(r"\W", "-", request.node.name)[:60]
    ecs.create_cluster(clusterName=name)
    return name


def describe(ecs, cluster):
    return ecs.describe_services(cluster=cluster, services=["web"])["services"][0]


def wait_for(ecs, cluster, predicate, timeout=ROLLOUT_SECONDS * 5):
    deadline = time.monotonic() + timeout
    while True:
        service = describe(ecs, cluster)
        if predicate(service) or time.monotonic() > deadline:
            return service
        time.sleep(0.1)


def states(service):
    return [(d["status"], d["rolloutState"], d["taskDefinition"].split("/")[-1]) for d in service["deployments"]]


def deploy_good_then(ecs, cluster, revision, config=None):
    """Create the service on web:1, wait for it to complete, then update it to ``revision``."""
    kwargs = {"deploymentConfiguration": config} if config else {}
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition="web:1", desiredCount=2, **kwargs)
    good = wait_for(ecs, cluster, lambda s: states(s) == [("PRIMARY", "COMPLETED", "web:1")])
    assert states(good) == [("PRIMARY", "COMPLETED", "web:1")]
    ecs.update_service(cluster=cluster, service="web", taskDefinition=f"web:{revision}")
    return good["deployments"][0]


def test_failing_image_rolls_back_to_the_last_completed_deployment(ecs, cluster):
    good = deploy_good_then(ecs, cluster, 2, BREAKER)

    rolling_back = wait_for(ecs, cluster, lambda s: s["deployments"][0]["taskDefinition"].endswith("web:1"))
    primary, failed, previous = rolling_back["deployments"]
    assert (primary["status"], primary["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
    assert primary["rolloutStateReason"] == (
        f"ECS deployment circuit breaker: rolling back to deploymentId {good['id']}."
    )
    assert (failed["status"], failed["rolloutState"], failed["taskDefinition"]) == (
        "ACTIVE",
        "FAILED",
        ARN_PREFIX + "web:2",
    )
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed["failedTasks"] >= 3
    assert failed["runningCount"] == 0
    assert previous["id"] == good["id"]
    assert rolling_back["taskDefinition"] == ARN_PREFIX + "web:1"

    service = wait_for(ecs, cluster, lambda s: len(s["deployments"]) == 1)
    assert states(service) == [("PRIMARY", "COMPLETED", "web:1")]
    assert service["deployments"][0]["id"] == primary["id"]
    assert service["runningCount"] == service["desiredCount"] == 2
    messages = [e["message"] for e in service["events"]]
    assert messages[:2] == [
        "(service web) has reached a steady state.",
        f"(service web) deployment {primary['id']} deployment completed.",
    ]
    assert f"(service web) deployment {failed['id']} deployment failed: tasks failed to start." in messages
    assert f"(service web) rolling back to deployment {good['id']}." in messages
    assert any(m.startswith("(service web) is unable to consistently start tasks successfully.") for m in messages)


def test_failed_tasks_rise_while_the_deployment_keeps_failing(ecs, cluster):
    deploy_good_then(ecs, cluster, 3, BREAKER)  # nginx:fail-canary matches the default pattern
    first = wait_for(ecs, cluster, lambda s: s["deployments"][0]["failedTasks"] > 0)
    assert states(first)[0] == ("PRIMARY", "IN_PROGRESS", "web:3")
    failed = first["deployments"][0]["failedTasks"]
    assert failed % 2 == 0  # each attempt starts (and loses) desiredCount tasks
    later = wait_for(ecs, cluster, lambda s: s["deployments"][0]["failedTasks"] > failed)
    assert later["deployments"][0]["failedTasks"] > failed
    arns = ecs.list_tasks(cluster=cluster, serviceName="web", desiredStatus="STOPPED")["taskArns"]
    stopped = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    assert {t["taskDefinitionArn"] for t in stopped} == {ARN_PREFIX + "web:3"}
    assert {t["stoppedReason"] for t in stopped} == {"Essential container in task exited"}


def test_breaker_without_rollback_leaves_the_deployment_failed(ecs, cluster):
    deploy_good_then(ecs, cluster, 2, {"deploymentCircuitBreaker": {"enable": True, "rollback": False}})
    service = wait_for(ecs, cluster, lambda s: s["deployments"][0]["rolloutState"] != "IN_PROGRESS")
    assert states(service) == [("PRIMARY", "FAILED", "web:2"), ("ACTIVE", "COMPLETED", "web:1")]
    assert service["taskDefinition"] == ARN_PREFIX + "web:2"
    time.sleep(ROLLOUT_SECONDS)
    assert states(describe(ecs, cluster)) == [("PRIMARY", "FAILED", "web:2"), ("ACTIVE", "COMPLETED", "web:1")]


def test_without_breaker_a_failing_deployment_stays_in_progress(ecs, cluster):
    deploy_good_then(ecs, cluster, 2)
    time.sleep(ROLLOUT_SECONDS * 2)
    service = describe(ecs, cluster)
    assert states(service) == [("PRIMARY", "IN_PROGRESS", "web:2"), ("ACTIVE", "COMPLETED", "web:1")]
    assert service["deployments"][0]["failedTasks"] >= 6
    assert service["deployments"][1]["runningCount"] == 2  # the old tasks keep serving


def test_first_deployment_failing_has_nothing_to_roll_back_to(ecs, cluster):
    ecs.create_service(
        cluster=cluster, serviceName="web", taskDefinition="web:2", desiredCount=1, deploymentConfiguration=BREAKER
    )
    service = wait_for(ecs, cluster, lambda s: s["deployments"][0]["rolloutState"] != "IN_PROGRESS")
    assert states(service) == [("PRIMARY", "FAILED", "web:2")]
    assert service["runningCount"] == 0


def test_fail_image_pattern_is_configurable(emulator_factory):
    emu = emulator_factory(
        "ecs-breaker-pattern",
        TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS=ROLLOUT_SECONDS,
        TEAMF_EMULATOR_ECS_FAIL_IMAGE_PATTERN=r":broken$",
    )
    ecs = _client(emu)
    ecs.create_cluster(clusterName="dev")
    for name, revision in (("fail", 2), ("broken", 4)):
        ecs.create_service(
            cluster="dev",
            serviceName=name,
            taskDefinition=f"web:{revision}",
            desiredCount=1,
            deploymentConfiguration=BREAKER,
        )
    time.sleep(ROLLOUT_SECONDS * 1.5)
    services = ecs.describe_services(cluster="dev", services=["fail", "broken"])["services"]
    assert {s["serviceName"]: s["deployments"][0]["rolloutState"] for s in services} == {
        "fail": "COMPLETED",
        "broken": "FAILED",
    }
