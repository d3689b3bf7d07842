"""Side by side: site.yml --limit prod vs Terraform on the same estate, against fresh emulators.

    .venv/bin/python benchmarks/vs_terraform.py                    # 3 interleaved trials, all phases
    .venv/bin/python benchmarks/vs_terraform.py --trials 5 --json build/vs_terraform.json
    .venv/bin/python benchmarks/vs_terraform.py --skip-peer --phases converge,noop
    .venv/bin/python benchmarks/vs_terraform.py --smoke            # seconds: terraform validate, playbook syntax

The peer is `benchmarks/terraform/prod/` (hashicorp/aws 5.100): the resources `site.yml -i
inventories/local --limit prod` creates, Helm releases excluded on both sides (ours skips the Helm play
with `-e '{"eks_cluster_endpoint": ""}'`, the eks role's output that play waits for). Terraform comes
from PATH and the provider from a local filesystem mirror (found under /opt/tf-plugins, ~/.terraform.d/
plugins, /usr/share/terraform/plugins, or $TEAMF_TF_PLUGIN_MIRROR); nothing is ever downloaded. When
either is missing the peer is skipped, and the script says why.

Each trial starts a fresh emulator on a free port for each tool, A/B interleaved (terraform, ours,
terraform, ours, ...), and measures per phase:

    converge  terraform apply                       site.yml --limit prod
    noop      terraform plan -detailed-exitcode     site.yml --limit prod again (changed=0 expected)
    destroy   terraform destroy                     playbooks/teardown.yml -e confirm=prod -e remove_platform=true

wall time; controller CPU (user+sys of the whole process tree: RUSAGE_CHILDREN deltas, with this
process as the subreaper, so Ansible's daemonized async jobs count too); emulator CPU (the emulator
process's utime+stime from /proc); AWS API calls (the emulator's request counter,
GET/DELETE /moto-api/teamf/faults). Resources are counted by type on both sides after converge: the
Terraform state, and for both tools the same boto3 describes against the emulator. Medians, ratios
(ours / Terraform) and the counts are printed as markdown; --json writes every raw figure.

A benchmark, not a test: it asserts nothing about speed. `terraform init` (a symlink to the mirror)
runs once, before the trials, and is not timed, as ours has its venv.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from emulator.kube.launcher import KubeEmulator  # noqa: E402  (needs the repo root on sys.path)
from emulator.launcher import Emulator  # noqa: E402

FIXTURES = REPO / "benchmarks" / "terraform" / "prod"
PROVIDER = "registry.terraform.io/hashicorp/aws"
PROVIDER_VERSION = "5.100.0"
MIRROR_CANDIDATES = [
    Path("/opt/tf-plugins"),
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/local/share/terraform/plugins"),
    Path("/usr/share/terraform/plugins"),
]
PHASES = ("converge", "noop", "destroy")
TOOLS = ("terraform", "ours")
ENV = "prod"
# The Helm play of site.yml runs only once the eks role published the cluster's endpoint: an extra var
# (which wins over set_fact) keeps it out, so both tools build the same estate.
NO_HELM = ["-e", json.dumps({"eks_cluster_endpoint": ""})]
OURS_COMMANDS = {
    "converge": ["site.yml", "-i", "inventories/local", "--limit", ENV, *NO_HELM],
    "noop": ["site.yml", "-i", "inventories/local", "--limit", ENV, *NO_HELM],
    # The account-wide registry and CI identity go too: Terraform destroys everything it created.
    "destroy": [
        "playbooks/teardown.yml",
        "-i",
        "inventories/local",
        "--limit",
        ENV,
        "-e",
        f"confirm={ENV}",
        "-e",
        json.dumps({"remove_platform": True}),
    ],
}
TF_COMMANDS = {
    "converge": ["apply", "-auto-approve"],
    # 0: no changes, 2: changes (the estate drifted from its own configuration: reported, not fatal).
    "noop": ["plan", "-detailed-exitcode"],
    "destroy": ["destroy", "-auto-approve"],
}
TF_FLAGS = ["-input=false", "-no-color"]
PR_SET_CHILD_SUBREAPER = 36


# ---- pure helpers (tests/unit/benchmarks/) -----------------------------------------------------


def median(values: list[float]) -> float | None:
    """The median of the values that were measured (None where a run failed); None if there are none."""
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or not theirs:
        return None
    return ours / theirs


def count_state_list(lines: list[str] | str) -> dict[str, int]:
    """Resources by type from `terraform state list` output (data sources are not resources)."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    counts: collections.Counter[str] = collections.Counter()
    for line in lines:
        address = line.strip()
        if not address:
            continue
        # module.x.aws_subnet.this["a"] -> drop module path and instance key
        parts = re.sub(r"\[[^\]]*\]", "", address).split(".")
        while parts and parts[0] == "module":
            parts = parts[2:]
        if not parts or parts[0] == "data" or len(parts) < 2:
            continue
        counts[parts[0]] += 1
    return dict(sorted(counts.items()))


