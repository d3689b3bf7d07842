"""kubernetes.core.helm and kubernetes.core.k8s_info (ansible 12.3.0) against the stand-in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
CHART = DATA / "charts" / "webapp"
PLAYBOOK = DATA / "playbooks" / "helm_release.yml"


def _play(kube_env: dict[str, str], tools: dict[str, str], step: str, report: Path) -> dict:
    env = dict(kube_env, ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"), ANSIBLE_FORCE_COLOR="0")
    extra = {
        "step": step,
        "kubeconfig": kube_env["KUBECONFIG"],
        "helm_binary": tools["helm"],
        "chart": str(CHART),
        "report": str(report),
    }
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(PLAYBOOK)]
    proc = subprocess.run(
        [*command, "-e", json.dumps(extra)], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"{step}:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(report.read_text())


def _by_kind(report: dict) -> dict[str, dict]:
    return {found[0]["kind"]: found[0] for found in report["objects"] if found}


def test_helm_release_lifecycle(cli, kube_env, kube_tools, tmp_path):
    report = tmp_path / "report.json"

    check = _play(kube_env, kube_tools, "check", report)
    assert check["release"]["changed"] is True
    assert check["objects"] == [[]]
    assert json.loads(cli.helm("list", "-A", "-o", "json").stdout) == []

    install = _play(kube_env, kube_tools, "install", report)
    assert install["release"]["changed"] is True
    assert install["release"]["status"]["revision"] == "1"
    found = _by_kind(install)
    assert set(found) == {"Deployment", "Service", "Ingress", "Role", "ConfigMap"}
    assert found["Deployment"]["status"]["readyReplicas"] == 2
    assert found["Service"]["status"]["loadBalancer"]["ingress"][0]["hostname"]
    assert found["Ingress"]["status"]["loadBalancer"]["ingress"][0]["hostname"]
    assert found["Role"]["rules"][0]["resources"] == ["configmaps"]
    assert found["ConfigMap"]["data"] == {"greeting": "hello"}

    rerun = _play(kube_env, kube_tools, "rerun", report)
    assert rerun["release"]["changed"] is False

    upgrade = _play(kube_env, kube_tools, "upgrade", report)
    assert upgrade["release"]["changed"] is True
    assert upgrade["release"]["status"]["revision"] == "2"
    found = _by_kind(upgrade)
    assert found["ConfigMap"]["data"] == {"greeting": "bonjour"}
    assert found["Deployment"]["metadata"]["generation"] == 2  # the config checksum changed the pod template
    assert found["Deployment"]["status"]["observedGeneration"] == 2

    absent = _play(kube_env, kube_tools, "absent", report)
    assert absent["release"]["changed"] is True
    assert absent["objects"] == [[]]
    assert json.loads(cli.helm("list", "-A", "-o", "json").stdout) == []
