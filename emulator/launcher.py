"""Start, stop, reset and inspect the embedded AWS emulator.

    python -m emulator start [--port 4566]   # idempotent: a running emulator is left as it is
    python -m emulator status
    python -m emulator reset                  # drop all state, keep the process
    python -m emulator stop

State (pid file, log) lives in ``--state-dir`` (default ``.emulator/`` in the checkout, or
``$TEAMF_EMULATOR_STATE_DIR``); the port defaults to ``$TEAMF_EMULATOR_PORT`` or 4566. The server
binds to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from emulator import DEFAULT_HOST, DEFAULT_PORT
from emulator.process import REPO_ROOT, ServerError, ServerProcess, python_module

EmulatorError = ServerError


@dataclasses.dataclass(frozen=True)
class Emulator(ServerProcess):
    port: int = DEFAULT_PORT
    host: str = DEFAULT_HOST

    label = "emulator"
    file_prefix = "moto"
    port_setting = "--port / TEAMF_EMULATOR_PORT"
    # The dashboard page is static; /moto-api/data.json serialises every backend (seconds).
    health_path = "/moto-api/"
    reset_path = "/moto-api/reset"

    def command(self) -> list[str]:
        return python_module("emulator.server", "--host", self.host, "--port", str(self.port))

    def environment(self) -> dict[str, str]:
        return dict(super().environment(), MOTO_IAM_LOAD_MANAGED_POLICIES="true")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status", "reset"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("TEAMF_EMULATOR_PORT", DEFAULT_PORT)))
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("TEAMF_EMULATOR_STATE_DIR", REPO_ROOT / ".emulator")),
    )
    args = parser.parse_args(argv)
    emulator = Emulator(port=args.port, state_dir=args.state_dir)
    try:
        print(getattr(emulator, args.command)())
    except EmulatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if args.command != "status" or emulator.pid() else 3
