"""The real kubectl 1.32 against the stand-in: server-side and client-side apply, get, scale, delete."""

from __future__ import annotations

import json
import textwrap

import pytest

MANIFEST = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Namespace
    metadata:
      name: api
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: api
      labels: {app: api, tier: backend}
    spec:
      replicas: 2
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: public.ecr.aws/nginx/nginx:1.27.0
              env:
                - {name: A, value: "1"}
                - {name: B, value: "2"}
    """
)
WITHOUT_B = "".join(line for line in MANIFEST.splitlines(keepends=True) if "name: B" not in line)


@pytest.fixture
def manifest(tmp_path):
    def write(text: str):
        path = tmp_path / "app.yaml"
        path.write_text(text)
        return str(path)

    return write


def _env(deploy: dict) -> list[dict]:
    return deploy["spec"]["template"]["spec"]["containers"][0]["env"]


def test_server_side_apply_get_and_delete(cli, manifest):
    first = cli.kubectl("apply", "--server-side", "-f", manifest(MANIFEST))
    assert first.stdout.split("\n")[:2] == [
        "namespace/api serverside-applied",
        "deployment.apps/api serverside-applied",
    ]
    cli.kubectl("rollout", "status", "deployment/api", "-n", "api", "--timeout", "20s")

    deploy = cli.get("deploy", "api", "-n", "api")
    assert deploy["metadata"]["generation"] == 1
    assert deploy["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": "25%"}
    assert deploy["status"]["availableReplicas"] == 2
    resource_version = deploy["metadata"]["resourceVersion"]

    cli.kubectl("apply", "--server-side", "-f", manifest(MANIFEST))
    assert cli.get("deploy", "api", "-n", "api")["metadata"]["resourceVersion"] == resource_version

    # Fields this manager applied before and now leaves out are removed; changed ones are updated.
    cli.kubectl("apply", "--server-side", "-f", manifest(WITHOUT_B.replace("tier: backend", "tier: api")))
    deploy = cli.get("deploy", "api", "-n", "api")
    assert deploy["metadata"]["labels"] == {"app": "api", "tier": "api"}
    assert _env(deploy) == [{"name": "A", "value": "1"}]
    assert deploy["metadata"]["generation"] == 2

    listed = cli.get("deploy", "-n", "api", "-l", "tier in (api,web)")
    assert [d["metadata"]["name"] for d in listed["items"]] == ["api"]
    assert cli.get("deploy", "-n", "api", "-l", "tier=backend")["items"] == []

    cli.kubectl("delete", "-f", manifest(MANIFEST), "--wait", "--timeout", "20s")
    assert "api" not in [n["metadata"]["name"] for n in cli.get("namespaces")["items"]]
    assert cli.kubectl("get", "deploy", "api", "-n", "api", check=False).returncode != 0


def test_client_side_apply_uses_strategic_merge(cli, manifest):
    cli.kubectl("apply", "-f", manifest(MANIFEST))
    cli.kubectl("apply", "-f", manifest(WITHOUT_B))

    deploy = cli.get("deploy", "api", "-n", "api")
    assert _env(deploy) == [{"name": "A", "value": "1"}]
    assert json.loads(deploy["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])

    cli.kubectl("scale", "deployment/api", "-n", "api", "--replicas", "4")
    cli.kubectl("rollout", "status", "deployment/api", "-n", "api", "--timeout", "20s")
    deploy = cli.get("deploy", "api", "-n", "api")
    assert (deploy["spec"]["replicas"], deploy["status"]["readyReplicas"]) == (4, 4)


def test_dry_run_creates_nothing(cli, manifest):
    cli.kubectl("apply", "--server-side", "--dry-run=server", "-f", manifest(MANIFEST.split("---")[0]))

    assert "api" not in [n["metadata"]["name"] for n in cli.get("namespaces")["items"]]
