"""Wall time of `site.yml -i inventories/local --limit <env>`: first run, no-op rerun, their ratio.

    .venv/bin/python benchmarks/site_converge.py              # prod (VPC, IAM, EKS, nodegroups, add-ons)
    .venv/bin/python benchmarks/site_converge.py --limit all  # dev, staging and prod in parallel

Starts a private emulator on a free port (the demo emulator is untouched), runs the playbook twice,
prints the figures. A benchmark, not a test: it asserts nothing about speed.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from emulator.launcher import Emulator  # noqa: E402  (needs the repo root on sys.path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_run(env: dict[str, str], limit: str) -> float:
    start = time.monotonic()
    playbook = str(Path(sys.executable).parent / "ansible-playbook")
    subprocess.run(
        [playbook, "site.yml", "-i", "inventories/local", "--limit", limit],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", default="prod", help="environments to converge (an ansible --limit)")
    limit = parser.parse_args().limit
    emulator = Emulator(port=free_port(), state_dir=Path(tempfile.mkdtemp(prefix="bench-emulator-")))
    emulator.start()
    env = dict(os.environ, TEAMF_TEST_ENDPOINT=emulator.url, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    try:
        first = timed_run(env, limit)
        rerun = timed_run(env, limit)
    finally:
        emulator.stop()
    print(f"site.yml -i inventories/local --limit {limit} ({os.cpu_count()} cores)")
    print(f"  first run      {first:7.1f} s")
    print(f"  no-op rerun    {rerun:7.1f} s")
    print(f"  rerun / first  {rerun / first:7.2f}")


if __name__ == "__main__":
    main()
