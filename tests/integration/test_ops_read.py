"""make status and make logs (playbooks/ops/status.yml, logs.yml) against private emulators.

dev is converged once into an emulator of this module's own (one-second rollouts); staging gets the
aws-for-fluent-bit stand-in (helm, the platform's values) and the backend release 1.0.0 with
playbooks/deploy.yml, as test_promote does, on a Kubernetes stand-in of this module's own that ships its
pods' logs to dev's emulator (--aws-endpoint), as the demo's do. Every read is checked to make no
mutating AWS request.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from emulator.kube.launcher import KubeEmulator
from tests.conftest import REGION, REPO_ROOT, _free_port, ansible_env
from tests.integration.conftest import (
    KubeClusters,
    clients,
    converged_dev,
    mutating_requests,
    run_playbook,
    zero_request_counters,
)

sys.path.insert(0, str(REPO_ROOT / "tools"))
import follow_logs

CLUSTER = "teamf-dev"
SERVICES = ("api-server", "auth-server", "redis")
# What inventories/shared/group_vars/eks_environments.yml passes aws-for-fluent-bit on staging.
FLUENT_BIT_VALUES = {
    "cloudWatchLogs": {
        "enabled": True,
        "region": REGION,
        "logGroupName": "/teamf/staging/containers",
        "autoCreateGroup": True,
        "logRetentionDays": 30,
    },
    "serviceAccount": {"create": True, "name": "aws-for-fluent-bit"},
}
USERS_API_STREAMS = "fluentbit-kube.var.log.containers.api-users-api-"


@pytest.fixture(scope="module")
def dev(emulator_factory):
    return converged_dev(emulator_factory, "ops-read")


@pytest.fixture(scope="module")
def aws(dev):
    return clients(dev)


def make(emu, target: str, *args: str, env=None) -> subprocess.CompletedProcess:
    env = dict(env or ansible_env(emu), ANSIBLE_NOCOLOR="1")
    return subprocess.run(
        ["make", "--no-print-directory", target, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def read_only(emu, target, *args, env=None):
    """Run a make target; assert it made no mutating AWS request."""
    zero_request_counters(emu.url)
    proc = make(emu, target, *args, env=env)
    assert mutating_requests(emu.url) == {}, proc.stdout[-2000:]
    return proc


def printed(proc) -> str:
    return proc.stdout + proc.stderr


def said(proc, host: str) -> str:
    """What the run's debug tasks said for ``host``: the platform callback prints them as ``<host>  <line>``."""
    return "\n".join(line for line in proc.stdout.splitlines() if line.startswith(f"{host}  "))


def test_status_dev_shows_each_service(dev, aws):
    proc = read_only(dev, "status", "ENV=dev", "INVENTORY=inventories/local")
    assert proc.returncode == 0, printed(proc)[-3000:]
    out = proc.stdout
    ecs = aws("ecs")
    services = ecs.describe_services(cluster=CLUSTER, services=list(SERVICES))["services"]
    assert "dev: ECS cluster teamf-dev" in out
    for svc in services:
        revision = svc["taskDefinition"].rsplit("/", 1)[-1]
        assert f"{svc['serviceName']:<12} {revision:<28} running 1/1  deployment COMPLETED, " in out, out
        image = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"][
            "containerDefinitions"
        ][0]["image"]
        assert f"image    {image}" in out
    # The ALB target health of the two services behind the ALB (redis has none), from DescribeTargetHealth.
    assert "targets  teamf-dev-api-server: 1 healthy" in out
    assert "targets  teamf-dev-auth-server: 1 healthy" in out
    assert "has reached a steady state." in out
    assert "(service api-server)" not in out  # the events are shown under their service, without the prefix


