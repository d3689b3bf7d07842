"""emulator.fixes.ecs_deployments (rollout progress), over HTTP.

Runs its own emulator with a two-second rollout (``TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS`` is read by
the server process); one test checks the default on the shared emulator.
"""

import re
import time

import boto3
import pytest

ROLLOUT_SECONDS = 2.0
REGION = "ap-northeast-2"
ARN_PREFIX = f"arn:aws:ecs:{REGION}:123456789012:task-definition/"


@pytest.fixture(scope="module")
def fast_emulator(emulator_factory):
    return emulator_factory("ecs-deployments", TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS=ROLLOUT_SECONDS)


@pytest.fixture(scope="module")
def ecs(fast_emulator):
    session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=REGION)
    client = session.client("ecs", endpoint_url=fast_emulator.url)
    for image in ("nginx:1.27", "nginx:1.28"):
        client.register_task_definition(
            family="web", containerDefinitions=[{"name": "web", "image": image, "memory": 128}]
        )
    return client


@pytest.fixture
def cluster(ecs, request):
    """A cluster of its own per test: cheaper than resetting the emulator (which reloads IAM)."""
    name = re.sub(r"\W", "-", request.node.name)[:60]
    ecs.create_cluster(clusterName=name)
    return name


def describe(ecs, cluster, name="web"):
    return ecs.describe_services(cluster=cluster, services=[name])["services"][0]


def wait_for(ecs, cluster, predicate, timeout=ROLLOUT_SECONDS * 4):
    deadline = time.monotonic() + timeout
    while True:
        service = describe(ecs, cluster)
        if predicate(service) or time.monotonic() > deadline:
            return service
        time.sleep(0.1)


