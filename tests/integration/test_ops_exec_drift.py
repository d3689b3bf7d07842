"""make exec and make drift on dev, against a private emulator: dev converged once by site.yml.

exec: the ECS ExecuteCommand request the playbook makes (counted by the emulator), the session handed
to a stand-in for the Session Manager plugin (no container runs here), the command printed without the
plugin, and the refusals. drift: 0 on the converged estate, 2 after a change behind its back (named in
the output), 1 when the check cannot run. Every test puts back what it changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from emulator.faults import call_endpoint
from tests.conftest import REGION, REPO_ROOT, ansible_env
from tests.integration.conftest import clients, converged_dev, zero_request_counters

CLUSTER = "teamf-dev"


@pytest.fixture(scope="module")
def dev(emulator_factory):
    return converged_dev(emulator_factory, "ops-exec-drift")


@pytest.fixture(scope="module")
def aws(dev):
    return clients(dev)


def make(dev, target, *args, env=None):
    env = dict(env if env is not None else ansible_env(dev), ANSIBLE_FORCE_COLOR="0")
    proc = subprocess.run(
        ["make", "--no-print-directory", target, "INVENTORY=inventories/local", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def drift(emulator, inventory="inventories/local"):
    """tools/drift.py, which make drift runs: its exit code is the drift verdict (make's own is 0 or 2)."""
    proc = subprocess.run(
        [sys.executable, "tools/drift.py", "--env", "dev", "--inventory", str(inventory)],
        cwd=REPO_ROOT,
        env=ansible_env(emulator),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def execute_command_requests(dev) -> int:
    return call_endpoint(dev.url)["requests"]["by_service"].get("ecs", {}).get("ExecuteCommand", 0)


def running_tasks(ecs, service):
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=service, desiredStatus="RUNNING")["taskArns"]
    return (
        [t for t in ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if t["lastStatus"] == "RUNNING"]
        if arns
        else []
    )


@pytest.fixture
def plugin(tmp_path):
    """A stand-in for session-manager-plugin on PATH: records the arguments it is called with."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "plugin-args.json"
    script = bin_dir / "session-manager-plugin"
    script.write_text(
        f'#!/bin/sh\nexec python3 -c \'import json, sys; json.dump(sys.argv[1:], open("{record}", "w"))\' "$@"\n'
    )
    script.chmod(0o755)
    return bin_dir, record


def test_dev_services_run_with_execute_command_and_a_task_role(aws):
    ecs, iam = aws("ecs"), aws("iam")
    services = ecs.describe_services(cluster=CLUSTER, services=["auth-server", "api-server", "redis"])["services"]
    assert {s["serviceName"]: s["enableExecuteCommand"] for s in services} == dict.fromkeys(
        ["auth-server", "api-server", "redis"], True
    )
    role = iam.get_role(RoleName="teamf-dev-ecs-task")["Role"]
    for service in services:
        task_definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert task_definition["taskRoleArn"] == role["Arn"]
        [task] = running_tasks(ecs, service["serviceName"])
        assert task["enableExecuteCommand"] is True
    document = iam.get_role_policy(RoleName="teamf-dev-ecs-task", PolicyName="ecs-exec")["PolicyDocument"]
    assert sorted(document["Statement"][0]["Action"]) == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]
    attached = iam.list_attached_role_policies(RoleName="teamf-dev-ecs-task")["AttachedPolicies"]
    assert attached == []
    instance = iam.list_attached_role_policies(RoleName="teamf-dev-ecs-instance")["AttachedPolicies"]
    assert "AmazonSSMManagedInstanceCore" in {p["PolicyName"] for p in instance}


def test_exec_hands_the_session_to_the_plugin(dev, aws, plugin):
    bin_dir, record = plugin
    zero_request_counters(dev.url)
    env = ansible_env(dev)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    rc, output = make(dev, "exec", "ENV=dev", "SERVICE=api-server", "CMD=/bin/sh -l", env=env)
    assert rc == 0, output[-3000:]
    assert execute_command_requests(dev) == 1
    session_json, region, operation, profile, target, endpoint = json.loads(record.read_text())
    session = json.loads(session_json)
    [task] = running_tasks(aws("ecs"), "api-server")
    [container] = task["containers"]
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    assert (region, operation, profile, endpoint) == (REGION, "StartSession", "", dev.url)
    assert json.loads(target) == {"Target": f"ecs:{CLUSTER}_{task_id}_{container['runtimeId']}"}
    assert session["streamUrl"].endswith(f"/v1/data-channel/{session['sessionId']}?role=publish_subscribe")
    assert f"session {session['sessionId']}" in output
    assert session["tokenValue"] not in output  # a secret


def test_exec_without_the_plugin_prints_the_command_and_opens_no_session(dev, aws):
    zero_request_counters(dev.url)
    rc, output = make(dev, "exec", "ENV=dev", "SERVICE=auth-server")
    assert rc == 0, output[-3000:]
    [task] = running_tasks(aws("ecs"), "auth-server")
    assert (
        f"--cluster {CLUSTER} --task {task['taskArn']} --container auth-server --interactive --command /bin/sh"
        in " ".join(output.split())
    )
    assert "aws ssm start-session --target <instance-id>" in " ".join(output.split())
    assert execute_command_requests(dev) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["ENV=dev", "SERVICE=worker"],
            "SERVICE=worker is not a service of dev (its services: auth-server, api-server, redis)",
        ),
        (["ENV=qa", "SERVICE=api-server"], "ENV=qa names no environment of inventory"),
        (["ENV=dev"], "SERVICE= is required"),
    ],
    ids=["unknown-service", "unknown-env", "no-service"],
)
def test_exec_refuses_bad_input(dev, args, message):
    zero_request_counters(dev.url)
    rc, output = make(dev, "exec", *args)
    assert rc != 0
    assert message in " ".join(output.split())
    assert execute_command_requests(dev) == 0


def test_exec_refuses_a_service_without_execute_command(dev, aws, plugin):
    ecs = aws("ecs")
    env = ansible_env(dev)
    env["PATH"] = f"{plugin[0]}{os.pathsep}{env['PATH']}"
    ecs.update_service(cluster=CLUSTER, service="redis", enableExecuteCommand=False)
    try:
        zero_request_counters(dev.url)
        rc, output = make(dev, "exec", "ENV=dev", "SERVICE=redis", env=env)
    finally:
        ecs.update_service(cluster=CLUSTER, service="redis", enableExecuteCommand=True)
    assert rc != 0
    assert "execute command is not enabled on service redis" in " ".join(output.split())
    assert execute_command_requests(dev) == 0
    assert not plugin[1].exists()


def test_exec_refuses_a_service_with_no_running_task(dev, aws, plugin):
    ecs = aws("ecs")
    env = ansible_env(dev)
    env["PATH"] = f"{plugin[0]}{os.pathsep}{env['PATH']}"
    ecs.update_service(cluster=CLUSTER, service="redis", desiredCount=0)
    try:
        deadline = time.monotonic() + 30
        while running_tasks(ecs, "redis"):
            assert time.monotonic() < deadline, "redis kept a running task"
            time.sleep(0.5)
        zero_request_counters(dev.url)
        rc, output = make(dev, "exec", "ENV=dev", "SERVICE=redis", env=env)
    finally:
        ecs.update_service(cluster=CLUSTER, service="redis", desiredCount=1)
    assert rc != 0
    assert "service redis has no RUNNING task" in " ".join(output.split())
    assert execute_command_requests(dev) == 0


def test_drift_is_none_on_the_converged_estate(dev):
    rc, output = drift(dev)
    assert rc == 0, output[-3000:]
    assert "drift: none, dev is as its inventory defines it" in output


def test_drift_after_a_change_behind_its_back(dev, aws):
    autoscaling = aws("autoscaling")
    [group] = [
        g
        for g in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
        if g["AutoScalingGroupName"].startswith(f"{CLUSTER}-")
    ]
    name = group["AutoScalingGroupName"]
    autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MaxSize=group["MaxSize"] + 4)
    try:
        rc, output = drift(dev)
    finally:
        autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MaxSize=group["MaxSize"])
    assert rc == 2, output[-3000:]
    report = output[output.index("drift: dev differs from its inventory") :]
    assert "drift: dev differs from its inventory in 1 place(s):" in report, report
    assert f"~ ecs_dev: Create the Auto Scaling group in the private subnets (name={name})" in report, report


def test_drift_is_an_error_when_the_check_cannot_run(emulator, tmp_path):
    broken = tmp_path / "hosts.yml"
    broken.write_text("all:\n  children: [dev\n")
    rc, output = drift(emulator, broken)
    assert rc == 1, output[-3000:]
    assert "drift: the check ran no task on dev" in output and "drift: none" not in output


def test_make_drift_fails_on_drift_or_error(emulator, tmp_path):
    """GNU make exits 2 for any failed recipe: make drift is 0 or 2, its last line says which it was."""
    broken = tmp_path / "hosts.yml"
    broken.write_text("all:\n  children: [dev\n")
    rc, output = make(emulator, "drift", "ENV=dev", f"INVENTORY={broken}")
    assert rc == 2
    assert "drift: the check ran no task on dev" in output


DEPLOYMENT = """
apiVersion: v1
kind: Namespace
metadata: {name: teamf}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ops-exec-probe
  namespace: teamf
  labels: {app.kubernetes.io/instance: platform-rbac}
spec:
  replicas: 1
  selector: {matchLabels: {app: ops-exec-probe}}
  template:
    metadata: {labels: {app: ops-exec-probe}}
    spec:
      containers: [{name: probe, image: busybox}]
"""


def test_exec_on_eks_checks_the_deployment_and_prints_kubectl_exec(dev, kube_clusters, tmp_path):
    manifest = tmp_path / "probe.yml"
    manifest.write_text(DEPLOYMENT)
    kube_clusters.kubectl("staging", "apply", "-f", str(manifest))
    deadline = time.monotonic() + 30
    while (
        kube_clusters.kubectl(
            "staging", "get", "deploy/ops-exec-probe", "-n", "teamf", "-o", "jsonpath={.status.readyReplicas}"
        )
        != "1"
    ):
        assert time.monotonic() < deadline, "the probe Deployment never became ready"
        time.sleep(0.3)
    server = kube_clusters.by_env["staging"].url
    rc, output = make(dev, "exec", "ENV=staging", "SERVICE=ops-exec-probe", "CMD=/bin/sh")
    assert rc == 0, output[-3000:]
    assert f"kubectl --server {server} exec -it --namespace teamf deploy/ops-exec-probe -- /bin/sh" in " ".join(
        output.split()
    )

    rc, output = make(dev, "exec", "ENV=staging", "SERVICE=worker")
    assert rc != 0
    assert "SERVICE=worker is not a Deployment of staging (its Deployments: " in " ".join(output.split())
    assert "ops-exec-probe" in output