def test_status_of_one_service(dev):
    proc = read_only(dev, "status", "ENV=dev", "INVENTORY=inventories/local", "SERVICE=redis")
    assert proc.returncode == 0, printed(proc)[-3000:]
    assert "redis        teamf-dev-redis:" in proc.stdout
    assert "redis        teamf-dev-redis:" in said(proc, "dev")
    assert "api-server" not in said(proc, "dev")


@pytest.mark.parametrize(
    ("target", "args", "message"),
    [
        pytest.param(
            "status",
            ["ENV=qa", "INVENTORY=inventories/local"],
            "ENV=qa names no environment of inventory inventories/local (its environments: dev, prod, staging)",
            id="status-unknown-env",
        ),
        pytest.param(
            "status",
            ["ENV=dev", "INVENTORY=inventories/local", "SERVICE=web"],
            "SERVICE=web is not a service of dev (ecs_dev_services: auth-server, api-server, redis)",
            id="status-unknown-service",
        ),
        pytest.param(
            "logs",
            ["ENV=dev", "INVENTORY=inventories/local", "SERVICE=web"],
            "SERVICE=web is not a service of dev (ecs_dev_services: auth-server, api-server, redis)",
            id="logs-unknown-service",
        ),
        pytest.param(
            "logs",
            ["ENV=dev", "INVENTORY=inventories/local"],
            "SERVICE= is required (ecs_dev_services: auth-server, api-server, redis)",
            id="logs-no-service",
        ),
        pytest.param(
            "logs",
            ["ENV=qa"],
            "make logs: inventory inventories/qa does not exist (ENV=qa)",
            id="logs-no-inventory",
        ),
    ],
)
def test_bad_requests_fail_naming_the_fix(dev, target, args, message):
    proc = read_only(dev, target, *args)
    assert proc.returncode != 0
    assert message in " ".join(printed(proc).split()), printed(proc)[-3000:]


def test_logs_dev_shows_the_task_containers_events(dev, aws):
    proc = read_only(dev, "logs", "ENV=dev", "INVENTORY=inventories/local", "SERVICE=api-server", "SINCE=2h")
    assert proc.returncode == 0, printed(proc)[-3000:]
    ecs = aws("ecs")
    task_arns = ecs.list_tasks(cluster=CLUSTER, serviceName="api-server")["taskArns"]
    tasks = ecs.describe_tasks(cluster=CLUSTER, tasks=task_arns)["tasks"]
    assert len(tasks) == 1
    task_id = tasks[0]["taskArn"].rsplit("/", 1)[-1]
    image = ecs.describe_task_definition(taskDefinition=tasks[0]["taskDefinitionArn"])["taskDefinition"][
        "containerDefinitions"
    ][0]["image"]
    out = " ".join(proc.stdout.split())
    assert f"api-server/{task_id[:8]} container api-server started" in out, proc.stdout[-3000:]
    assert f"api-server/{task_id[:8]} image {image}, task {task_id}" in out
    assert "auth-server" not in said(proc, "dev")


def test_logs_without_events_says_so(dev, aws):
    logs = aws("logs")
    group = "/ecs/teamf-dev/redis"
    for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
        logs.delete_log_stream(logGroupName=group, logStreamName=stream["logStreamName"])
    proc = read_only(dev, "logs", "ENV=dev", "INVENTORY=inventories/local", "SERVICE=redis")
    assert proc.returncode == 0, printed(proc)[-3000:]
    assert (
        "no log events of redis on dev in the last 10m (/ecs/teamf-dev/redis, streams redis/redis/*): try SINCE=1h"
        in " ".join(proc.stdout.split())
    )


