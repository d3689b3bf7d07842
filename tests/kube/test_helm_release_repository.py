"""The helm_release role with a repository chart (URL + name + pinned version), served over HTTP.

The local stand-in charts cover local chart directories (molecule/helm_release, site.yml); this covers
the path real inventories use for third-party charts: `helm --repo URL name --version V`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, _free_port

CHART = Path(__file__).resolve().parent / "data" / "charts" / "webapp"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def chart_repository(tmp_path_factory, kube_tools):
    """A Helm chart repository (packaged chart + index.yaml) served by a plain HTTP server."""
    root = tmp_path_factory.mktemp("chart-repo")
    subprocess.run([kube_tools["helm"], "package", str(CHART), "-d", str(root)], check=True, capture_output=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    subprocess.run([kube_tools["helm"], "repo", "index", str(root), "--url", url], check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/index.yaml", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _converge(kube, kube_env, tmp_path, repo_url: str, version: str, *args: str) -> subprocess.CompletedProcess:
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        textwrap.dedent(
            """\
            - name: A repository chart through the role
              hosts: localhost
              connection: local
              gather_facts: false
              vars:
                ansible_python_interpreter: "{{ ansible_playbook_python }}"
              roles:
                - role: teamf.platform.helm_release
              post_tasks:
                - name: Report
                  ansible.builtin.copy:
                    dest: "{{ report }}"
                    content: "{{ helm_release_results | to_json }}"
                    mode: "0600"
            """
        )
    )
    extra = {
        "report": str(tmp_path / "report.json"),
        "helm_release_cluster_name": "repo-test",
        "helm_release_api_server": kube.url,
        "helm_release_timeout": "60s",
        "helm_release_releases": [
            {
                "name": "shop",
                "namespace": "repo-shop",
                "chart_repo_url": repo_url,
                "chart_ref": "webapp",
                "chart_version": version,
                "values": {"statefulset": {"enabled": False}},
            }
        ],
    }
    env = dict(kube_env, ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"), ANSIBLE_FORCE_COLOR="0")
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "localhost,", str(playbook), "-e", json.dumps(extra), *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_repository_chart_installs_pinned_and_reruns_unchanged(clean_kube, kube_env, chart_repository, tmp_path):
    report = tmp_path / "report.json"

    install = _converge(clean_kube, kube_env, tmp_path, chart_repository, "0.1.0")
    assert install.returncode == 0, install.stdout[-3000:]
    [result] = json.loads(report.read_text())
    assert (result["changed"], result["chart"], str(result["revision"])) == (True, "webapp-0.1.0", "1")

    rerun = _converge(clean_kube, kube_env, tmp_path, chart_repository, "0.1.0")
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert json.loads(report.read_text())[0]["changed"] is False

    # A version the repository does not have fails, and the installed release stays as it was.
    missing = _converge(clean_kube, kube_env, tmp_path, chart_repository, "9.9.9")
    assert missing.returncode != 0
    assert 'chart "webapp" version "9.9.9" not found' in missing.stdout, missing.stdout[-3000:]
    check = _converge(clean_kube, kube_env, tmp_path, chart_repository, "0.1.0", "--check")
    assert check.returncode == 0, check.stdout[-3000:]
    assert json.loads(report.read_text())[0]["changed"] is False
