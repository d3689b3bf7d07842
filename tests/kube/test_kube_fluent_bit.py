"""The stand-in playing aws-for-fluent-bit (--aws-endpoint): pods' container logs in CloudWatch Logs.

The aws-for-fluent-bit stand-in chart is installed with the values the platform passes
(inventories/shared/group_vars/eks_environments.yml); a Deployment's pods then ship their started lines
to the private AWS emulator, under the streams fluent-bit's cloudwatch_logs output names.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid

import boto3
import pytest
import yaml

from emulator.kube.launcher import KubeEmulator
from tests.conftest import REGION, REPO_ROOT
from tests.kube.conftest import Cli, _free_port

CHART = REPO_ROOT / "charts" / "standins" / "aws-for-fluent-bit"
IMAGE = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/users-api:1.0.0"
PREFIX = "fluentbit-kube.var.log.containers."


def deployment(replicas: int) -> dict:
    labels = {"app.kubernetes.io/name": "users-api"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "users-api", "namespace": "teamf"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": IMAGE}, {"name": "proxy", "image": "envoy:v1.31"}]},
            },
        },
    }


def install(cli: Cli, tmp_path, group: str) -> None:
    """The fluent-bit stand-in with the platform's values, then a 2-replica Deployment, both ready."""
    values = tmp_path / "fluent-bit.yml"
    values.write_text(
        yaml.safe_dump(
            {
                "cloudWatchLogs": {
                    "enabled": True,
                    "region": REGION,
                    "logGroupName": group,
                    "autoCreateGroup": True,
                    "logRetentionDays": 30,
                },
                "serviceAccount": {"create": True, "name": "aws-for-fluent-bit"},
            }
        )
    )
    cli.helm(
        "install", "aws-for-fluent-bit", str(CHART), "-n", "amazon-cloudwatch", "--create-namespace", "-f", str(values)
    )
    cli.kubectl("create", "namespace", "teamf")
    manifest = tmp_path / "deployment.json"
    manifest.write_text(json.dumps(deployment(2)))
    cli.kubectl("apply", "-f", str(manifest))
    cli.kubectl("rollout", "status", "deployment/users-api", "-n", "teamf", "--timeout", "60s")


def logs_client(emulator):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return session.client("logs", endpoint_url=emulator.url)


def streams_of(logs, group: str, prefix: str, count: int) -> list[str]:
    """The group's stream names under ``prefix`` once there are ``count`` (the writes run on a worker thread)."""
    names: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        if found:
            described = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=prefix)["logStreams"]
            names = sorted(s["logStreamName"] for s in described)
            if len(names) >= count:
                return names
        time.sleep(0.2)
    return names


@pytest.fixture
def shipping_cli(emulator, kube_tools, tmp_path):
    """A private stand-in started with --aws-endpoint at the session's AWS emulator."""
    kube = KubeEmulator(port=_free_port(), state_dir=tmp_path / "kube", ready_delay=0.2, aws_endpoint=emulator.url)
    kube.start()
    kubeconfig = tmp_path / "kubeconfig"
    kube.write_kubeconfig(kubeconfig)
    env = {
        "KUBECONFIG": str(kubeconfig),
        "KUBECACHEDIR": str(tmp_path / "kube-cache"),
        "HELM_CACHE_HOME": str(tmp_path / "helm-cache"),
        "HELM_CONFIG_HOME": str(tmp_path / "helm-config"),
        "HELM_DATA_HOME": str(tmp_path / "helm-data"),
    }
    yield Cli(dict(os.environ, **env), kube_tools), kube
    kube.stop()


def test_pods_of_a_deployment_ship_their_started_lines(shipping_cli, emulator, tmp_path):
    cli, kube = shipping_cli
    group = f"/teamf/test-{uuid.uuid4().hex[:8]}/containers"
    install(cli, tmp_path, group)
    logs = logs_client(emulator)

    names = streams_of(logs, group, f"{PREFIX}users-api-", 4)

    replica_set = cli.get("replicasets", "-n", "teamf")["items"][0]["metadata"]["name"]
    pattern = re.compile(rf"^{re.escape(PREFIX)}({replica_set}-[a-z0-9]{{5}})_teamf_(app|proxy)-([0-9a-f]{{64}})\.log$")
    matches = [pattern.match(n) for n in names]
    assert all(matches) and len(names) == 4, names
    pods = {m.group(1) for m in matches}
    assert len(pods) == 2, names  # two pods, each with its two containers
    assert len({m.group(3) for m in matches}) == 4  # one container id per container
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 30

    app = next(m for m in matches if m.group(2) == "app")
    events = logs.get_log_events(logGroupName=group, logStreamName=app.group(0), startFromHead=True)["events"]
    records = [json.loads(e["message"]) for e in events]
    pod = app.group(1)
    assert [r["log"] for r in records] == ["container app started\n", f"image {IMAGE}, pod {pod}\n"]
    for record in records:
        assert record["stream"] == "stdout"
        assert {k: record["kubernetes"][k] for k in ("pod_name", "namespace_name", "container_name")} == {
            "pod_name": pod,
            "namespace_name": "teamf",
            "container_name": "app",
        }
        assert record["kubernetes"]["container_image"] == IMAGE
        assert record["kubernetes"]["docker_id"] == app.group(3)

    # A third replica is a new pod: its streams come, the first two pods' are not written again.
    manifest = tmp_path / "deployment-3.json"
    manifest.write_text(json.dumps(deployment(3)))
    cli.kubectl("apply", "-f", str(manifest))
    cli.kubectl("rollout", "status", "deployment/users-api", "-n", "teamf", "--timeout", "60s")
    assert len(streams_of(logs, group, f"{PREFIX}users-api-", 6)) == 6
    again = logs.get_log_events(logGroupName=group, logStreamName=app.group(0), startFromHead=True)["events"]
    assert len(again) == 2
    assert "fluent-bit: shipping" not in kube.log_file.read_text()  # no failed write was logged


def test_an_unreachable_endpoint_is_logged_and_the_stand_in_carries_on(kube_tools, tmp_path):
    unreachable = f"http://127.0.0.1:{_free_port()}"
    kube = KubeEmulator(port=_free_port(), state_dir=tmp_path / "kube", ready_delay=0.2, aws_endpoint=unreachable)
    kube.start()
    try:
        kubeconfig = tmp_path / "kubeconfig"
        kube.write_kubeconfig(kubeconfig)
        cli = Cli(
            dict(os.environ, KUBECONFIG=str(kubeconfig), HELM_CACHE_HOME=str(tmp_path / "helm")),
            kube_tools,
        )
        install(cli, tmp_path, "/teamf/unreachable/containers")
        deadline = time.monotonic() + 30
        while "fluent-bit: shipping" not in kube.log_file.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert f"fluent-bit: shipping to /teamf/unreachable/containers in {REGION} at {unreachable} failed" in (
            kube.log_file.read_text()
        )
        assert cli.get("deployment", "users-api", "-n", "teamf")["status"]["readyReplicas"] == 2
        assert kube.pid() is not None
    finally:
        kube.stop()


def test_without_aws_endpoint_nothing_is_shipped(cli, clean_kube, emulator, tmp_path):
    group = f"/teamf/test-{uuid.uuid4().hex[:8]}/containers"
    install(cli, tmp_path, group)
    # The same install ships at once on a stand-in with --aws-endpoint (the test above); here, never.
    assert logs_client(emulator).describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    assert "fluent-bit: " not in clean_kube.log_file.read_text()
