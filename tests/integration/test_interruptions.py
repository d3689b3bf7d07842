"""A converge killed at any point is finished by the next run: nothing twice, nothing left behind.

One chain of runs of ``site.yml`` on one private emulator: each run is killed with SIGKILL of its
process group and of its workers' groups (ansible-playbook, its workers, the modules and helm; not
the async jobs, which detach as the AWS-side work they wait for would outlive a crash anyway) at the
next kill point, and the next run starts from
what it left:

1. ``--limit dev,staging``: the VPCs (both environments converge them in the same play), right after
   the first CreateNatGateway;
2. ``--limit dev,staging``: dev's ECS services, right after the first CreateService;
3. ``--limit staging`` from here on (dev's ECS layer is not run again for each EKS kill point, to keep
   the test cheap): the secrets key, right after CreateKey; CreateAlias is held back by the emulator's
   fault injection, so the kill lands between the two calls, where the key has no alias yet;
4. the wait for the cluster;
5. the nodegroups, right after CreateNodegroup;
6. the Helm releases, once one of them is ``pending-install`` or ``pending-upgrade``.

Then ``--limit dev,staging`` finishes the job and a second such run changes nothing (changed=0 for
every host in PLAY RECAP). The resources per type, read back with boto3 and helm, then equal those of one
uninterrupted converge of the same limit, run meanwhile on a second private emulator and Kubernetes
stand-in.

That reference converge runs on a flaky AWS: its emulator throttles a seeded fifth of every service's
calls (``THROTTLING``; ``emulator/README.md``, fault injection), and its rerun, throttled too, changes
nothing. So one comparison proves both stories on an ECS and an EKS environment (prod is staging's
twin): neither an interrupted nor a throttled converge creates anything twice or leaves anything out.
A resource duplicated or missed on one side shows as a difference; the services that were throttled
are checked, so a fault rule that never fired cannot pass for a clean run.

Each kill point is checked to have hit: the killed run printed the task, the emulator (or the
Kubernetes stand-in) saw the call the kill waits for, and the run died of SIGKILL.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from emulator.faults import call_endpoint
from emulator.kube.launcher import KubeEmulator
from tests.conftest import REGION, REPO_ROOT, _free_port, ansible_env
from tests.integration.conftest import estate_counts

ALL = "dev,staging"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
HELM = Path(sys.executable).parent / "helm"
RUN_TIMEOUT = 1200
# How long a kill point waits for its call once the task started; a safety net, not a measure.
TRIGGER_TIMEOUT = 300
# CreateAlias answered with throttling until the run is killed: its retries keep the key alias-less.
# The reference estate's emulator throttles a fifth of every service's calls, seeded.
THROTTLING = {"seed": 3, "rate": 0.2, "kinds": ["throttling"]}
HOLD_ALIAS = {"seed": 1, "rules": [{"rate": 1.0, "services": ["kms"], "actions": ["CreateAlias"]}]}
RECAP_LINE = re.compile(r"^(\S+)\s+:\s+(ok=\d+.*)$", re.MULTILINE)


@dataclass
class Estate:
    """A private emulator and a Kubernetes stand-in for staging, and the environment runs use to reach them."""

    emulator: object
    kube: KubeEmulator
    home: Path

    @property
    def env(self) -> dict[str, str]:
        return dict(
            ansible_env(self.emulator),
            TEAMF_TEST_KUBE_ENDPOINT_STAGING=self.kube.url,
            TEAMF_SECRETS_DIR=str(self.home / "secrets"),
            # The kills wait for a task's "TASK [...]" banner as it starts: the default callback prints
            # one per task (the project's quiet one, ansible.cfg, prints only changes).
            ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
        )

    def aws(self, service: str):
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        return session.client(service, endpoint_url=self.emulator.url)

    def requests(self, service: str, action: str) -> int:
        """How many ``action`` calls the emulator has answered (the fault endpoint counts them)."""
        status = call_endpoint(self.emulator.url, "GET")
        return status["requests"]["by_service"].get(service, {}).get(action, 0)

    def releases(self) -> list[tuple[str, str, str]]:
        """Every Helm release in any state (``-a``: pending and failed ones too), as (namespace, name, status)."""
        kubeconfig = self.home / "kubeconfig"
        if not kubeconfig.exists():
            self.kube.write_kubeconfig(kubeconfig)
        listed = subprocess.run(
            [str(HELM), "list", "-A", "-a", "-o", "json"],
            env=dict(os.environ, KUBECONFIG=str(kubeconfig), HELM_CACHE_HOME=str(self.home / "helm-cache")),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return sorted((r["namespace"], r["name"], r["status"]) for r in json.loads(listed.stdout))


@pytest.fixture(scope="module")
def estates(emulator_factory, tmp_path_factory):
    """Two estates: ``chain`` for the interrupted runs, ``reference`` (throttled) for the uninterrupted converge."""
    built, stand_ins = {}, []
    for name in ("chain", "reference"):
        faults = {"TEAMF_EMULATOR_FAULTS": json.dumps(THROTTLING)} if name == "reference" else {}
        emu = emulator_factory(isolation=f"interruptions-{name}", TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS="1", **faults)
        home = tmp_path_factory.mktemp(f"interruptions-{name}")
        kube = KubeEmulator(port=_free_port(), state_dir=home / "kube", ready_delay=0.2)
        kube.start()
        stand_ins.append(kube)
        built[name] = Estate(emu, kube, home)
    yield built
    for kube in stand_ins:
        kube.stop()


def start_converge(estate: Estate, log: Path) -> subprocess.Popen:
    """``site.yml --limit dev,staging`` in a process group of its own, in the background, its output into ``log``."""
    with log.open("w") as out:
        return subprocess.Popen(
            [str(ANSIBLE_PLAYBOOK), "site.yml", "-i", "inventories/local", "--limit", ALL],
            cwd=REPO_ROOT,
            env=estate.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@dataclass
class Run:
    rc: int
    output: str
    reached: str | None = None  # the TASK line the kill waited for
    triggered: bool = False  # whether the call it waited for was seen before the kill

    def recap(self) -> dict[str, dict[str, int]]:
        return {
            host: {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts)}
            for host, counts in RECAP_LINE.findall(self.output)
        }


def descendants(root: int) -> list[int]:
    """``root`` and every process descended from it, read from /proc (parent ids)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def process_groups(root: int) -> set[int]:
    groups = set()
    for pid in descendants(root):
        with contextlib.suppress(ProcessLookupError):
            groups.add(os.getpgid(pid))
    return groups


