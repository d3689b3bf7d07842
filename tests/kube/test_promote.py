"""Backend releases: deploy to staging, promote staging → prod, and every refusal.

Runs playbooks/deploy.yml and playbooks/promote.yml with the local inventory against two private
Kubernetes stand-ins (staging's and prod's clusters) and the real helm. The order of the tests is
the story of two releases, so they share one pair of clusters.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from emulator.kube.launcher import KubeEmulator
from tests.conftest import REGION, REPO_ROOT
from tests.integration.conftest import run_playbook
from tests.kube.conftest import _free_port

BIN = Path(sys.executable).parent
NAMESPACE = "teamf"


class Cluster:
    def __init__(self, name: str, emu: KubeEmulator, env: dict[str, str]):
        self.name, self.emu, self.env = name, emu, env

    def _run(self, tool: str, server_flag: str, *args: str) -> str:
        command = [str(BIN / tool), server_flag, self.emu.url, *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60, check=True).stdout

    def helm(self, *args: str) -> str:
        return self._run("helm", "--kube-apiserver", *args)

    def kubectl(self, *args: str) -> str:
        return self._run("kubectl", "--server", *args)

    def api(self) -> dict:
        """The backend release as helm reports it ({} when not installed)."""
        releases = json.loads(self.helm("list", "-n", NAMESPACE, "-o", "json"))
        return next((r for r in releases if r["name"] == "api"), {})

    def values(self) -> dict:
        return json.loads(self.helm("get", "values", "api", "-n", NAMESPACE, "-o", "json"))

    def workload_releases(self) -> set[str]:
        """The teamf.io/release label of every backend Deployment."""
        deployments = json.loads(self.kubectl("get", "deployments", "-n", NAMESPACE, "-o", "json"))["items"]
        return {d["metadata"]["labels"].get("teamf.io/release") for d in deployments}


@pytest.fixture(scope="module")
def clusters(tmp_path_factory, kube_tools, emulator):
    home = tmp_path_factory.mktemp("promote-home")
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        ANSIBLE_FORCE_COLOR="0",
        HELM_CACHE_HOME=str(home / "helm-cache"),
        HELM_CONFIG_HOME=str(home / "helm-config"),
        HELM_DATA_HOME=str(home / "helm-data"),
        KUBECONFIG=str(home / "none"),
        TEAMF_SECRETS_DIR=str(home / "secrets"),
        # The local inventory reaches the clusters directly; AWS answers the account guard and the
        # environment lock (DynamoDB) only.
        TEAMF_TEST_ENDPOINT=emulator.url,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    started = {}
    for name in ("staging", "prod"):
        emu = KubeEmulator(port=_free_port(), state_dir=tmp_path_factory.mktemp(f"kube-{name}"), ready_delay=0.2)
        emu.start()
        started[name] = Cluster(name, emu, env)
        env[f"TEAMF_TEST_KUBE_ENDPOINT_{name.upper()}"] = emu.url
    yield started
    for cluster in started.values():
        cluster.emu.stop()


def play(clusters, playbook: str, *args: str):
    result = run_playbook(None, playbook, "inventories/local", *args, env=next(iter(clusters.values())).env)
    return result.rc, result.stats, result.output


def test_deploy_puts_a_release_on_staging_only(clusters):
    rc, stats, out = play(clusters, "playbooks/deploy.yml", "--limit", "staging", "-e", "release=1.0.0")
    assert rc == 0, out
    assert stats["staging"]["changed"] > 0
    assert clusters["staging"].api()["status"] == "deployed"
    assert clusters["staging"].values()["release"] == "1.0.0"
    assert clusters["staging"].workload_releases() == {"1.0.0"}
    assert clusters["prod"].api() == {}


def test_prod_refuses_a_direct_deploy(clusters):
    rc, _, out = play(clusters, "playbooks/deploy.yml", "--limit", "prod", "-e", "release=1.0.0")
    assert rc != 0
    assert "prod takes releases only by promotion" in out
    assert clusters["prod"].api() == {}


def test_promote_deploys_exactly_what_staging_runs(clusters):
    rc, stats, out = play(clusters, "playbooks/promote.yml", "-e", "release=1.0.0")
    assert rc == 0, out
    assert stats["prod"]["changed"] > 0
    assert stats["staging"]["changed"] == 0
    prod, staging = clusters["prod"].values(), clusters["staging"].values()
    for component in ("authApi", "usersApi", "redis"):
        assert prod[component]["image"] == staging[component]["image"]
    assert prod["release"] == "1.0.0"
    assert clusters["prod"].workload_releases() == {"1.0.0"}


def test_promote_rerun_changes_nothing(clusters):
    revision = clusters["prod"].api()["revision"]
    rc, stats, out = play(clusters, "playbooks/promote.yml", "-e", "release=1.0.0")
    assert rc == 0, out
    assert {host: s["changed"] for host, s in stats.items()} == {"staging": 0, "prod": 0}
    assert clusters["prod"].api()["revision"] == revision


def test_promote_refuses_a_release_staging_does_not_run(clusters):
    rc, _, out = play(clusters, "playbooks/promote.yml", "-e", "release=1.1.0")
    assert rc != 0
    assert "staging runs release 1.0.0, not 1.1.0" in out
    assert clusters["prod"].values()["release"] == "1.0.0"


def test_promote_refuses_an_unreleased_artifact(clusters):
    rc, _, out = play(clusters, "playbooks/promote.yml", "-e", "release=9.9.9")
    assert rc != 0
    assert "release '9.9.9' has no manifest" in out
    assert "Known releases: 1.0.0, 1.1.0" in out
    assert clusters["prod"].values()["release"] == "1.0.0"


def test_promote_refuses_while_staging_is_not_ready(clusters):
    """A Deployment of the release whose scale-up has not completed blocks the promotion.

    The stand-in's controller leaves paused Deployments alone, so pausing one and raising its replicas
    leaves it short of ready replicas, as a rollout stuck on a real cluster would.
    """
    staging = clusters["staging"]
    name = "api-users-api"

    def patch(spec: dict) -> None:
        body = json.dumps({"spec": spec})
        staging.kubectl("-n", NAMESPACE, "patch", "deployment", name, "--type", "merge", "-p", body)

    replicas = json.loads(staging.kubectl("get", "deployment", name, "-n", NAMESPACE, "-o", "json"))["spec"]["replicas"]
    patch({"paused": True, "replicas": replicas + 3})
    try:
        rc, _, out = play(clusters, "playbooks/promote.yml", "-e", "release=1.0.0")
    finally:
        patch({"paused": False, "replicas": replicas})
    assert rc != 0
    assert f"staging runs release 1.0.0 but its workloads are not ready: {name}" in out
    assert clusters["prod"].values()["release"] == "1.0.0"


def test_a_new_release_moves_staging_then_prod(clusters):
    rc, _, out = play(clusters, "playbooks/deploy.yml", "--limit", "staging", "-e", "release=1.1.0")
    assert rc == 0, out
    rc, stats, out = play(clusters, "playbooks/promote.yml", "-e", "release=1.1.0")
    assert rc == 0, out
    assert stats["prod"]["changed"] > 0
    prod = clusters["prod"].values()
    assert prod["release"] == "1.1.0"
    assert prod["usersApi"]["image"]["digest"].startswith("sha256:")
    assert prod["authApi"]["env"]["SESSION_TTL_SECONDS"] == "3600"
    assert clusters["prod"].workload_releases() == {"1.1.0"}


# ---- the deploy history and rollbacks (make history, make rollback), after the story above ----------


def aws(clusters, service: str):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return session.client(service, endpoint_url=next(iter(clusters.values())).env["TEAMF_TEST_ENDPOINT"])


def history(clusters, environment: str) -> list[dict]:
    """The environment's events as DynamoDB holds them, newest first (boto3, not our module)."""
    client = aws(clusters, "dynamodb")
    items = client.query(
        TableName="teamf-platform-history",
        KeyConditionExpression="environment = :e",
        ExpressionAttributeValues={":e": {"S": environment}},
        ScanIndexForward=False,
    )["Items"]
    return [
        {
            "kind": i["kind"]["S"],
            "result": i["result"]["S"],
            "who": i["who"]["S"],
            "from": i["from"]["M"].get("api", {}).get("M", {}).get("version", {}).get("S", ""),
            "to": i["to"]["M"].get("api", {}).get("M", {}).get("version", {}).get("S", ""),
        }
        for i in items
    ]