def test_follow_hands_over_the_sources_and_reads_only_new_events(dev, aws, tmp_path):
    handoff = tmp_path / "follow.json"
    run = run_playbook(
        dev, "playbooks/ops/logs.yml", "inventories/local", "-e", "ops_env=dev", "-e", f"ops_logs_handoff={handoff}",
        env=dict(ansible_env(dev), OPS_SERVICE="auth-server", OPS_SINCE="2h"),
    )  # fmt: skip
    assert run.rc == 0, run.output[-3000:]
    written = json.loads(handoff.read_text())
    assert written["sources"] == [{"group": "/ecs/teamf-dev/auth-server", "prefix": "auth-server/auth-server/"}]
    assert written["endpoint_url"] == dev.url
    assert not {"access_key", "secret_key", "aws_access_key"} & set(written)
    assert oct(handoff.stat().st_mode & 0o777) == "0o600"

    logs = aws("logs")
    follower = follow_logs.Follower(logs, written["sources"], written["start_time"])
    assert follower.poll() == []  # everything up to the playbook's read was printed by it
    stream = "auth-server/auth-server/0123456789abcdef0123456789abcdef"
    logs.create_log_stream(logGroupName="/ecs/teamf-dev/auth-server", logStreamName=stream)
    now = written["start_time"] + 1000
    logs.put_log_events(
        logGroupName="/ecs/teamf-dev/auth-server",
        logStreamName=stream,
        logEvents=[{"timestamp": now, "message": "GET /auth 200"}, {"timestamp": now + 1, "message": "GET /auth 401"}],
    )
    new = [follow_logs.line(e) for e in follower.poll()]
    assert [line.split("  ", 1)[1] for line in new] == [
        "auth-server/01234567  GET /auth 200",
        "auth-server/01234567  GET /auth 401",
    ]
    assert follower.poll() == []  # each event once


@pytest.fixture(scope="module")
def kube_clusters(dev, tmp_path_factory):
    """This module's staging and prod stand-ins, playing aws-for-fluent-bit towards dev's emulator."""
    home = tmp_path_factory.mktemp("ops-read-clusters")
    clusters = {
        env: KubeEmulator(port=_free_port(), state_dir=home / env, ready_delay=0.2, aws_endpoint=dev.url)
        for env in ("staging", "prod")
    }
    with pytest.MonkeyPatch.context() as patch:
        for env, cluster in clusters.items():
            cluster.start()
            patch.setenv(f"TEAMF_TEST_KUBE_ENDPOINT_{env.upper()}", cluster.url)
        patch.setenv("TEAMF_SECRETS_DIR", str(home / "secrets"))
        yield KubeClusters(clusters, home)
    for cluster in clusters.values():
        cluster.stop()


@pytest.fixture(scope="module")
def staging(dev, aws, kube_clusters, tmp_path_factory):
    """aws-for-fluent-bit and the backend release 1.0.0 (deploy.yml) on staging's stand-in; its pods' logs shipped.

    AWS answers the account guard and the lock. Returns the environment for make.
    """
    home = tmp_path_factory.mktemp("ops-read-helm")
    values = home / "aws-for-fluent-bit.json"
    values.write_text(json.dumps(FLUENT_BIT_VALUES))
    chart = str(REPO_ROOT / "charts" / "standins" / "aws-for-fluent-bit")
    kube_clusters.helm(
        "staging", "install", "aws-for-fluent-bit", chart, "-n", "amazon-cloudwatch", "--create-namespace",
        "-f", str(values), "--wait",
    )  # fmt: skip
    env = dict(
        ansible_env(dev),
        HELM_CACHE_HOME=str(home / "cache"),
        HELM_CONFIG_HOME=str(home / "config"),
        HELM_DATA_HOME=str(home / "data"),
        KUBECONFIG=str(home / "none"),
    )
    run = run_playbook(
        dev, "playbooks/deploy.yml", "inventories/local", "--limit", "staging", "-e", "release=1.0.0", env=env
    )
    assert run.rc == 0, run.output[-3000:]
    # The stand-in ships on a worker thread: let its writes land before the reads count mutating requests.
    deadline = time.monotonic() + 60
    while not shipped_streams(aws) and time.monotonic() < deadline:
        time.sleep(0.5)
    return env


