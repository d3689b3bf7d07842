"""Start, stop, reset and inspect the Kubernetes API stand-in; install helm/kubectl; write a kubeconfig.

    python -m emulator.kube start [--port 8001]      # idempotent: a running stand-in is left as it is
    python -m emulator.kube start --aws-endpoint http://127.0.0.1:5000   # also ship pod logs (fluent-bit)
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
import sys
from pathlib import Path

import yaml

from emulator.kube import DEFAULT_HOST, DEFAULT_PORT
from emulator.kube.tools import ToolsError, install_tools
from emulator.process import REPO_ROOT, ServerError, ServerProcess, python_module

KubeEmulatorError = ServerError


@dataclasses.dataclass(frozen=True)
class KubeEmulator(ServerProcess):
    port: int = DEFAULT_PORT
    host: str = DEFAULT_HOST
    ready_delay: float = 0.5
    # An AWS endpoint (the emulator's URL): the stand-in then plays aws-for-fluent-bit and writes the
    # started lines of pods to CloudWatch Logs there (emulator/kube/fluentbit.py). Empty: nothing is shipped.
    aws_endpoint: str = ""

    label = "kube stand-in"
    file_prefix = "kube"
    port_setting = "--port / TEAMF_KUBE_PORT"
    health_path = "/healthz"
    reset_path = "/emulator/reset"

    def command(self) -> list[str]:
        args = ["--host", self.host, "--port", str(self.port), "--ready-delay", str(self.ready_delay)]
        if self.aws_endpoint:
            args += ["--aws-endpoint", self.aws_endpoint]
        return python_module("emulator.kube.server", *args)

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
    parser.add_argument(
        "--aws-endpoint",
        default="",
        help="start: play aws-for-fluent-bit, shipping pods' container logs to CloudWatch Logs at this endpoint",
    )
    parser.add_argument("--out", type=Path, help="kubeconfig: where to write it")
    parser.add_argument("--namespace", default="default", help="kubeconfig: the context's namespace")
    parser.add_argument(
        "--dest", type=Path, default=Path(sys.executable).parent, help="install-tools: directory for helm and kubectl"
    )
    args = parser.parse_args(argv)
    emulator = KubeEmulator(
        port=args.port, state_dir=args.state_dir, ready_delay=args.ready_delay, aws_endpoint=args.aws_endpoint
    )
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