def kill_run(proc: subprocess.Popen) -> None:
    """SIGKILL the run: ansible-playbook's process group and those of its workers, with their modules and helm.

    ansible-core's workers call setsid, so a SIGKILL of ansible-playbook's group alone leaves them
    running: the module being run would still finish its calls. Everything is stopped first, so
    nothing forks while the groups are collected.
    """
    stopped: set[int] = set()
    while new := process_groups(proc.pid) - stopped:
        for group in new:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGSTOP)
        stopped |= new
    for group in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def converge(
    estate: Estate, log: Path, limit: str = ALL, task: str | None = None, trigger: Callable | None = None
) -> Run:
    """Run ``site.yml --limit limit``; with ``task``, kill it (``kill_run``) once that task started and
    ``trigger`` fired. The output is kept in ``log``, line by line.

    ``trigger(estate)`` is called when the task's line is printed and returns the check to poll.
    """
    proc = subprocess.Popen(
        [str(ANSIBLE_PLAYBOOK), "site.yml", "-i", "inventories/local", "--limit", limit],
        cwd=REPO_ROOT,
        env=estate.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines, reached, triggered = [], None, False
    with log.open("w", buffering=1) as kept:
        try:
            for line in proc.stdout:
                lines.append(line)
                kept.write(line)
                if task and line.startswith("TASK [") and task in line:
                    reached, check = line.strip(), trigger(estate)
                    deadline = time.monotonic() + TRIGGER_TIMEOUT
                    while not (triggered := check()) and proc.poll() is None and time.monotonic() < deadline:
                        time.sleep(0.2)
                    kill_run(proc)
                    break
            # Not read to the end after a kill: an async job the run started (detached, it outlives
            # the kill as AWS-side work would) may still hold the pipe open.
            proc.stdout.close()
            rc = proc.wait(timeout=RUN_TIMEOUT)
        finally:
            if proc.poll() is None:
                kill_run(proc)
                proc.wait()
    output = "".join(lines)
    return Run(rc, output, reached, triggered)


def after_call(service: str, action: str):
    """A trigger: the emulator answered one more ``action`` than when the task started."""

    def arm(estate: Estate):
        before = estate.requests(service, action)
        return lambda: estate.requests(service, action) > before

    return arm


def after_seconds(seconds: float):
    def arm(estate: Estate):
        end = time.monotonic() + seconds
        return lambda: time.monotonic() >= end

    return arm


def release_pending(estate: Estate):
    return lambda: any(status.startswith("pending-") for _, _, status in estate.releases())


# (what is killed, --limit, the task whose start arms the kill, the trigger, faults on during the run)
KILL_POINTS = [
    (
        "VPC: NAT gateways",
        ALL,
        "Create the NAT gateways in the public tier",
        after_call("ec2", "CreateNatGateway"),
        None,
    ),
    ("dev: ECS services", ALL, "Create the services, or reconcile", after_call("ecs", "CreateService"), None),
    ("staging: KMS key", "staging", "Create the secrets encryption key", after_call("kms", "CreateKey"), HOLD_ALIAS),
    ("staging: cluster wait", "staging", "Wait for the cluster to be ACTIVE", after_seconds(1), None),
    (
        "staging: nodegroups",
        "staging",
        "nodegroup : Converge the nodegroups",
        after_call("eks", "CreateNodegroup"),
        None,
    ),
    ("staging: Helm releases", "staging", "Install or upgrade each release", release_pending, None),
]


def test_killed_and_throttled_converges_make_the_same_estate(estates):
    chain, reference = estates["chain"], estates["reference"]
    uninterrupted = start_converge(reference, reference.home / "uninterrupted.log")
    try:
        for index, (point, limit, task, trigger, faults) in enumerate(KILL_POINTS):
            if faults:
                call_endpoint(chain.emulator.url, "POST", faults)
            try:
                killed = converge(chain, chain.home / f"kill-{index}.log", limit, task, trigger)
            finally:
                if faults:
                    call_endpoint(chain.emulator.url, "DELETE")
            assert killed.reached, f"{point}: the run never reached {task!r}\n{killed.output[-3000:]}"
            assert killed.triggered, (
                f"{point}: the kill's call was not seen in {TRIGGER_TIMEOUT}s\n{killed.output[-3000:]}"
            )
            assert killed.rc == -signal.SIGKILL, f"{point}: rc {killed.rc}, not killed\n{killed.output[-3000:]}"

        finished = converge(chain, chain.home / "finish.log")
        assert finished.rc == 0, finished.output[-5000:]
        rerun = converge(chain, chain.home / "rerun.log")
        assert rerun.rc == 0, rerun.output[-5000:]
        assert set(rerun.recap()) == {"dev", "staging"}, rerun.output[-3000:]
        assert {host: stats["changed"] for host, stats in rerun.recap().items()} == {"dev": 0, "staging": 0}, (
            rerun.output[-5000:]
        )

        assert uninterrupted.wait(timeout=RUN_TIMEOUT) == 0, (reference.home / "uninterrupted.log").read_text()[-5000:]
    finally:
        if uninterrupted.poll() is None:
            kill_run(uninterrupted)
            uninterrupted.wait()
    throttled_rerun = converge(reference, reference.home / "rerun.log")
    assert throttled_rerun.rc == 0, throttled_rerun.output[-5000:]
    assert {host: stats["changed"] for host, stats in throttled_rerun.recap().items()} == {"dev": 0, "staging": 0}, (
        throttled_rerun.output[-5000:]
    )
    # Read back with the faults off; what was throttled comes back with them.
    counted = call_endpoint(reference.emulator.url, "DELETE")
    throttled = {service for service, actions in counted["faults"]["by_service"].items() if actions}
    assert {"ec2", "iam", "eks", "ecs", "kms", "elasticloadbalancing"} <= throttled, counted["faults"]["by_kind"]
    expected = dict(estate_counts(reference.aws), helm_releases=reference.releases())
    assert all(status == "deployed" for _, _, status in expected["helm_releases"]), expected["helm_releases"]
    assert dict(estate_counts(chain.aws), helm_releases=chain.releases()) == expected