def recap_changed(output: str, host: str = ENV) -> int | None:
    """`changed=` of ``host`` in ansible-playbook's PLAY RECAP (None if there is no recap line)."""
    match = re.search(rf"^{re.escape(host)}\s*:\s*ok=\d+\s+changed=(\d+)", output, re.MULTILINE)
    return int(match.group(1)) if match else None


def _fmt_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


def _fmt_count(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}\u00d7" if value < 10 else f"{value:.1f}\u00d7"


def summarize(trials: list[dict]) -> dict:
    """Medians per tool, phase and metric over the trials: {tool: {phase: {metric: median}}}."""
    values: dict = collections.defaultdict(lambda: collections.defaultdict(lambda: collections.defaultdict(list)))
    for trial in trials:
        for phase, run in trial["phases"].items():
            for metric in ("wall_s", "cpu_s", "emulator_cpu_s", "api_calls"):
                values[trial["tool"]][phase][metric].append(run.get(metric) if run.get("ok") else None)
    return {
        tool: {
            phase: {metric: median(series) for metric, series in metrics.items()} for phase, metrics in phases.items()
        }
        for tool, phases in values.items()
    }


def format_table(medians: dict, trials: int, peer_label: str, ours_label: str) -> str:
    """The markdown table of issue 14: wall / CPU per phase, emulator CPU and API calls, ratios ours/peer."""
    tf, ours = medians.get("terraform", {}), medians.get("ours", {})

    def get(side, phase, metric):
        return side.get(phase, {}).get(metric)

    titles = {
        "converge": "first converge",
        "noop": "no-op rerun (`terraform plan`)",
        "destroy": "destroy",
    }
    phases = [phase for phase in PHASES if phase in tf or phase in ours]
    rows = [
        f"| phase (medians of {trials} interleaved trials) | {peer_label} | {ours_label} | ratio |",
        "|---|---|---|---|",
    ]
    for phase in phases:
        pair = [(get(side, phase, "wall_s"), get(side, phase, "cpu_s")) for side in (tf, ours)]
        rows.append(
            f"| {titles[phase]}, wall / controller CPU | "
            + " | ".join(f"{_fmt_seconds(w)} / {_fmt_seconds(c)}" for w, c in pair)
            + f" | {_fmt_ratio(ratio(pair[1][0], pair[0][0]))} / {_fmt_ratio(ratio(pair[1][1], pair[0][1]))} |"
        )
    names = " / ".join(phases)
    for metric, label, fmt in (
        ("emulator_cpu_s", "emulator CPU", _fmt_seconds),
        ("api_calls", "AWS API calls", _fmt_count),
    ):
        cells = [" / ".join(fmt(get(side, phase, metric)) for phase in phases) for side in (tf, ours)]
        ratios = " / ".join(_fmt_ratio(ratio(get(ours, p, metric), get(tf, p, metric))) for p in phases)
        rows.append(f"| {label}: {names} | {cells[0]} | {cells[1]} | {ratios} |")
    return "\n".join(rows)


def format_counts(counts: dict[str, dict[str, int]]) -> str:
    """Resources by type, one column per source (terraform state, emulator after each tool)."""
    sources = list(counts)
    types = sorted({kind for source in counts.values() for kind in source})
    rows = ["| resource type | " + " | ".join(sources) + " |", "|---" * (len(sources) + 1) + "|"]
    for kind in types:
        rows.append(f"| `{kind}` | " + " | ".join(str(counts[s].get(kind, 0)) for s in sources) + " |")
    rows.append("| **total** | " + " | ".join(str(sum(counts[s].values())) for s in sources) + " |")
    return "\n".join(rows)


# ---- the estate as the emulator holds it ----------------------------------------------------------


