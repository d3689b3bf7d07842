"""Start, stop, reset and inspect the registry stand-in bound to the emulator's ECR.

    python -m emulator.registry start [--port 5000] [--ecr-endpoint http://127.0.0.1:4566]
    python -m emulator.registry status
    python -m emulator.registry reset    # drop every blob and upload (ECR keeps its images)
    python -m emulator.registry stop

Mirrors ``python -m emulator``: state (blobs, upload files, pid file, log) lives in ``--state-dir``
(default ``.emulator/`` in the checkout, or ``$TEAMF_EMULATOR_STATE_DIR``); the port defaults to
``$TEAMF_REGISTRY_PORT`` or 5000, the ECR endpoint to ``http://127.0.0.1:$TEAMF_EMULATOR_PORT``
(4566). The server speaks plain HTTP on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from emulator import DEFAULT_PORT as DEFAULT_EMULATOR_PORT
from emulator.process import REPO_ROOT, ServerError, ServerProcess, python_module
from emulator.registry import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_REGION

RegistryEmulatorError = ServerError


def default_ecr_endpoint() -> str:
    return f"http://127.0.0.1:{os.environ.get('TEAMF_EMULATOR_PORT') or DEFAULT_EMULATOR_PORT}"


@dataclasses.dataclass(frozen=True)
class RegistryEmulator(ServerProcess):
    port: int = DEFAULT_PORT
    host: str = DEFAULT_HOST
    ecr_endpoint: str = dataclasses.field(default_factory=default_ecr_endpoint)
    region: str = DEFAULT_REGION

    label = "registry stand-in"
    file_prefix = "registry"
    port_setting = "--port / TEAMF_REGISTRY_PORT"
    health_path = "/healthz"
    reset_path = "/emulator/reset"

    @property
    def storage_dir(self) -> Path:
        """Blobs, upload files and repository links of this instance."""
        return self.state_dir / f"{self.file_prefix}-{self.port}"

    @property
    def endpoint(self) -> str:
        """host:port as image references spell it (``127.0.0.1:5000/teamf/auth-api:tag``)."""
        return f"{self.host}:{self.port}"

    def command(self) -> list[str]:
        args = [
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--ecr-endpoint",
            self.ecr_endpoint,
            "--region",
            self.region,
        ]
        return python_module("emulator.registry.server", *args, "--storage", str(self.storage_dir))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.registry", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status", "reset"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("TEAMF_REGISTRY_PORT") or DEFAULT_PORT))
    parser.add_argument("--ecr-endpoint", default=default_ecr_endpoint(), help="the AWS emulator's URL")
    parser.add_argument("--region", default=DEFAULT_REGION, help="ECR region when the Host header names none")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("TEAMF_EMULATOR_STATE_DIR", REPO_ROOT / ".emulator")),
    )
    args = parser.parse_args(argv)
    registry = RegistryEmulator(
        port=args.port, state_dir=args.state_dir, ecr_endpoint=args.ecr_endpoint.rstrip("/"), region=args.region
    )
    try:
        print(getattr(registry, args.command)())
    except RegistryEmulatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if args.command != "status" or registry.pid() else 3
