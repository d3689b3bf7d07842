"""Redeploy 1 and 10 ECS services: playbooks/redeploy.yml vs fabfuel ecs-deploy, same simulated rollout.

    .venv/bin/python benchmarks/ecs_redeploy.py                  # 1 and 10 services, 5 s rollouts
    .venv/bin/python benchmarks/ecs_redeploy.py --counts 1 5 10 --rollout-seconds 10

For each count it starts a private emulator whose ECS deployments take --rollout-seconds to
complete, converges a throw-away ECS environment with that many services through site.yml (not
timed), then times:

- ours: one `playbooks/redeploy.yml -e image_tag=v2` (task definitions from compose, all services
  rolled and waited for in parallel by one ecs_rollout);
- ecs-deploy: `ecs deploy <cluster> <service> --tag v3`, once per service, one after the other, as a
  user or a CI job runs it (it deploys one service per invocation).

Both wait until every deployment has completed. ecs-deploy 1.17.0 comes pinned from
benchmarks/requirements-ecs-deploy.txt into its own venv (.venv/tools/ecs-deploy). A benchmark, not
a test: it prints figures and asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from emulator.launcher import Emulator  # noqa: E402  (needs the repo root on sys.path)

BIN = Path(sys.executable).parent
ECS_DEPLOY_VENV = REPO / ".venv" / "tools" / "ecs-deploy"
ECS_DEPLOY_LOCK = REPO / "benchmarks" / "requirements-ecs-deploy.txt"
ENV_NAME = "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ecs_deploy() -> Path:
    """The pinned ecs-deploy CLI, installed into its own venv on first use."""
    binary = ECS_DEPLOY_VENV / "bin" / "ecs"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ECS_DEPLOY_VENV)], check=True)
        pip = [str(ECS_DEPLOY_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "-r", str(ECS_DEPLOY_LOCK)], check=True)
    return binary


def inventory(root: Path, count: int) -> Path:
    """A one-host ECS environment with `count` services, built from the shared definitions."""
    inv = root / "inventory"
    (inv / "group_vars").mkdir(parents=True)
    (inv / "host_vars").mkdir()
    files = inv / "files" / ENV_NAME
    files.mkdir(parents=True)
    for name in ("all.yml", "ecs_environments.yml"):
        (inv / "group_vars" / name).symlink_to(REPO / "inventories" / "shared" / "group_vars" / name)
    shutil.copy(REPO / "inventories" / "local" / "group_vars" / "emulator.yml", inv / "group_vars" / "emulator.yml")
    shutil.copy(REPO / "inventories" / "dev" / "files" / "dev" / "ecs-params.yml", files / "ecs-params.yml")
    groups = {"ecs_environments": {"hosts": {ENV_NAME: None}}, "emulator": {"children": {"ecs_environments": None}}}
    (inv / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": groups}}))
    names = [f"svc-{index:02d}" for index in range(1, count + 1)]
    compose = {
        "version": "3.8",
        "services": {
            name: {
                "image": "${ECR_REGISTRY}/${ECR_NAMESPACE}/" + name + ":v1",
                "ports": [f"{8000 + index}:{8000 + index}"],
                "mem_limit": "256m",
            }
            for index, name in enumerate(names)
        },
    }
    (files / "docker-compose.yml").write_text(yaml.safe_dump(compose, sort_keys=False))
    host_vars = {
        "platform_env": ENV_NAME,
        "vpc_cidr": "10.90.0.0/16",
        "ecs_dev_services": [
            {"name": name, "port": 8000 + index, "repository": True} for index, name in enumerate(names)
        ],
    }
    (inv / "host_vars" / f"{ENV_NAME}.yml").write_text(yaml.safe_dump(host_vars, sort_keys=False))
    return inv


def run(command: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return time.monotonic() - start


def measure(count: int, rollout_seconds: int, ecs: Path) -> tuple[float, float]:
    root = Path(tempfile.mkdtemp(prefix="bench-ecs-"))
    os.environ["TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS"] = str(rollout_seconds)
    emulator = Emulator(port=free_port(), state_dir=root / "emulator")
    emulator.start()
    env = dict(
        os.environ,
        TEAMF_TEST_ENDPOINT=emulator.url,
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    try:
        inv = str(inventory(root, count))
        run([str(BIN / "ansible-playbook"), "site.yml", "-i", inv], env)  # setup, not timed
        ours = run([str(BIN / "ansible-playbook"), "playbooks/redeploy.yml", "-i", inv, "-e", "image_tag=v2"], env)
        cluster = f"teamf-{ENV_NAME}"
        aws = dict(env, AWS_ENDPOINT_URL=emulator.url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        start = time.monotonic()
        for index in range(1, count + 1):
            service = f"svc-{index:02d}"
            run(
                [str(ecs), "deploy", cluster, service, "--tag", "v3", "--region", "ap-northeast-2", "--timeout", "600"],
                aws,
            )
        theirs = time.monotonic() - start
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10], help="numbers of services to redeploy")
    parser.add_argument("--rollout-seconds", type=int, default=5, help="simulated time of each ECS deployment")
    args = parser.parse_args()
    ecs = ecs_deploy()
    rows = [(count, *measure(count, args.rollout_seconds, ecs)) for count in args.counts]
    print(f"redeploy, {args.rollout_seconds} s simulated rollout per deployment ({os.cpu_count()} cores)")
    print(f"  {'services':>8}  {'redeploy.yml':>12}  {'ecs-deploy':>10}  {'ecs-deploy / ours':>17}")
    for count, ours, theirs in rows:
        print(f"  {count:>8}  {ours:>10.1f} s  {theirs:>8.1f} s  {theirs / ours:>17.2f}")


if __name__ == "__main__":
    main()
