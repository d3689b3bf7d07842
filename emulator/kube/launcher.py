"""Start, stop, reset and inspect the Kubernetes API stand-in; install helm/kubectl; write a kubeconfig.

    python -m emulator.kube start [--port 8001]      # idempotent: a running stand-in is left as it is
    python -m emulator.kube status
    python -m emulator.kube reset                     # drop every object, back to a fresh cluster
    python -m emulator.kube stop
    python -m emulator.kube kubeconfig --out PATH     # a kubeconfig for helm, kubectl, kubernetes.core
    python -m emulator.kube install-tools [--dest .venv/bin]

Mirrors ``python -m emulator`` (the AWS emulator): state (pid file, log) lives in ``--state-dir``
(default ``.emulator/`` in the checkout, or ``$TEAMF_EMULATOR_STATE_DIR``); the port defaults to
``$TEAMF_KUBE_PORT`` or 8001. The server speaks plain HTTP on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from emulator.kube import DEFAULT_HOST, DEFAULT_PORT
from emulator.kube.tools import ToolsError, install_tools

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


class KubeEmulatorError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class KubeEmulator:
    port: int = DEFAULT_PORT
    state_dir: Path = REPO_ROOT / ".emulator"
    host: str = DEFAULT_HOST
    ready_delay: float = 0.5

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / f"kube-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"kube-{self.port}.log"

    def pid(self) -> int | None:
        """The pid from the pid file if that process is still alive."""
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None
        return pid

    def responding(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def start(self) -> str:
        if self.pid() and self.responding():
            return f"kube stand-in already running at {self.url} (pid {self.pid()})"
        if self.responding():
            raise KubeEmulatorError(
                f"port {self.port} already answers but is not ours (no live pid in {self.pid_file}); "
                "stop that process or choose another port with --port / TEAMF_KUBE_PORT"
            )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "emulator.kube.server", "--host", self.host, "--port", str(self.port)]
        command += ["--ready-delay", str(self.ready_delay)]
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise KubeEmulatorError(f"kube stand-in exited with {proc.returncode}; see {self.log_file}")
            if self.responding():
                return f"kube stand-in started at {self.url} (pid {proc.pid}, log {self.log_file})"
            time.sleep(0.1)
        self.stop()
        raise KubeEmulatorError(f"kube stand-in did not answer within {START_TIMEOUT_S:.0f}s; see {self.log_file}")

    def stop(self) -> str:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return "kube stand-in not running"
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            if self.pid() is None:
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return f"kube stand-in stopped (pid {pid})"

    def reset(self) -> str:
        if not self.responding():
            raise KubeEmulatorError(f"kube stand-in not running at {self.url}; start it first")
        req = urllib.request.Request(f"{self.url}/emulator/reset", method="POST")
        with urllib.request.urlopen(req, timeout=30):
            pass
        return f"kube stand-in at {self.url} reset"

    def status(self) -> str:
        pid = self.pid()
        if pid and self.responding():
            return f"running at {self.url} (pid {pid}, log {self.log_file})"
        if pid:
            return f"process {pid} alive but not answering at {self.url}; see {self.log_file}"
        return "stopped"

    def kubeconfig(self, namespace: str = "default") -> dict:
        """A kubeconfig whose only context, ``teamf-local``, points at this stand-in."""
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "teamf-local", "cluster": {"server": self.url}}],
            "users": [{"name": "teamf-local", "user": {"token": "teamf-local"}}],
            "contexts": [
                {
                    "name": "teamf-local",
                    "context": {"cluster": "teamf-local", "user": "teamf-local", "namespace": namespace},
                }
            ],
            "current-context": "teamf-local",
            "preferences": {},
        }

    def write_kubeconfig(self, out: Path, namespace: str = "default") -> str:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.safe_dump(self.kubeconfig(namespace), sort_keys=False))
        out.chmod(0o600)  # helm warns about group/world-readable kubeconfigs
        return f"kubeconfig for {self.url} written to {out}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.kube", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status", "reset", "kubeconfig", "install-tools"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("TEAMF_KUBE_PORT", DEFAULT_PORT)))
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("TEAMF_EMULATOR_STATE_DIR", REPO_ROOT / ".emulator")),
    )
    parser.add_argument("--ready-delay", type=float, default=0.5, help="seconds before workloads report ready")
    parser.add_argument("--out", type=Path, help="kubeconfig: where to write it")
    parser.add_argument("--namespace", default="default", help="kubeconfig: the context's namespace")
    parser.add_argument(
        "--dest", type=Path, default=Path(sys.executable).parent, help="install-tools: directory for helm and kubectl"
    )
    args = parser.parse_args(argv)
    emulator = KubeEmulator(port=args.port, state_dir=args.state_dir, ready_delay=args.ready_delay)
    try:
        if args.command == "install-tools":
            for tool, outcome in install_tools(args.dest).items():
                print(f"{tool}: {outcome} in {args.dest}")
        elif args.command == "kubeconfig":
            if args.out is None:
                print(yaml.safe_dump(emulator.kubeconfig(args.namespace), sort_keys=False), end="")
            else:
                print(emulator.write_kubeconfig(args.out, args.namespace))
        else:
            print(getattr(emulator, args.command)())
    except (KubeEmulatorError, ToolsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if args.command != "status" or emulator.pid() else 3
