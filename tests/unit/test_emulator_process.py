"""emulator/process.py: stopping a server whose process group goes away while it is being stopped."""

import os
import signal
import subprocess

from emulator import process
from emulator.launcher import Emulator


def test_a_group_gone_between_check_and_signal_counts_as_stopped(tmp_path, monkeypatch):
    # A server that ends on its own just as stop signals it: the signal finds no group.
    server = subprocess.Popen(["sleep", "60"], start_new_session=True)
    emulator = Emulator(port=1, state_dir=tmp_path)
    emulator.pid_file.write_text(f"{server.pid}\n")

    killpg = os.killpg

    def gone_first(pgid, sig):
        killpg(pgid, signal.SIGKILL)
        server.wait()
        raise ProcessLookupError(3, "No such process")

    monkeypatch.setattr(process.os, "killpg", gone_first)
    assert emulator.stop() == f"emulator stopped (pid {server.pid})"
    assert not emulator.pid_file.exists()
    assert server.returncode == -signal.SIGKILL
