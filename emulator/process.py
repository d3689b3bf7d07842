"""A local server process the project starts in the background: pid file, log file, health, reset.

``emulator.launcher.Emulator`` (AWS) and ``emulator.kube.launcher.KubeEmulator`` (Kubernetes API)
are the two kinds; each says what to run, how to ask whether it answers and how to reset it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0
# How long stop waits for SIGTERM to end the server before SIGKILL.
STOP_TIMEOUT_S = 10


class ServerError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class ServerProcess:
    port: int
    state_dir: Path = REPO_ROOT / ".emulator"
    host: str = "127.0.0.1"

    # What each kind of server overrides.
    label = "server"  # as users read it in messages
    file_prefix = "server"  # pid and log file names: <prefix>-<port>.pid
    port_setting = "--port"  # how users choose another port
    health_path = "/"
    reset_path = "/reset"

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return dict(os.environ, PYTHONPATH=str(REPO_ROOT))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / f"{self.file_prefix}-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"{self.file_prefix}-{self.port}.log"

    def pid(self) -> int | None:
        """The pid from the pid file if that process is still alive."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            # When this process started the server it is our child: reap it if it exited, or a
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
            with urllib.request.urlopen(f"{self.url}{self.health_path}", timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def start(self) -> str:
        if self.pid() and self.responding():
            return f"{self.label} already running at {self.url} (pid {self.pid()})"
        if self.responding():
            raise ServerError(
                f"port {self.port} already answers but is not ours (no live pid in {self.pid_file}); "
                f"stop that process or choose another port with {self.port_setting}"
            )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                self.command(),
                cwd=REPO_ROOT,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ServerError(f"{self.label} exited with {proc.returncode}; see {self.log_file}")
            if self.responding():
                return f"{self.label} started at {self.url} (pid {proc.pid}, log {self.log_file})"
            time.sleep(0.1)
        self.stop()
        raise ServerError(f"{self.label} did not answer within {START_TIMEOUT_S:.0f}s; see {self.log_file}")

    def stop(self) -> str:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return f"{self.label} not running"
        # The group may be gone between a check and a signal (a loaded machine stops it slowly, then
        # at once): a group that no longer exists is stopped, not an error.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        for _ in range(STOP_TIMEOUT_S * 10):
            if self.pid() is None:
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return f"{self.label} stopped (pid {pid})"

    def reset(self) -> str:
        if not self.responding():
            raise ServerError(f"{self.label} not running at {self.url}; start it first")
        req = urllib.request.Request(f"{self.url}{self.reset_path}", method="POST")
        with urllib.request.urlopen(req, timeout=30):
            pass
        return f"{self.label} at {self.url} reset"

    def status(self) -> str:
        pid = self.pid()
        if pid and self.responding():
            return f"running at {self.url} (pid {pid}, log {self.log_file})"
        if pid:
            return f"process {pid} alive but not answering at {self.url}; see {self.log_file}"
        return "stopped"


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