def shipped_streams(aws) -> list[str]:
    logs = aws("logs")
    if not logs.describe_log_groups(logGroupNamePrefix="/teamf/staging/containers")["logGroups"]:
        return []
    found = logs.describe_log_streams(logGroupName="/teamf/staging/containers", logStreamNamePrefix=USERS_API_STREAMS)
    return [s["logStreamName"] for s in found["logStreams"]]


def test_status_staging_shows_the_release_and_its_workloads(dev, staging, kube_clusters):
    proc = read_only(dev, "status", "ENV=staging", "INVENTORY=inventories/local", env=staging)
    assert proc.returncode == 0, printed(proc)[-3000:]
    out = " ".join(proc.stdout.split())
    release = kube_clusters.releases("staging")["api"]
    assert "staging: EKS cluster teamf-staging, backend release 1.0.0" in out, proc.stdout[-3000:]
    assert f"Helm teamf/api revision {release['revision']} deployed, " in out
    deployments = json.loads(kube_clusters.kubectl("staging", "get", "deployments", "-n", "teamf", "-o", "json"))[
        "items"
    ]
    assert deployments
    for d in deployments:
        component = d["metadata"]["labels"]["app.kubernetes.io/component"]
        ready = d.get("status", {}).get("readyReplicas", 0)
        assert (
            f"{component} Deployment {d['metadata']['name']} ready {ready}/{d['spec']['replicas']} release 1.0.0" in out
        )
        for container in d["spec"]["template"]["spec"]["containers"]:
            assert f"image {container['image']}" in out
        for condition in d.get("status", {}).get("conditions", []):
            assert f"{condition['type']}={condition['status']}" in out


def test_logs_staging_prints_what_fluent_bit_shipped(dev, aws, staging, kube_clusters):
    proc = read_only(dev, "logs", "ENV=staging", "INVENTORY=inventories/local", "SERVICE=users-api", env=staging)
    assert proc.returncode == 0, printed(proc)[-3000:]
    deployment = json.loads(
        kube_clusters.kubectl("staging", "get", "deployment", "api-users-api", "-n", "teamf", "-o", "json")
    )
    containers = deployment["spec"]["template"]["spec"]["containers"]
    replica_sets = json.loads(kube_clusters.kubectl("staging", "get", "replicasets", "-n", "teamf", "-o", "json"))
    replica_set = next(
        rs["metadata"]["name"]
        for rs in replica_sets["items"]
        if rs["metadata"]["name"].startswith("api-users-api-") and rs["spec"]["replicas"]
    )
    streams = shipped_streams(aws)
    pods = {s.split(".containers.")[1].split("_")[0] for s in streams}
    assert len(pods) == deployment["spec"]["replicas"], streams
    assert all(p.startswith(f"{replica_set}-") for p in pods), streams
    assert len(streams) == len(pods) * len(containers), streams
    # make logs prints "<env>  <time>  <pod>  <message>"; each message is a kubernetes-filter record.
    printed_lines = [
        line.split("  ", 3) for line in proc.stdout.splitlines() if line.startswith("staging  ") and "  {" in line
    ]
    shown = {
        (source, record["kubernetes"]["pod_name"], record["kubernetes"]["container_name"], record["log"])
        for _, _, source, message in printed_lines
        for record in [json.loads(message)]
    }
    expected = {
        (pod, pod, c["name"], line)
        for pod in pods
        for c in containers
        for line in (f"container {c['name']} started\n", f"image {c['image']}, pod {pod}\n")
    }
    assert shown == expected, proc.stdout[-3000:]
    assert len(printed_lines) == len(expected)
    bad = read_only(dev, "logs", "ENV=staging", "INVENTORY=inventories/local", "SERVICE=api-server", env=staging)
    assert bad.returncode != 0
    assert "SERVICE=api-server is not a component of the backend (platform_components: auth-api, users-api, redis)" in (
        " ".join(printed(bad).split())
    )