def test_deploys_and_promotions_are_in_the_history(clusters):
    staging, prod = history(clusters, "staging"), history(clusters, "prod")
    assert [(e["kind"], e["from"], e["to"], e["result"]) for e in staging] == [
        ("deploy", "1.0.0", "1.1.0", "succeeded"),
        ("deploy", "", "1.0.0", "succeeded"),
    ]
    # The rerun of the promotion changed nothing and recorded nothing.
    assert [(e["kind"], e["from"], e["to"]) for e in prod] == [("promote", "1.0.0", "1.1.0"), ("promote", "", "1.0.0")]
    assert {e["who"] for e in staging + prod} == {aws(clusters, "sts").get_caller_identity()["Arn"]}


def test_rollback_puts_staging_back_on_the_previous_release(clusters):
    revision = int(clusters["staging"].api()["revision"])  # helm list prints it as a string
    rc, stats, out = play(clusters, "playbooks/ops/rollback.yml", "-e", "env=staging")
    assert rc == 0, out
    assert stats["staging"]["changed"] > 0
    assert clusters["staging"].values()["release"] == "1.0.0"
    assert clusters["staging"].workload_releases() == {"1.0.0"}
    assert int(clusters["staging"].api()["revision"]) == revision + 1
    assert history(clusters, "staging")[0] | {"who": ""} == {
        "kind": "rollback", "result": "succeeded", "who": "", "from": "1.1.0", "to": "1.0.0",
    }  # fmt: skip
    rc, stats, out = play(clusters, "playbooks/ops/rollback.yml", "-e", "env=staging")
    assert rc == 0, out
    assert stats["staging"]["changed"] == 0
    assert len(history(clusters, "staging")) == 3


def test_prod_rolls_back_to_a_release_directly(clusters):
    rc, _, out = play(clusters, "playbooks/ops/rollback.yml", "-e", "env=prod", "-e", "to=9.9.9")
    assert rc != 0
    assert "release '9.9.9' has no manifest" in out
    assert clusters["prod"].values()["release"] == "1.1.0"
    rc, stats, out = play(clusters, "playbooks/ops/rollback.yml", "-e", "env=prod", "-e", "to=1.0.0")
    assert rc == 0, out
    assert stats["prod"]["changed"] > 0
    assert clusters["prod"].values()["release"] == "1.0.0"
    assert clusters["prod"].workload_releases() == {"1.0.0"}
    newest = history(clusters, "prod")[0]
    assert (newest["kind"], newest["from"], newest["to"]) == ("rollback", "1.1.0", "1.0.0")
