"""emulator.fixes.ecs_awslogs_container_logs, over HTTP: service tasks write their awslogs streams.

Runs its own emulator with a one-second rollout (``TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS``).
"""

import re
import time

import boto3
import pytest

REGION = "ap-northeast-2"


@pytest.fixture(scope="module")
def aws(emulator_factory):
    emu = emulator_factory("ecs-awslogs", TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS="1")
    session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=REGION)
    return lambda service: session.client(service, endpoint_url=emu.url)


@pytest.fixture
def name(request):
    return re.sub(r"\W", "-", request.node.name)[:40]


def awslogs(group, prefix="web", **extra):
    return {
        "logDriver": "awslogs",
        "options": {"awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": prefix, **extra},
    }


def register(ecs, family, image, log_configuration):
    container = {"name": "web", "image": image, "memory": 64}
    if log_configuration:
        container["logConfiguration"] = log_configuration
    return ecs.register_task_definition(family=family, containerDefinitions=[container])["taskDefinition"]


def wait_steady(ecs, cluster, service, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
        if found["deployments"][0]["rolloutState"] != "IN_PROGRESS" and len(found["deployments"]) == 1:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{service} never settled")


def events(logs, group, **kwargs):
    return logs.filter_log_events(logGroupName=group, **kwargs)["events"]


def test_a_started_task_writes_its_stream(aws, name):
    ecs, logs = aws("ecs"), aws("logs")
    group = f"/ecs/{name}/web"
    logs.create_log_group(logGroupName=group)
    ecs.create_cluster(clusterName=name)
    register(ecs, name, "nginx:1.27", awslogs(group))
    ecs.create_service(cluster=name, serviceName="web", taskDefinition=name, desiredCount=2)

    deadline = time.monotonic() + 30
    while not (found := events(logs, group)) and time.monotonic() < deadline:
        time.sleep(0.2)  # this read itself moves the rollout on: the tasks start without any ECS call

    tasks = ecs.describe_tasks(cluster=name, tasks=ecs.list_tasks(cluster=name, serviceName="web")["taskArns"])
    task_ids = sorted(t["taskArn"].rsplit("/", 1)[-1] for t in tasks["tasks"])
    assert len(task_ids) == 2
    streams = sorted(s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"])
    assert streams == [f"web/web/{task_id}" for task_id in task_ids]
    for task_id in task_ids:
        lines = [e["message"] for e in found if e["logStreamName"] == f"web/web/{task_id}"]
        assert lines == ["container web started", f"image nginx:1.27, task {task_id}"]
    started = {t["taskArn"].rsplit("/", 1)[-1]: t["startedAt"] for t in tasks["tasks"]}
    for event in found:
        task_id = event["logStreamName"].rsplit("/", 1)[-1]
        assert event["timestamp"] == int(started[task_id].timestamp() * 1000)


def test_a_replaced_task_says_why_it_stopped(aws, name):
    ecs, logs = aws("ecs"), aws("logs")
    group = f"/ecs/{name}/web"
    logs.create_log_group(logGroupName=group)
    ecs.create_cluster(clusterName=name)
    register(ecs, name, "nginx:1.27", awslogs(group))
    second = register(ecs, name, "nginx:1.28", awslogs(group))
    ecs.create_service(cluster=name, serviceName="web", taskDefinition=f"{name}:1", desiredCount=1)
    wait_steady(ecs, name, "web")
    first_task = ecs.list_tasks(cluster=name, serviceName="web")["taskArns"][0]
    ecs.update_service(cluster=name, service="web", taskDefinition=second["taskDefinitionArn"])
    wait_steady(ecs, name, "web")

    first_stream = f"web/web/{first_task.rsplit('/', 1)[-1]}"
    lines = [e["message"] for e in events(logs, group, logStreamNames=[first_stream])]
    assert lines[-1].startswith("container web stopped: Scaling activity initiated by (deployment ecs-svc/")
    images = [e["message"] for e in events(logs, group) if e["message"].startswith("image ")]
    assert [line.split(",")[0] for line in images] == ["image nginx:1.27", "image nginx:1.28"]
    newest = logs.get_log_events(logGroupName=group, logStreamName=first_stream)["events"]
    assert [e["message"] for e in newest] == lines


def test_create_group_option_and_missing_group(aws, name):
    ecs, logs = aws("ecs"), aws("logs")
    ecs.create_cluster(clusterName=name)
    created, missing = f"/ecs/{name}/created", f"/ecs/{name}/missing"
    register(ecs, f"{name}-c", "nginx:1.27", awslogs(created, **{"awslogs-create-group": "true"}))
    register(ecs, f"{name}-m", "nginx:1.27", awslogs(missing))
    register(ecs, f"{name}-n", "nginx:1.27", None)
    for family in ("c", "m", "n"):
        ecs.create_service(cluster=name, serviceName=family, taskDefinition=f"{name}-{family}", desiredCount=1)
    for family in ("c", "m", "n"):
        wait_steady(ecs, name, family)

    groups = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=f"/ecs/{name}/")["logGroups"]]
    assert groups == [created]
    assert [e["message"] for e in events(logs, created)][:1] == ["container web started"]


def test_bare_moto_writes_nothing_for_a_running_task_that_logs_to_awslogs(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto writes the containers' streams itself now: the fix can go."""
    ecs, logs = bare_moto("ecs"), bare_moto("logs")
    group = "/ecs/awslogs-marker/web"
    logs.create_log_group(logGroupName=group)
    ecs.create_cluster(clusterName="awslogs-marker")
    register(ecs, "awslogs-marker", "nginx:1.27", awslogs(group))
    # A service's tasks never start on bare moto (ecs_deployments); a RunTask task is RUNNING at once.
    [task] = ecs.run_task(cluster="awslogs-marker", taskDefinition="awslogs-marker", launchType="FARGATE")["tasks"]
    assert task["lastStatus"] == "RUNNING"
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []
