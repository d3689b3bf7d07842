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
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from emulator import DEFAULT_HOST, DEFAULT_PORT

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0


class EmulatorError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class Emulator:
    port: int = DEFAULT_PORT
    state_dir: Path = REPO_ROOT / ".emulator"
    host: str = DEFAULT_HOST

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / f"moto-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"moto-{self.port}.log"

    def pid(self) -> int | None:
        """The pid from the pid file if that process is still alive."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            # When this process started the emulator it is our child: reap it if it exited, or a
            # zombie would look alive to kill(pid, 0).
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return None
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return None
        return pid

    def responding(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def start(self) -> str:
        if self.pid() and self.responding():
            return f"emulator already running at {self.url} (pid {self.pid()})"
        if self.responding():
            raise EmulatorError(
                f"port {self.port} already answers but is not ours (no live pid in {self.pid_file}); "
                "stop that process or choose another port with --port / TEAMF_EMULATOR_PORT"
            )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), MOTO_IAM_LOAD_MANAGED_POLICIES="true")
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "emulator.server", "--host", self.host, "--port", str(self.port)],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise EmulatorError(f"emulator exited with {proc.returncode}; see {self.log_file}")
            if self.responding():
                return f"emulator started at {self.url} (pid {proc.pid}, log {self.log_file})"
            time.sleep(0.2)
        self.stop()
        raise EmulatorError(f"emulator did not answer within {START_TIMEOUT_S:.0f}s; see {self.log_file}")

    def stop(self) -> str:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return "emulator not running"
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            if self.pid() is None:
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return f"emulator stopped (pid {pid})"

    def reset(self) -> str:
        if not self.responding():
            raise EmulatorError(f"emulator not running at {self.url}; start it first")
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(req, timeout=30):
            pass
        return f"emulator at {self.url} reset"

    def status(self) -> str:
        pid = self.pid()
        if pid and self.responding():
            return f"running at {self.url} (pid {pid}, log {self.log_file})"
        if pid:
            return f"process {pid} alive but not answering at {self.url}; see {self.log_file}"
        return "stopped"


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
