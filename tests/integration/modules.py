"""Run the collection's modules through ansible-playbook against the session's emulator.

``run_module`` runs one task and returns its result; ``run_steps`` runs several tasks in a single
playbook (one ansible-playbook start-up instead of many) and returns one result per step. Every
task gets ``ignore_errors``, so failed results come back too (``result["failed"] is True``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.conftest import REGION, REPO_ROOT, ansible_env

ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


def aws_args(emulator) -> dict[str, str]:
    """Connection options of the amazon.aws modules, pointing at ``emulator``."""
    return {"endpoint_url": emulator.url, "access_key": "testing", "secret_key": "testing", "region": REGION}


@dataclass
class Step:
    """One task: ``module`` with ``args`` (connection options added), optionally in check/diff mode."""

    module: str
    args: dict = field(default_factory=dict)
    check: bool = False
    diff: bool = False


def run_steps(emulator, steps: list[Step]) -> list[dict]:
    """Run ``steps`` in order in one playbook; return each task's result dict."""
    tasks = [
        {
            "name": f"step {index}",
            step.module: dict(step.args, **aws_args(emulator)),
            "check_mode": step.check,
            "diff": step.diff,
            "ignore_errors": True,
        }
        for index, step in enumerate(steps)
    ]
    playbook = [
        {
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars": {"ansible_python_interpreter": sys.executable},
            "tasks": tasks,
        }
    ]
    env = ansible_env(emulator)
    env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    with tempfile.TemporaryDirectory(prefix="run-module-") as workdir:
        playbook_file = Path(workdir) / "playbook.yml"
        playbook_file.write_text(yaml.safe_dump(playbook, sort_keys=False))
        run = subprocess.run(
            [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(playbook_file)],
            env=env,
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=900,
            check=False,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    play = json.loads(run.stdout)["plays"][0]
    results = [task["hosts"]["localhost"] for task in play["tasks"]]
    assert len(results) == len(steps), run.stdout + run.stderr
    return results


def run_module(emulator, module: str, args: dict, check: bool = False, diff: bool = False) -> dict:
    """Run ``module`` once with ``args``; return the task result (failed runs included)."""
    return run_steps(emulator, [Step(module, args, check=check, diff=diff)])[0]
