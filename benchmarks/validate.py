"""What validation costs: `playbooks/validate.yml` alone on dev, staging and prod, next to the converge.

    .venv/bin/python benchmarks/validate.py               # validation: 3 trials, medians
    .venv/bin/python benchmarks/validate.py --converge    # and one whole site.yml converge to compare

Starts a private emulator on a free port and, for --converge, Kubernetes stand-ins (the demo's are
untouched). Reports wall time, controller CPU (user+sys of the ansible-playbook process tree) and the
AWS API calls the emulator counted. A benchmark, not a test: it asserts nothing about speed.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.site_converge import free_port  # noqa: E402  (needs the repo root on sys.path)
from emulator.faults import call_endpoint  # noqa: E402
from emulator.kube.launcher import KubeEmulator  # noqa: E402
from emulator.launcher import Emulator  # noqa: E402


def measured_run(env: dict[str, str], playbook: str, emulator: Emulator) -> tuple[float, float, int]:
    """(wall seconds, controller CPU seconds, API calls) of one ansible-playbook run."""
    call_endpoint(emulator.url, "DELETE")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), playbook, "-i", "inventories/local"],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, call_endpoint(emulator.url)["requests"]["total"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--converge", action="store_true", help="also time one whole site.yml converge")
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    emulator = Emulator(port=free_port(), state_dir=state / "emulator")
    kube = {env: KubeEmulator(port=free_port(), state_dir=state / env, ready_delay=0.2) for env in ("staging", "prod")}
    env = dict(
        os.environ,
        TEAMF_TEST_ENDPOINT=emulator.url,
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        TEAMF_SECRETS_DIR=str(state / "secrets"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    emulator.start()
    for name, cluster in kube.items():
        cluster.start()
        env[f"TEAMF_TEST_KUBE_ENDPOINT_{name.upper()}"] = cluster.url
    try:
        trials = [measured_run(env, "playbooks/validate.yml", emulator) for _ in range(args.trials)]
        converge = measured_run(env, "site.yml", emulator) if args.converge else None
    finally:
        emulator.stop()
        for cluster in kube.values():
            cluster.stop()
    wall, cpu, calls = (statistics.median(trial[i] for trial in trials) for i in range(3))
    print(f"inventories/local: dev, staging, prod ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    print("| run | wall | controller CPU | AWS API calls |")
    print("|---|---|---|---|")
    print(f"| playbooks/validate.yml (median of {args.trials}) | {wall:.1f} s | {cpu:.1f} s | {calls:.0f} |")
    if converge:
        print(f"| site.yml, first converge | {converge[0]:.1f} s | {converge[1]:.1f} s | {converge[2]} |")
        ratios = (wall / converge[0], cpu / converge[1], calls / converge[2])
        print("| validation / converge | {:.2f} | {:.2f} | {:.2f} |".format(*ratios))


if __name__ == "__main__":
    main()