def count_emulator(url: str) -> dict[str, int]:
    """The estate's resources by Terraform type, read back with boto3 describes (both tools alike).

    Only what the tools manage: no default VPC and its parts, no main route tables, no local routes,
    no security group EKS made (the cluster security group) or default group, no AWS managed policies
    or keys, no NAT gateways in state deleted, no KMS keys pending deletion.
    """
    import boto3  # the venv's; imported here so --help and the pure helpers need none

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="ap-northeast-2"
    )
    ec2, iam, eks, kms, ecr = (session.client(name, endpoint_url=url) for name in ("ec2", "iam", "eks", "kms", "ecr"))
    counts: collections.Counter[str] = collections.Counter()
    vpc_ids = [vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"] if not vpc.get("IsDefault")]
    counts["aws_vpc"] = len(vpc_ids)
    if vpc_ids:
        in_vpcs = [{"Name": "vpc-id", "Values": vpc_ids}]
        counts["aws_subnet"] = len(ec2.describe_subnets(Filters=in_vpcs)["Subnets"])
        attached = [{"Name": "attachment.vpc-id", "Values": vpc_ids}]
        counts["aws_internet_gateway"] = len(ec2.describe_internet_gateways(Filters=attached)["InternetGateways"])
        for table in ec2.describe_route_tables(Filters=in_vpcs)["RouteTables"]:
            associations = [a for a in table.get("Associations", []) if not a.get("Main")]
            if any(a.get("Main") for a in table.get("Associations", [])) and not associations:
                continue  # the VPC's main route table
            counts["aws_route_table"] += 1
            counts["aws_route"] += sum(1 for r in table["Routes"] if r.get("Origin") == "CreateRoute")
            counts["aws_route_table_association"] += len(associations)
        for group in ec2.describe_security_groups(Filters=in_vpcs)["SecurityGroups"]:
            tags = {tag["Key"] for tag in group.get("Tags", [])}
            if group["GroupName"] == "default" or "aws:eks:cluster-name" in tags:
                continue
            counts["aws_security_group"] += 1
            rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group["GroupId"]]}])
            for rule in rules["SecurityGroupRules"]:
                counts[
                    "aws_vpc_security_group_egress_rule" if rule["IsEgress"] else "aws_vpc_security_group_ingress_rule"
                ] += 1
    counts["aws_eip"] = len(ec2.describe_addresses()["Addresses"])
    counts["aws_nat_gateway"] = sum(
        1 for nat in ec2.describe_nat_gateways()["NatGateways"] if nat["State"] != "deleted"
    )
    counts["aws_launch_template"] = len(ec2.describe_launch_templates()["LaunchTemplates"])
    for role in iam.list_roles()["Roles"]:
        if role["Path"].startswith("/aws-service-role/"):
            continue
        counts["aws_iam_role"] += 1
        counts["aws_iam_role_policy_attachment"] += len(
            iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
        )
        counts["aws_iam_role_policy"] += len(iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"])
    counts["aws_iam_policy"] = len(iam.list_policies(Scope="Local")["Policies"])
    counts["aws_iam_openid_connect_provider"] = len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"])
    for key in kms.list_keys()["Keys"]:
        metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        if metadata["KeyManager"] == "CUSTOMER" and metadata["KeyState"] != "PendingDeletion":
            counts["aws_kms_key"] += 1
    counts["aws_kms_alias"] = sum(
        1 for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")
    )
    for cluster in eks.list_clusters()["clusters"]:
        counts["aws_eks_cluster"] += 1
        counts["aws_eks_node_group"] += len(eks.list_nodegroups(clusterName=cluster)["nodegroups"])
        counts["aws_eks_addon"] += len(eks.list_addons(clusterName=cluster)["addons"])
        for principal in eks.list_access_entries(clusterName=cluster)["accessEntries"]:
            counts["aws_eks_access_entry"] += 1
            policies = eks.list_associated_access_policies(clusterName=cluster, principalArn=principal)
            counts["aws_eks_access_policy_association"] += len(policies["associatedAccessPolicies"])
    for repository in ecr.describe_repositories()["repositories"]:
        counts["aws_ecr_repository"] += 1
        try:
            ecr.get_lifecycle_policy(repositoryName=repository["repositoryName"])
            counts["aws_ecr_lifecycle_policy"] += 1
        except ecr.exceptions.LifecyclePolicyNotFoundException:
            pass
    return {kind: count for kind, count in sorted(counts.items()) if count}


# ---- measuring ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def become_subreaper() -> bool:
    """Orphaned descendants (Ansible's async jobs daemonize) re-parent to us, so their CPU is counted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans() -> None:
    """Wait for every descendant that has exited, so RUSAGE_CHILDREN includes it."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def process_cpu(pid: int | None) -> float | None:
    """utime + stime of one process, in seconds (/proc/<pid>/stat fields 14 and 15)."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def api_requests(url: str, method: str = "GET") -> dict:
    """The emulator's request counters (DELETE also zeroes them); /moto-api/ itself is never counted.

    ``{"total": N, "by_service": {"ec2": {"DescribeVpcs": 12, ...}, ...}}``
    """
    request = urllib.request.Request(f"{url}/moto-api/teamf/faults", method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["requests"]


@dataclass
class Run:
    ok: bool
    rc: int
    wall_s: float
    cpu_s: float
    emulator_cpu_s: float | None
    api_calls: int
    load_1m: float
    log: str
    api_by_service: dict
    changed: int | None = None
    note: str = ""


def measured(command: list[str], *, cwd: Path, env: dict, emulator: Emulator, log: Path, ok_codes=(0,)) -> Run:
    reap_orphans()
    api_requests(emulator.url, "DELETE")
    pid = emulator.pid()
    emulator_before = process_cpu(pid)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    wall = time.monotonic() - start
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    emulator_after = process_cpu(pid)
    requests = api_requests(emulator.url)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    emulator_cpu = None if emulator_before is None or emulator_after is None else emulator_after - emulator_before
    load = os.getloadavg()[0]
    ok = proc.returncode in ok_codes
    return Run(ok, proc.returncode, wall, cpu, emulator_cpu, requests["total"], load, str(log), requests["by_service"])


# ---- the two tools ----------------------------------------------------------------------------------


def find_mirror() -> Path | None:
    """A filesystem mirror (unpacked or packed layout) holding hashicorp/aws PROVIDER_VERSION."""
    env = os.environ.get("TEAMF_TF_PLUGIN_MIRROR")
    for root in ([Path(env)] if env else []) + MIRROR_CANDIDATES:
        base = root / PROVIDER
        if (base / PROVIDER_VERSION).is_dir() or list(base.glob(f"terraform-provider-aws_{PROVIDER_VERSION}_*.zip")):
            return root
    return None


class Terraform:
    """The peer: a private working copy of the fixtures, initialised once from the local mirror."""

    label = "Terraform"

    def __init__(self, workdir: Path):
        self.binary = shutil.which("terraform")
        self.mirror = find_mirror()
        self.workdir = workdir / "terraform"
        self.version = ""

    def unavailable(self) -> str | None:
        if not self.binary:
            return "terraform is not on PATH"
        if not self.mirror:
            places = ", ".join(str(p) for p in MIRROR_CANDIDATES)
            return (
                f"no filesystem mirror with {PROVIDER} {PROVIDER_VERSION} (looked in $TEAMF_TF_PLUGIN_MIRROR, {places})"
            )
        return None

    def env(self, endpoint: str = "http://127.0.0.1:1") -> dict:
        return dict(
            os.environ,
            TF_CLI_CONFIG_FILE=str(self.workdir.parent / "terraform.rc"),
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            CHECKPOINT_DISABLE="1",  # no version check over the network
            TF_VAR_endpoint=endpoint,
        )

    def prepare(self) -> None:
        (self.workdir.parent / "terraform.rc").write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{self.mirror}"\n    include = ["{PROVIDER}"]\n  }}\n'
            '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
        )
        shutil.copytree(FIXTURES, self.workdir, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
        self.run_checked(["init", "-input=false", "-no-color"])
        version = json.loads(self.run_checked(["version", "-json"]))
        provider = version.get("provider_selections", {}).get(PROVIDER, PROVIDER_VERSION)
        self.version = f"Terraform {version['terraform_version']} + AWS provider {provider}"

    def run_checked(self, args: list[str], endpoint: str = "http://127.0.0.1:1") -> str:
        proc = subprocess.run(
            [self.binary, *args], cwd=self.workdir, env=self.env(endpoint), capture_output=True, text=True, check=False
        )
        if proc.returncode:
            raise RuntimeError(f"terraform {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
        return proc.stdout

    def reset(self) -> None:
        for state in self.workdir.glob("terraform.tfstate*"):
            state.unlink()

    def phase(self, phase: str, emulator: Emulator, log: Path) -> Run:
        ok_codes = (0, 2) if phase == "noop" else (0,)
        run = measured(
            [self.binary, *TF_COMMANDS[phase], *TF_FLAGS],
            cwd=self.workdir,
            env=self.env(emulator.url),
            emulator=emulator,
            log=log,
            ok_codes=ok_codes,
        )
        if phase == "noop":
            run.changed = 0 if run.rc == 0 else None
            if run.rc == 2:
                run.note = "plan found changes: " + ", ".join(re.findall(r"^Plan: .*$", Path(log).read_text(), re.M))
        return run

    def state_counts(self, emulator: Emulator) -> dict[str, int]:
        return count_state_list(self.run_checked(["state", "list"], emulator.url))


class Ours:
    label = f"site.yml --limit {ENV}"

    def __init__(self, workdir: Path):
        self.workdir = workdir / "ours"
        self.playbook = str(Path(sys.executable).parent / "ansible-playbook")
        self.kube: KubeEmulator | None = None
        self.version = self.label

    def unavailable(self) -> str | None:
        return None if Path(self.playbook).exists() else f"{self.playbook} not found (make setup)"

    def prepare(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)

    def reset(self) -> None:
        pass

    def start_side_servers(self, trial: int) -> None:
        # teardown.yml uninstalls Helm releases first: it needs the cluster's Kubernetes API (a stand-in).
        self.kube = KubeEmulator(port=free_port(), state_dir=self.workdir / f"kube-{trial}", ready_delay=0.2)
        self.kube.start()

    def stop_side_servers(self) -> None:
        if self.kube:
            self.kube.stop()
            self.kube = None

    def env(self, emulator: Emulator) -> dict:
        return dict(
            os.environ,
            PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
            ANSIBLE_NOCOLOR="1",
            TEAMF_TEST_ENDPOINT=emulator.url,
            TEAMF_TEST_KUBE_ENDPOINT_PROD=self.kube.url if self.kube else "http://127.0.0.1:1",
            TEAMF_SECRETS_DIR=str(self.workdir / "secrets"),
        )

    def phase(self, phase: str, emulator: Emulator, log: Path) -> Run:
        run = measured(
            [self.playbook, *OURS_COMMANDS[phase]], cwd=REPO, env=self.env(emulator), emulator=emulator, log=log
        )
        run.changed = recap_changed(Path(log).read_text())
        if phase == "noop" and run.changed:
            run.note = f"rerun changed={run.changed}"
        return run


# ---- the benchmark ---------------------------------------------------------------------------------


def one_trial(tool, name: str, trial: int, phases: list[str], workdir: Path) -> dict:
    emulator = Emulator(port=free_port(), state_dir=workdir / f"emulator-{name}-{trial}")
    emulator.start()
    if hasattr(tool, "start_side_servers"):
        tool.start_side_servers(trial)
    tool.reset()
    result = {"tool": name, "trial": trial, "phases": {}, "resources": {}}
    try:
        for phase in phases:
            log = workdir / f"{name}-{trial}-{phase}.log"
            run = tool.phase(phase, emulator, log)
            result["phases"][phase] = asdict(run)
            status = "ok" if run.ok else f"FAILED rc={run.rc} (log {log})"
            emu = "-" if run.emulator_cpu_s is None else f"{run.emulator_cpu_s:.1f}"
            print(
                f"  {name:9} trial {trial} {phase:8} wall {run.wall_s:6.1f} s  cpu {run.cpu_s:6.1f} s  "
                f"emulator {emu} s  api {run.api_calls:4d}  load {run.load_1m:.1f}  {status} {run.note}",
                flush=True,
            )
            if phase == "converge" and run.ok:
                result["resources"]["emulator"] = count_emulator(emulator.url)
                if name == "terraform":
                    result["resources"]["state"] = tool.state_counts(emulator)
            if phase == "destroy" and run.ok:
                result["resources"]["left_after_destroy"] = count_emulator(emulator.url)
            if not run.ok:
                break
    finally:
        if hasattr(tool, "stop_side_servers"):
            tool.stop_side_servers()
        emulator.stop()
        reap_orphans()
    return result


def smoke(tools: dict) -> int:
    """Cheap checks of both sides without an emulator: terraform validate, the playbooks' syntax."""
    failures = 0
    for name, tool in tools.items():
        reason = tool.unavailable()
        if reason:
            print(f"{name}: skipped ({reason})")
            continue
        tool.prepare()
        if name == "terraform":
            print(tool.run_checked(["validate", "-no-color"]).strip())
            continue
        for playbook in ("site.yml", "playbooks/teardown.yml"):
            proc = subprocess.run(
                [tool.playbook, "--syntax-check", playbook, "-i", "inventories/local", "--limit", ENV],
                cwd=REPO,
                env=dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg")),
                capture_output=True,
                text=True,
                check=False,
            )
            print(f"ansible-playbook --syntax-check {playbook}: {'ok' if proc.returncode == 0 else proc.stderr}")
            failures += proc.returncode != 0
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3, help="interleaved trials per tool (default 3)")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset of converge,noop,destroy")
    parser.add_argument("--skip-peer", action="store_true", help="run ours only")
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    parser.add_argument(
        "--keep", type=Path, help="keep logs and emulator state here (default: a temporary directory, removed)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="terraform validate and playbook syntax checks only (seconds)"
    )
    args = parser.parse_args(argv)
    phases = [phase for phase in args.phases.split(",") if phase]
    unknown = sorted(set(phases) - set(PHASES))
    if unknown or not phases:
        parser.error(f"--phases: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(PHASES)}")
    phases = [phase for phase in PHASES if phase in phases]
    if phases[0] != "converge":
        parser.error("--phases must include converge (the other phases need the estate it builds)")

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="vs-terraform-"))
    workdir.mkdir(parents=True, exist_ok=True)
    tools: dict = {"terraform": Terraform(workdir), "ours": Ours(workdir)}
    if args.skip_peer:
        del tools["terraform"]
    if args.smoke:
        return smoke(tools)
    skipped = {}
    for name in list(tools):
        reason = tools[name].unavailable()
        if reason:
            skipped[name] = reason
            print(f"{name}: skipped ({reason})")
            del tools[name]
    if not tools:
        return 1
    for tool in tools.values():
        tool.prepare()
    subreaper = become_subreaper()
    started = datetime.now(UTC)
    print(f"{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; logs in {workdir}")
    trials = []
    try:
        for trial in range(1, args.trials + 1):
            for name, tool in tools.items():
                trials.append(one_trial(tool, name, trial, phases, workdir))
                if args.json:  # so an interrupted run keeps what it measured
                    args.json.parent.mkdir(parents=True, exist_ok=True)
                    args.json.write_text(
                        json.dumps({"started": started.isoformat(), "trials": trials}, indent=2) + "\n"
                    )
    finally:
        failed = any(not run["ok"] for t in trials for run in t["phases"].values())
        if not args.keep and not failed:
            shutil.rmtree(workdir, ignore_errors=True)
        elif failed:
            print(f"logs kept in {workdir}")
    medians = summarize(trials)
    peer_label = tools["terraform"].version if "terraform" in tools else "Terraform (skipped)"
    table = format_table(medians, args.trials, peer_label, Ours.label)
    counts = {}
    for name in ("terraform", "ours"):
        first = next((t for t in trials if t["tool"] == name and t["resources"].get("emulator")), None)
        if first:
            if "state" in first["resources"]:
                counts["terraform state list"] = first["resources"]["state"]
            counts[f"emulator after {name}"] = first["resources"]["emulator"]
    notes = sorted(
        {
            f"{t['tool']} trial {t['trial']} {p}: {r['note']}"
            for t in trials
            for p, r in t["phases"].items()
            if r["note"]
        }
    )
    failures = [
        f"{t['tool']} trial {t['trial']} {p}: rc {r['rc']}"
        for t in trials
        for p, r in t["phases"].items()
        if not r["ok"]
    ]
    print()
    print(table)
    print()
    print(format_counts(counts) if counts else "(no resource counts: no converge succeeded)")
    for line in notes + failures:
        print(f"- {line}")
    loads = [r["load_1m"] for t in trials for r in t["phases"].values()]
    print(f"\n{os.cpu_count()} cores; 1-minute load after each phase: median {median(loads):.1f}, max {max(loads):.1f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "started": started.isoformat(),
                    "cores": os.cpu_count(),
                    "subreaper": subreaper,
                    "peer": peer_label,
                    "skipped": skipped,
                    "phases": phases,
                    "trials": trials,
                    "medians": medians,
                    "resources": counts,
                    "table": table,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"raw figures in {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