def completed(service):
    return [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"]


def create(ecs, cluster, desired=2, **kwargs):
    return ecs.create_service(
        cluster=cluster, serviceName="web", taskDefinition="web:1", desiredCount=desired, **kwargs
    )["service"]


def test_create_service_starts_a_primary_deployment_in_progress(ecs, cluster):
    service = create(ecs, cluster)
    [deployment] = service["deployments"]
    assert deployment["status"] == "PRIMARY"
    assert deployment["rolloutState"] == "IN_PROGRESS"
    assert re.fullmatch(r"ecs-svc/\d{19}", deployment["id"])
    assert deployment["rolloutStateReason"] == f"ECS deployment {deployment['id']} in progress."
    assert deployment["taskDefinition"] == ARN_PREFIX + "web:1"
    assert service["taskDefinition"] == ARN_PREFIX + "web:1"
    assert (deployment["desiredCount"], deployment["failedTasks"]) == (2, 0)
    assert deployment["pendingCount"] + deployment["runningCount"] == 2  # pending for the first second
    assert deployment["createdAt"] == deployment["updatedAt"]


def test_deployment_completes_after_the_rollout_time(ecs, cluster):
    create(ecs, cluster)
    service = wait_for(ecs, cluster, completed)
    [deployment] = service["deployments"]
    assert deployment["rolloutState"] == "COMPLETED"
    assert deployment["rolloutStateReason"] == f"ECS deployment {deployment['id']} completed."
    assert (deployment["runningCount"], deployment["pendingCount"]) == (2, 0)
    assert (service["runningCount"], service["pendingCount"], service["desiredCount"]) == (2, 0, 2)
    assert (deployment["updatedAt"] - deployment["createdAt"]).total_seconds() == pytest.approx(ROLLOUT_SECONDS)


def test_tasks_run_halfway_through_the_rollout(ecs, cluster):
    create(ecs, cluster)
    service = wait_for(ecs, cluster, lambda s: s["runningCount"] == 2)
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    arns = ecs.list_tasks(cluster=cluster, serviceName="web")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    assert len(tasks) == 2
    assert {t["lastStatus"] for t in tasks} == {"RUNNING"}
    assert {t["group"] for t in tasks} == {"service:web"}
    assert {t["startedBy"] for t in tasks} == {service["deployments"][0]["id"]}
    assert {t["taskDefinitionArn"] for t in tasks} == {ARN_PREFIX + "web:1"}


def test_events_are_newest_first_in_the_schedulers_words(ecs, cluster):
    create(ecs, cluster, desired=1)
    service = wait_for(ecs, cluster, completed)
    deployment_id = service["deployments"][0]["id"]
    task_id = ecs.list_tasks(cluster=cluster, serviceName="web")["taskArns"][0].split("/")[-1]
    assert [e["message"] for e in service["events"]] == [
        "(service web) has reached a steady state.",
        f"(service web) deployment {deployment_id} deployment completed.",
        f"(service web) has started 1 tasks: (task {task_id}).",
    ]
    times = [e["createdAt"] for e in service["events"]]
    assert times == sorted(times, reverse=True)


def test_update_with_new_task_definition_rolls_out_and_drops_the_old_deployment(ecs, cluster):
    create(ecs, cluster)
    old = wait_for(ecs, cluster, completed)["deployments"][0]
    old_tasks = set(ecs.list_tasks(cluster=cluster, serviceName="web")["taskArns"])

    updated = ecs.update_service(cluster=cluster, service="web", taskDefinition="web:2")["service"]
    assert updated["taskDefinition"] == ARN_PREFIX + "web:2"
    primary, active = updated["deployments"]
    assert (primary["status"], primary["rolloutState"], primary["taskDefinition"]) == (
        "PRIMARY",
        "IN_PROGRESS",
        ARN_PREFIX + "web:2",
    )
    assert (active["id"], active["status"], active["runningCount"]) == (old["id"], "ACTIVE", 2)

    during = wait_for(ecs, cluster, lambda s: s["deployments"][0]["runningCount"] == 2)
    assert during["runningCount"] == 4  # old tasks keep serving until the new ones are healthy
    assert len(during["deployments"]) == 2

    service = wait_for(ecs, cluster, lambda s: len(s["deployments"]) == 1)
    [deployment] = service["deployments"]
    assert (deployment["id"], deployment["rolloutState"]) == (primary["id"], "COMPLETED")
    assert (service["runningCount"], service["desiredCount"]) == (2, 2)
    new_tasks = set(ecs.list_tasks(cluster=cluster, serviceName="web")["taskArns"])
    assert new_tasks.isdisjoint(old_tasks) and len(new_tasks) == 2
    stopped = ecs.describe_tasks(cluster=cluster, tasks=sorted(old_tasks))["tasks"]
    assert {t["lastStatus"] for t in stopped} == {"STOPPED"}
    assert any(e["message"].startswith("(service web) has stopped 2 running tasks: ") for e in service["events"])


def test_update_accepts_family_and_reports_the_arn(ecs, cluster):
    create(ecs, cluster)
    updated = ecs.update_service(cluster=cluster, service="web", taskDefinition="web")["service"]
    assert updated["taskDefinition"] == ARN_PREFIX + "web:2"
    assert updated["deployments"][0]["taskDefinition"] == ARN_PREFIX + "web:2"


def test_force_new_deployment_starts_a_deployment_of_the_same_task_definition(ecs, cluster):
    create(ecs, cluster)
    first = wait_for(ecs, cluster, completed)["deployments"][0]
    updated = ecs.update_service(cluster=cluster, service="web", forceNewDeployment=True)["service"]
    assert [(d["status"], d["taskDefinition"]) for d in updated["deployments"]] == [
        ("PRIMARY", ARN_PREFIX + "web:1"),
        ("ACTIVE", ARN_PREFIX + "web:1"),
    ]
    assert updated["deployments"][0]["id"] != first["id"]
    assert completed(wait_for(ecs, cluster, completed))


def test_unchanged_update_starts_no_deployment(ecs, cluster):
    create(ecs, cluster)
    first = wait_for(ecs, cluster, completed)["deployments"][0]
    updated = ecs.update_service(cluster=cluster, service="web", taskDefinition="web:1")["service"]
    assert [d["id"] for d in updated["deployments"]] == [first["id"]]


def test_scaling_keeps_the_deployment_and_starts_tasks(ecs, cluster):
    create(ecs, cluster, desired=1)
    first = wait_for(ecs, cluster, completed)["deployments"][0]
    updated = ecs.update_service(cluster=cluster, service="web", desiredCount=3)["service"]
    [deployment] = updated["deployments"]
    assert (deployment["id"], deployment["desiredCount"], deployment["runningCount"]) == (first["id"], 3, 1)
    service = wait_for(ecs, cluster, lambda s: s["runningCount"] == 3)
    assert service["runningCount"] == 3
    ecs.update_service(cluster=cluster, service="web", desiredCount=1)
    assert describe(ecs, cluster)["runningCount"] == 1
    assert len(ecs.list_tasks(cluster=cluster, serviceName="web")["taskArns"]) == 1


def test_default_rollout_takes_three_seconds(aws, clean_emulator):
    ecs, cluster = aws("ecs"), "dev"
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}])
    service = ecs.create_service(cluster=cluster, serviceName="web", taskDefinition="web", desiredCount=1)["service"]
    time.sleep(1.6)
    service = describe(ecs, cluster)
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert service["runningCount"] == 1  # running after half the rollout time, not yet healthy


def test_bare_moto_starts_no_tasks_for_a_service(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto starts a service's tasks itself now: the fix can go."""
    ecs = bare_moto("ecs")
    ecs.create_cluster(clusterName="deployments")
    ecs.register_task_definition(
        family="deployed", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}]
    )
    ecs.create_service(cluster="deployments", serviceName="web", taskDefinition="deployed", desiredCount=2)
    assert ecs.list_tasks(cluster="deployments", serviceName="web")["taskArns"] == []
