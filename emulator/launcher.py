"""Start, stop, reset and inspect the embedded AWS emulator.

    python -m emulator start [--port 4566]   # idempotent: a running emulator is left as it is
    python -m emulator status
    python -m emulator reset                  # drop all state, keep the process
    python -m emulator stop
    python -m emulator faults set --rate 0.2 [--seed 1] [--service ec2] [--action X] [--kind throttling|5xx]
    python -m emulator faults status          # rules and counters (requests, faults per kind)
    python -m emulator faults off             # no more faults; counters zeroed

State (pid file, log) lives in ``--state-dir`` (default ``.emulator/`` in the checkout, or
``$TEAMF_EMULATOR_STATE_DIR``); the port defaults to ``$TEAMF_EMULATOR_PORT`` or 4566. The server
binds to 127.0.0.1 only. ``faults`` drives the running emulator's fault injection
(``emulator.faults``, ``emulator/README.md``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from emulator import DEFAULT_HOST, DEFAULT_PORT, faults
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


def _faults_config(args: argparse.Namespace) -> dict:
    if args.json is not None:
        if any((args.rate is not None, args.service, args.action, args.kind)):
            raise faults.FaultConfigError("give --json or --rate/--service/--action/--kind, not both")
        try:
            return json.loads(args.json)
        except ValueError as exc:
            raise faults.FaultConfigError(f"--json is not JSON: {exc}") from None
    if args.rate is None:
        raise faults.FaultConfigError("--rate is required (or --json)")
    config = {"rate": args.rate, "services": args.service or [], "actions": args.action or []}
    config["kinds"] = args.kind or [faults.THROTTLING]
    if args.seed is not None:
        config["seed"] = args.seed
    return config


def _faults_summary(status: dict) -> str:
    faults_seen = status["faults"]
    kinds = ", ".join(f"{kind} {count}" for kind, count in faults_seen["by_kind"].items())
    return f"{status['requests']['total']} requests, {faults_seen['total']} faults ({kinds})"


def faults_command(emulator: Emulator, args: argparse.Namespace) -> str:
    """``python -m emulator faults set|status|off`` against the emulator at ``emulator.url``."""
    if args.faults_command == "set":
        status = faults.call_endpoint(emulator.url, "POST", _faults_config(args))
        rules = "; ".join(faults.Rule.parse(rule).describe() for rule in status["config"]["rules"])
        return f"faults on at {emulator.url} (seed {status['config']['seed']}): {rules or 'no rules'}"
    if args.faults_command == "off":
        status = faults.call_endpoint(emulator.url, "DELETE")
        return f"faults off at {emulator.url}; since they were set: {_faults_summary(status)}"
    status = faults.call_endpoint(emulator.url)
    status["log"] = status["log"][-20:]  # the endpoint keeps the last 500
    return json.dumps(status, indent=2)


def main(argv: list[str] | None = None) -> int:
    # --port/--state-dir work before or after the command (python -m emulator start --port 4567).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--port", type=int, default=argparse.SUPPRESS)
    common.add_argument("--state-dir", type=Path, default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__.splitlines()[0], parents=[common])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{start,stop,status,reset,faults}")
    for name, text in [
        ("start", "start the emulator (a running one is left as it is)"),
        ("stop", "stop it (its state goes with it)"),
        ("status", "is it running? (exit 3 when not)"),
        ("reset", "drop all state, keep the process"),
    ]:
        commands.add_parser(name, parents=[common], help=text, description=text)
    faults_parser = commands.add_parser("faults", parents=[common], help="fault injection (throttling, 5xx)")
    faults_commands = faults_parser.add_subparsers(dest="faults_command", required=True)
    set_parser = faults_commands.add_parser(
        "set", parents=[common], help="replace the rules, reseed, zero the counters"
    )
    set_parser.add_argument("--rate", type=float, help="share of matching calls that fail, 0..1")
    set_parser.add_argument("--seed", type=int, help="random seed (default: drawn, and reported)")
    set_parser.add_argument("--service", action="append", help="signing name (ec2, eks, ...); repeatable")
    set_parser.add_argument("--action", action="append", help="operation name (DescribeVpcs); repeatable")
    set_parser.add_argument(
        "--kind",
        action="append",
        choices=[*faults.KINDS, *faults.KIND_ALIASES],
        help="throttling (default), internal (500), unavailable (503), 5xx (both); repeatable",
    )
    set_parser.add_argument("--json", help="a whole configuration document instead (rules, seed)")
    faults_commands.add_parser("status", parents=[common], help="rules and counters, as JSON")
    faults_commands.add_parser("off", parents=[common], help="no more faults; counters zeroed")
    args = parser.parse_args(argv)

    port = getattr(args, "port", None) or int(os.environ.get("TEAMF_EMULATOR_PORT", DEFAULT_PORT))
    state_dir = getattr(args, "state_dir", None) or Path(
        os.environ.get("TEAMF_EMULATOR_STATE_DIR", REPO_ROOT / ".emulator")
    )
    emulator = Emulator(port=port, state_dir=state_dir)
    try:
        if args.command == "faults":
            print(faults_command(emulator, args))
            return 0
        print(getattr(emulator, args.command)())
    except (EmulatorError, faults.FaultConfigError, faults.FaultsUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if args.command != "status" or emulator.pid() else 3
