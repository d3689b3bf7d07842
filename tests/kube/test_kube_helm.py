"""The real helm 3 CLI against the stand-in: install, list, upgrade, rollback, failure, uninstall."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

CHART = Path(__file__).resolve().parent / "data" / "charts" / "webapp"

NS = "web"


def _release(cli, revision: int) -> dict:
    """The release record helm stored in its Secret (base64 of gzip of JSON, inside the Secret data)."""
    secret = cli.get("secret", f"sh.helm.release.v1.site.v{revision}", "-n", NS)
    return json.loads(gzip.decompress(base64.b64decode(base64.b64decode(secret["data"]["release"]))))


def test_install_upgrade_rollback_uninstall(cli):
    cli.helm("install", "site", str(CHART), "-n", NS, "--create-namespace", "--wait", "--atomic", "--timeout", "60s")

    listed = json.loads(cli.helm("list", "-n", NS, "-o", "json").stdout)
    assert [(r["name"], r["revision"], r["status"]) for r in listed] == [("site", "1", "deployed")]
    deploy = cli.get("deployment", "site", "-n", NS)
    assert deploy["spec"]["replicas"] == 2
    assert deploy["status"]["readyReplicas"] == 2
    assert deploy["status"]["observedGeneration"] == deploy["metadata"]["generation"]
    sts = cli.get("statefulset", "site-cache", "-n", NS)
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"]
    svc = cli.get("service", "site", "-n", NS)
    assert svc["spec"]["clusterIP"].startswith("10.100.")
    assert svc["status"]["loadBalancer"]["ingress"][0]["hostname"].endswith(".elb.ap-northeast-2.amazonaws.com")
    ingress = cli.get("ingress", "site", "-n", NS)
    assert ingress["status"]["loadBalancer"]["ingress"][0]["hostname"].endswith(".ap-northeast-2.elb.amazonaws.com")
    assert cli.get("configmap", "site-config", "-n", NS)["data"] == {"greeting": "hello"}
    helm_secrets = cli.get("secrets", "-n", NS, "-l", "owner=helm,name=site")["items"]
    assert [s["metadata"]["labels"]["status"] for s in helm_secrets] == ["deployed"]
    assert _release(cli, 1)["info"]["status"] == "deployed"

    cli.helm("upgrade", "site", str(CHART), "-n", NS, "--set", "greeting=bonjour", "--set", "replicaCount=3")
    cli.helm("upgrade", "site", str(CHART), "-n", NS, "--reuse-values", "--wait", "--atomic", "--timeout", "60s")
    history = json.loads(cli.helm("history", "site", "-n", NS, "-o", "json").stdout)
    assert [(h["revision"], h["status"]) for h in history] == [(1, "superseded"), (2, "superseded"), (3, "deployed")]
    assert cli.get("configmap", "site-config", "-n", NS)["data"] == {"greeting": "bonjour"}
    deploy = cli.get("deployment", "site", "-n", NS)
    assert (deploy["spec"]["replicas"], deploy["status"]["readyReplicas"]) == (3, 3)
    # A changed pod template (the config checksum annotation) rolls out a second ReplicaSet.
    replica_sets = cli.get("replicasets", "-n", NS, "-l", "app.kubernetes.io/instance=site")["items"]
    assert sorted(rs["spec"]["replicas"] for rs in replica_sets) == [0, 3]

    cli.helm("rollback", "site", "1", "-n", NS, "--wait", "--timeout", "60s")
    history = json.loads(cli.helm("history", "site", "-n", NS, "-o", "json").stdout)
    assert history[-1]["revision"] == 4 and history[-1]["status"] == "deployed"
    assert cli.get("configmap", "site-config", "-n", NS)["data"] == {"greeting": "hello"}
    assert cli.get("deployment", "site", "-n", NS)["spec"]["replicas"] == 2

    cli.helm("uninstall", "site", "-n", NS, "--wait", "--timeout", "60s")
    assert json.loads(cli.helm("list", "-n", NS, "-o", "json").stdout) == []
    for kind in ("deployments", "statefulsets", "services", "ingresses", "configmaps", "replicasets", "roles"):
        names = [i["metadata"]["name"] for i in cli.get(kind, "-n", NS)["items"]]
        assert [n for n in names if n.startswith("site")] == [], kind
    assert cli.get("secrets", "-n", NS, "-l", "owner=helm")["items"] == []


def test_atomic_upgrade_rolls_back_a_release_the_server_rejects(cli):
    cli.helm("install", "site", str(CHART), "-n", NS, "--create-namespace", "--wait", "--atomic")

    failed = cli.helm("upgrade", "site", str(CHART), "-n", NS, "--set", "replicaCount=two", "--atomic", check=False)

    assert failed.returncode != 0
    assert "replicas" in failed.stderr
    history = json.loads(cli.helm("history", "site", "-n", NS, "-o", "json").stdout)
    assert [h["status"] for h in history] == ["superseded", "failed", "deployed"]
    assert cli.get("deployment", "site", "-n", NS)["spec"]["replicas"] == 2


def test_template_typo_is_refused_by_strict_field_validation(cli, tmp_path):
    manifest = tmp_path / "typo.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\n  namespace: default\ndatta:\n  a: b\n"
    )

    refused = cli.kubectl("apply", "--server-side", "-f", str(manifest), check=False)

    assert refused.returncode != 0
    assert 'unknown field "datta"' in refused.stderr
    assert cli.get("configmaps", "-n", "default", "--field-selector", "metadata.name=typo")["items"] == []
