"""emulator.fixes.ecs_execute_command, over HTTP (an emulator of its own with one-second rollouts)."""

import re
import time

import boto3
import pytest
from botocore.exceptions import ClientError

REGION = "ap-northeast-2"


@pytest.fixture(scope="module")
def ecs(emulator_factory):
    emu = emulator_factory("ecs-execute-command", TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS="1")
    session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=REGION)
    client = session.client("ecs", endpoint_url=emu.url)
    client.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}]
    )
    client.create_cluster(clusterName="dev")
    return client


def running_task(ecs, service, enable):
    ecs.create_service(
        cluster="dev", serviceName=service, taskDefinition="web", desiredCount=1, enableExecuteCommand=enable
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        arns = ecs.list_tasks(cluster="dev", serviceName=service, desiredStatus="RUNNING")["taskArns"]
        tasks = ecs.describe_tasks(cluster="dev", tasks=arns)["tasks"] if arns else []
        if tasks and tasks[0]["lastStatus"] == "RUNNING":
            return tasks[0]
        time.sleep(0.2)
    raise AssertionError(f"{service}: no running task")


def execute(ecs, task_arn, **kwargs):
    args = {"cluster": "dev", "task": task_arn, "container": "web", "command": "/bin/sh", "interactive": True}
    return ecs.execute_command(**{**args, **kwargs})


def test_a_task_with_execute_command_gets_a_session(ecs):
    task = running_task(ecs, "with-exec", True)
    assert task["enableExecuteCommand"] is True
    assert task["containers"][0]["managedAgents"] == [{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING"}]
    answer = execute(ecs, task["taskArn"])
    session = answer["session"]
    assert answer["taskArn"] == task["taskArn"]
    assert (answer["containerName"], answer["interactive"]) == ("web", True)
    assert answer["containerArn"] == task["containers"][0]["containerArn"]
    assert session["streamUrl"] == (
        f"wss://ssmmessages.{REGION}.amazonaws.com/v1/data-channel/{session['sessionId']}?role=publish_subscribe"
    )
    assert re.fullmatch(r"ecs-execute-command-[0-9a-f]+", session["sessionId"])
    assert len(session["tokenValue"]) > 64
    assert re.fullmatch(r"[0-9a-f]{64}", task["containers"][0]["runtimeId"])
    # A token per session; the task may be named by its ID.
    assert execute(ecs, task["taskArn"].rsplit("/", 1)[-1])["session"]["tokenValue"] != session["tokenValue"]


def test_a_task_without_execute_command_is_refused(ecs):
    task = running_task(ecs, "without-exec", False)
    assert task["enableExecuteCommand"] is False
    assert "managedAgents" not in task["containers"][0] or task["containers"][0]["managedAgents"] == []
    with pytest.raises(ClientError) as refused:
        execute(ecs, task["taskArn"])
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "execute command was not enabled when the task was run" in refused.value.response["Error"]["Message"]


def test_enabling_it_on_the_service_reaches_only_new_tasks(ecs):
    task = running_task(ecs, "enabled-later", False)
    ecs.update_service(cluster="dev", service="enabled-later", enableExecuteCommand=True)
    described = ecs.describe_services(cluster="dev", services=["enabled-later"])["services"][0]
    assert described["enableExecuteCommand"] is True
    with pytest.raises(ClientError, match="InvalidParameterException"):
        execute(ecs, task["taskArn"])


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"interactive": False}, "InvalidParameterException", "Interactive is the only mode supported currently"),
        ({"container": "db"}, "InvalidParameterException", "The container db does not exist"),
        ({"task_arn": "0123456789abcdef"}, "InvalidParameterException", "task 0123456789abcdef was not found"),
        ({"cluster": "nowhere"}, "ClusterNotFoundException", "Cluster not found"),
    ],
    ids=["not-interactive", "unknown-container", "unknown-task", "unknown-cluster"],
)
def test_bad_requests_are_refused(ecs, kwargs, code, message):
    task = running_task(ecs, f"bad-{len(ecs.list_services(cluster='dev')['serviceArns'])}", True)
    with pytest.raises(ClientError) as refused:
        execute(ecs, **{"task_arn": task["taskArn"], **kwargs})
    assert refused.value.response["Error"]["Code"] == code
    assert message in refused.value.response["Error"]["Message"]


def test_a_stopped_task_is_not_connected(ecs):
    task = running_task(ecs, "stopped", True)
    ecs.update_service(cluster="dev", service="stopped", desiredCount=0)
    deadline = time.monotonic() + 10
    while ecs.describe_tasks(cluster="dev", tasks=[task["taskArn"]])["tasks"][0]["lastStatus"] != "STOPPED":
        assert time.monotonic() < deadline, "the task did not stop"
        time.sleep(0.2)
    with pytest.raises(ClientError) as refused:
        execute(ecs, task["taskArn"])
    assert refused.value.response["Error"]["Code"] == "TargetNotConnectedException"


def test_bare_moto_has_no_execute_command(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto implements ExecuteCommand itself now: the fix can go."""
    ecs = bare_moto("ecs")
    ecs.create_cluster(clusterName="exec")
    ecs.register_task_definition(family="exec", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}])
    started = ecs.run_task(cluster="exec", taskDefinition="exec", launchType="FARGATE", enableExecuteCommand=True)
    task = started["tasks"][0]["taskArn"]
    with pytest.raises(ClientError) as failed:
        ecs.execute_command(cluster="exec", task=task, container="web", command="/bin/sh", interactive=True)
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
