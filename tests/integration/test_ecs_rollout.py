"""teamf.platform.ecs_rollout through ansible-playbook against a private emulator with 2-second rollouts.

Each test gets a cluster of its own with services already COMPLETED on revision 1 of a family whose
revision 2 is healthy and revision 3 uses an image tag the emulator fails (``:fail``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import REGION, REPO_ROOT, ansible_env
from tests.integration.modules import ANSIBLE_PLAYBOOK, Step, aws_args, run_module, run_steps

MODULE = "teamf.platform.ecs_rollout"
ROLLOUT_SECONDS = 2
IMAGES = ("nginx:1.27", "nginx:1.28", "nginx:fail")  # revisions 1, 2, 3
FAST = {"poll_interval": 0.5, "wait_timeout": 30}


@pytest.fixture(scope="module")
def fast_emulator(emulator_factory):
    return emulator_factory(TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS=str(ROLLOUT_SECONDS))


@pytest.fixture(scope="module")
def aws_fast(fast_emulator):
    import boto3

    session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=REGION)
    return lambda service: session.client(service, endpoint_url=fast_emulator.url)


class Fleet:
    """A cluster with services on ``<cluster>:1``, COMPLETED, and the clients to read them back."""

    def __init__(self, aws_fast, cluster):
        self.ecs, self.elbv2, self.ec2 = aws_fast("ecs"), aws_fast("elbv2"), aws_fast("ec2")
        self.cluster = self.family = cluster
        self.ecs.create_cluster(clusterName=cluster)
        for image in IMAGES:
            self.ecs.register_task_definition(
                family=self.family,
                containerDefinitions=[
                    {"name": "web", "image": image, "memory": 64, "portMappings": [{"containerPort": 80}]}
                ],
            )
        self.arn_prefix = f"arn:aws:ecs:{REGION}:123456789012:task-definition/{self.family}"

    def target_group(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
        return self.elbv2.create_target_group(
            Name=f"{self.cluster[:24]}-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance"
        )["TargetGroups"][0]["TargetGroupArn"]

    def create(self, names, target_group=None):
        extra = {}
        if target_group:
            extra["loadBalancers"] = [{"targetGroupArn": target_group, "containerName": "web", "containerPort": 80}]
        for name in names:
            self.ecs.create_service(
                cluster=self.cluster, serviceName=name, taskDefinition=f"{self.family}:1", desiredCount=2, **extra
            )
        self.wait(names, lambda s: self.state(s) == ("COMPLETED", f"{self.family}:1"))

    def describe(self, names):
        return self.ecs.describe_services(cluster=self.cluster, services=list(names))["services"]

    def state(self, service):
        """(rolloutState, family:revision) of the service's single deployment, or None mid-rollout."""
        if len(service["deployments"]) != 1:
            return None
        [deployment] = service["deployments"]
        return deployment["rolloutState"], deployment["taskDefinition"].rsplit("/", 1)[-1]

    def wait(self, names, predicate, timeout=ROLLOUT_SECONDS * 5):
        deadline = time.monotonic() + timeout
        while not all(predicate(s) for s in self.describe(names)):
            assert time.monotonic() < deadline, self.describe(names)
            time.sleep(0.2)

    def entry(self, name, revision):
        return {"cluster": self.cluster, "service": name, "task_definition": f"{self.family}:{revision}"}


@pytest.fixture
def fleet(aws_fast, request):
    return Fleet(aws_fast, re.sub(r"[^A-Za-z0-9]", "-", request.node.name)[:30].strip("-"))


