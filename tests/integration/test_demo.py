"""`make demo` with every port knob moved: the whole demo, once, from a clean copy of the checkout.

The default ports (4566, 5000, 8001, 8002) are held by listeners that record every connection, so a
knob that does not reach the playbooks shows up as a connection there (or as a server failing to
bind). The summary read afterwards (`make summary`, same knobs) shows each EKS environment its own
cluster endpoint and the same digests running in all three environments; `make demo-down` with the
same knobs stops what the demo started. This is the only test that runs the whole demo (~5 min).
It runs the committed HEAD (a clone), with `.venv` linked to this checkout's.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, _free_port

DEFAULT_PORTS = (4566, 5000, 8001, 8002)
DIGEST = re.compile(r"teamf/[a-z-]+@sha256:[0-9a-f]{64}")


class Tripwire:
    """Listens on a port of 127.0.0.1 (and ::1 where there is one) and records who connected."""

    def __init__(self, port: int):
        self.port = port
        self.connections: list[str] = []
        self.sockets = []
        for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            try:
                sock = socket.socket(family, socket.SOCK_STREAM)
                sock.bind((host, port))
            except OSError as exc:
                sock.close()
                if family == socket.AF_INET6 and exc.errno in (97, 99):  # no IPv6 loopback on this machine
                    continue
                pytest.fail(
                    f"port {port} on {host} is in use ({exc.strerror}), so this test cannot tell whether the demo "
                    "touches it: stop what listens there (a running demo: make demo-down) and rerun"
                )
            sock.listen(16)
            sock.settimeout(0.2)
            self.sockets.append(sock)
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._accept, args=(s,), daemon=True) for s in self.sockets]
        for thread in self.threads:
            thread.start()

    def _accept(self, sock):
        while not self.stopped.is_set():
            try:
                conn, peer = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(f"{peer[0]}:{peer[1]}")
            conn.close()

    def close(self):
        self.stopped.set()
        for thread in self.threads:
            thread.join()
        for sock in self.sockets:
            sock.close()


@pytest.fixture
def tripwires():
    wires = [Tripwire(port) for port in DEFAULT_PORTS]
    yield wires
    for wire in wires:
        wire.close()


@pytest.fixture
def checkout(tmp_path):
    """A clone of HEAD with .venv linked to this checkout's venv (never committed: .gitignore)."""
    dest = tmp_path / "checkout"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(REPO_ROOT), str(dest)], check=True)
    subprocess.run(["git", "checkout", "--quiet", "--detach", head.stdout.strip()], cwd=dest, check=True)
    (dest / ".venv").symlink_to((REPO_ROOT / ".venv").resolve())
    return dest


def make(checkout: Path, target: str, knobs: list[str], env: dict, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", target, *knobs],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_demo_on_other_ports_touches_no_default_port(tripwires, checkout, tmp_path):
    ports = [_free_port() for _ in range(4)]
    assert not set(ports) & set(DEFAULT_PORTS)
    knobs = [f"DEMO_PORT={ports[0]}", f"DEMO_REGISTRY_PORT={ports[1]}", f"DEMO_KUBE_PORTS={ports[2]} {ports[3]}"]
    # Only what a person at a terminal has: no test endpoints, the demo's own secrets directory.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEAMF_", "ANSIBLE_", "PYTEST_"))}
    env.update(TEAMF_SECRETS_DIR=str(tmp_path / "secrets"), ANSIBLE_FORCE_COLOR="0")
    try:
        demo = make(checkout, "demo", knobs, env, timeout=1800)
        assert demo.returncode == 0, (demo.stdout + demo.stderr)[-5000:]
        summary = make(checkout, "summary", knobs, dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"), 600)
        assert summary.returncode == 0, (summary.stdout + summary.stderr)[-5000:]
    finally:
        down = make(checkout, "demo-down", knobs, env, timeout=300)
    assert down.returncode == 0, down.stdout + down.stderr
    assert {wire.port: wire.connections for wire in tripwires} == {port: [] for port in DEFAULT_PORTS}

    # The summary (json callback: the playbook's JSON after make's command echo) per environment.
    report = json.loads(summary.stdout[summary.stdout.index("{") :])
    (play,) = [play for play in report["plays"] if play["play"]["name"] == "Summarise each environment"]
    printed = play["tasks"][-1]["hosts"]
    lines = {env_name: printed[env_name]["msg"] for env_name in ("dev", "staging", "prod")}
    endpoint = re.compile(r"endpoint (https://[0-9A-F]{32}\.gr7\.[a-z0-9-]+\.eks\.amazonaws\.com)\b")
    endpoints = {env_name: endpoint.findall("\n".join(text)) for env_name, text in lines.items()}
    assert endpoints["dev"] == [] and len(endpoints["staging"]) == len(endpoints["prod"]) == 1, lines
    assert endpoints["staging"] != endpoints["prod"]
    digests = {env_name: set(DIGEST.findall("\n".join(text))) for env_name, text in lines.items()}
    assert len(digests["dev"]) == 2, lines["dev"]  # auth-api and users-api
    assert digests["dev"] == digests["staging"] == digests["prod"]
    for text in lines.values():
        assert any(line.startswith("cost    ~ USD ") for line in text), text
    assert any(line.startswith("URL     http://api.staging.teamf.example/") for line in lines["staging"])
    # The processes are gone: their ports answer nothing any more.
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers after make demo-down"