def run_with_progress(emulator, args):
    """Run the module once with the json callback; return its result and ansible-playbook's stderr."""
    playbook = [
        {
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars": {"ansible_python_interpreter": sys.executable},
            "tasks": [{"name": "roll", MODULE: dict(args, **aws_args(emulator)), "ignore_errors": True}],
        }
    ]
    env = dict(ansible_env(emulator), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    with tempfile.TemporaryDirectory(prefix="ecs-rollout-") as workdir:
        path = Path(workdir) / "playbook.yml"
        path.write_text(yaml.safe_dump(playbook, sort_keys=False))
        run = subprocess.run(
            [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(path)],
            env=env,
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=600,
            check=False,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"], run.stderr


def test_check_mode_then_rollout_then_rerun_changes_nothing(fast_emulator, fleet):
    target_group = fleet.target_group()
    fleet.create(["web"], target_group)
    args = dict(
        FAST,
        services=[fleet.entry("web", 2)],
        http_probe={"url": f"{fast_emulator.url}/moto-api/", "timeout": 2},
    )

    check = run_module(fast_emulator, MODULE, args, check=True, diff=True)
    assert check["changed"] is True, check
    [would] = check["services"]
    assert (would["status"], would["task_definition"]) == ("deployed", f"{fleet.arn_prefix}:2")
    assert check["diff"]["before"] == {f"{fleet.cluster}/web": f"{fleet.arn_prefix}:1"}
    assert check["diff"]["after"] == {f"{fleet.cluster}/web": f"{fleet.arn_prefix}:2"}
    [service] = fleet.describe(["web"])
    assert fleet.state(service) == ("COMPLETED", f"{fleet.family}:1")  # nothing rolled

    rolled, rerun = run_steps(fast_emulator, [Step(MODULE, args, diff=True), Step(MODULE, args)])
    assert rolled["changed"] is True, rolled
    [result] = rolled["services"]
    assert result["status"] == "deployed"
    assert result["previous_task_definition"] == f"{fleet.arn_prefix}:1"
    assert result["task_definition"] == f"{fleet.arn_prefix}:2"
    assert result["elapsed_seconds"] >= ROLLOUT_SECONDS
    [service] = fleet.describe(["web"])
    assert fleet.state(service) == ("COMPLETED", f"{fleet.family}:2")
    assert service["runningCount"] == service["desiredCount"] == 2
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    health = fleet.elbv2.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
    assert [h["TargetHealth"]["State"] for h in health] == ["healthy", "healthy"]

    assert rerun["changed"] is False, rerun
    assert rerun["services"][0]["status"] == "unchanged"
    [after_rerun] = fleet.describe(["web"])
    assert after_rerun["deployments"][0]["id"] == service["deployments"][0]["id"]  # no new deployment


def test_failing_image_is_rolled_back_and_fails_with_reason_and_events(fast_emulator, fleet):
    fleet.create(["api"])
    result = run_module(fast_emulator, MODULE, dict(FAST, services=[fleet.entry("api", 3)]))

    assert result["failed"] is True
    assert result["changed"] is True
    [api] = result["services"]
    assert api["status"] == "rolled_back", api
    assert "circuit breaker" in api["reason"]
    assert any("deployment failed" in event for event in api["events"]), api["events"]
    assert "api" in result["msg"] and "circuit breaker" in result["msg"]
    assert f"rolled back to {fleet.family}:1" in result["msg"]
    [service] = fleet.describe(["api"])
    assert fleet.state(service) == ("COMPLETED", f"{fleet.family}:1")
    assert service["runningCount"] == 2


def test_timeout_without_circuit_breaker_rolls_back_and_fails(fast_emulator, fleet):
    fleet.create(["worker"])
    args = dict(FAST, services=[fleet.entry("worker", 3)], circuit_breaker=False, wait_timeout=3)
    result = run_module(fast_emulator, MODULE, args)

    assert result["failed"] is True
    [worker] = result["services"]
    assert worker["status"] == "rolled_back", worker
    assert "timed out" in worker["reason"]
    assert "timed out" in result["msg"]
    assert worker["events"], worker
    [service] = fleet.describe(["worker"])
    assert fleet.state(service) == ("COMPLETED", f"{fleet.family}:1")


def test_five_services_roll_in_one_task_with_progress_lines(fast_emulator, fleet):
    names = [f"svc{index}" for index in range(5)]
    fleet.create(names)
    result, stderr = run_with_progress(fast_emulator, dict(FAST, services=[fleet.entry(n, 2) for n in names]))

    assert result.get("failed") is not True, result
    assert [s["status"] for s in result["services"]] == ["deployed"] * 5
    for service in fleet.describe(names):
        assert fleet.state(service) == ("COMPLETED", f"{fleet.family}:2"), service["serviceName"]
        assert service["runningCount"] == 2
    for name in names:
        assert re.search(rf"ecs_rollout {name}: IN_PROGRESS \d/2 running \(\d+s\)", stderr), stderr
        assert f"ecs_rollout {name}: deployed in" in stderr, stderr
