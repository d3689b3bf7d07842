"""Helpers for running the project's playbooks against the session's private emulator."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from emulator.faults import call_endpoint
from emulator.kube.launcher import KubeEmulator
from tests.conftest import REGION, REPO_ROOT, _free_port, ansible_env

ENVIRONMENTS = ("dev", "staging", "prod")


@dataclass
class PlaybookRun:
    rc: int
    output: str
    stats: dict[str, dict[str, int]]

    def changed(self, host: str) -> int:
        return self.stats[host]["changed"]


def run_playbook(emulator, playbook: str, inventory: str | Path, *args: str, env=None, quiet=False) -> PlaybookRun:
    """Run ansible-playbook from the checkout; stats come from the json callback.

    The environment is ``ansible_env(emulator)`` unless ``env`` gives one. With ``quiet``, the run prints
    what a user sees (the project's stdout callback, teamf.platform.platform, ansible.cfg) and the stats
    come from its recap lines.
    """
    env = dict(env if env is not None else ansible_env(emulator))
    if quiet:
        env.pop("ANSIBLE_STDOUT_CALLBACK", None)
    else:
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), playbook, "-i", str(inventory), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,  # a safety net: a throttled whole-estate converge on a busy 2-core runner nears 15 min
        check=False,
    )
    if quiet:
        stats = recap_stats(proc.stdout)
    else:
        try:
            stats = json.loads(proc.stdout)["stats"]
        except (ValueError, KeyError):
            stats = {}
    return PlaybookRun(proc.returncode, proc.stdout + proc.stderr, stats)


# The recap line of plugins/callback/platform.py per host (the default recap's fields, in its order).
RECAP_LINE = re.compile(
    r"^(?P<host>\S+)\s+: ok=(?P<ok>\d+) changed=(?P<changed>\d+) unreachable=(?P<unreachable>\d+)"
    r" failed=(?P<failures>\d+) skipped=(?P<skipped>\d+) rescued=(?P<rescued>\d+) ignored=(?P<ignored>\d+)$",
    re.MULTILINE,
)


def recap_stats(stdout: str) -> dict[str, dict[str, int]]:
    """The per-host counts of the quiet callback's recap, keyed like the json callback's stats."""
    return {
        match["host"]: {key: int(value) for key, value in match.groupdict().items() if key != "host"}
        for match in RECAP_LINE.finditer(stdout)
    }


def clients(emulator):
    """boto3 clients bound to ``emulator``: ``clients(emu)("ecs").describe_services(...)``."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return lambda service: session.client(service, endpoint_url=emulator.url)


def converged_dev(emulator_factory, isolation: str):
    """The local inventory's dev converged by site.yml into an emulator of its own (1-second rollouts)."""
    emu = emulator_factory(isolation=isolation, TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS="1")
    converge = run_playbook(emu, "site.yml", "inventories/local", "--limit", "dev")
    assert converge.rc == 0, converge.output[-3000:]
    return emu


def tagged_leftovers(aws, environment: str) -> list[str]:
    """Everything tagged ManagedBy=teamf.platform for an environment, per service.

    NAT gateways in state ``deleted`` count as gone: AWS lists them for about an hour after deletion;
    KMS keys pending deletion likewise (AWS waits at least seven days).
    """
    ec2, iam, eks, kms = aws("ec2"), aws("iam"), aws("eks"), aws("kms")

    def ours(tags: dict) -> bool:
        return tags.get("ManagedBy") == "teamf.platform" and tags.get("Environment") == environment

    def as_dict(tags: list, key="Key", value="Value") -> dict:
        return {t[key]: t[value] for t in tags}

    filters = [
        {"Name": "tag:ManagedBy", "Values": ["teamf.platform"]},
        {"Name": "tag:Environment", "Values": [environment]},
    ]
    found = [v["VpcId"] for v in ec2.describe_vpcs(Filters=filters)["Vpcs"]]
    found += [s["SubnetId"] for s in ec2.describe_subnets(Filters=filters)["Subnets"]]
    found += [g["InternetGatewayId"] for g in ec2.describe_internet_gateways(Filters=filters)["InternetGateways"]]
    found += [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=filters)["RouteTables"]]
    found += [a["AllocationId"] for a in ec2.describe_addresses(Filters=filters)["Addresses"]]
    found += [g["GroupId"] for g in ec2.describe_security_groups(Filters=filters)["SecurityGroups"]]
    found += [t["LaunchTemplateId"] for t in ec2.describe_launch_templates(Filters=filters)["LaunchTemplates"]]
    found += [
        n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=filters)["NatGateways"] if n["State"] != "deleted"
    ]
    found += [
        f"eks:{name}"
        for name in eks.list_clusters()["clusters"]
        if ours(eks.describe_cluster(name=name)["cluster"]["tags"])
    ]
    found += [
        key["KeyArn"]
        for key in kms.list_keys()["Keys"]
        if ours(as_dict(kms.list_resource_tags(KeyId=key["KeyId"])["Tags"], "TagKey", "TagValue"))
        and kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
    ]
    found += [
        p["Arn"]
        for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        if ours(as_dict(iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=p["Arn"])["Tags"]))
    ]
    found += [
        p["Arn"]
        for p in iam.list_policies(Scope="Local")["Policies"]
        if ours(as_dict(iam.list_policy_tags(PolicyArn=p["Arn"])["Tags"]))
    ]
    found += [
        r["Arn"] for r in iam.list_roles()["Roles"] if ours(as_dict(iam.list_role_tags(RoleName=r["RoleName"])["Tags"]))
    ]
    found += [
        p["Arn"]
        for p in iam.list_instance_profiles()["InstanceProfiles"]
        if p["InstanceProfileName"].startswith(f"teamf-{environment}-")
    ]
    found += ecs_leftovers(aws, environment, ours, as_dict)
    return found


def ecs_leftovers(aws, environment: str, ours, as_dict) -> list[str]:
    """The ECS layer: cluster, capacity providers, task definitions, ALB, target groups, ECR, logs, ASG, Cloud Map."""
    ecs, elbv2, ecr, logs = aws("ecs"), aws("elbv2"), aws("ecr"), aws("logs")
    autoscaling, servicediscovery = aws("autoscaling"), aws("servicediscovery")
    name = f"teamf-{environment}"
    found = [c["clusterArn"] for c in ecs.describe_clusters(clusters=[name])["clusters"] if c["status"] == "ACTIVE"]
    found += [
        p["capacityProviderArn"]
        for p in ecs.describe_capacity_providers(include=["TAGS"])["capacityProviders"]
        if ours(as_dict(p.get("tags", []), "key", "value"))
    ]
    found += [
        arn
        for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]
        if arn.rsplit("/", 1)[-1].startswith(f"{name}-")
    ]
    arns = [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    arns += [tg["TargetGroupArn"] for tg in elbv2.describe_target_groups()["TargetGroups"]]
    for start in range(0, len(arns), 20):
        for description in elbv2.describe_tags(ResourceArns=arns[start : start + 20])["TagDescriptions"]:
            if ours(as_dict(description["Tags"])):
                found.append(description["ResourceArn"])
    found += [
        r["repositoryArn"]
        for r in ecr.describe_repositories()["repositories"]
        if r["repositoryName"].startswith(f"{name}/")
    ]
    found += [g["arn"] for g in logs.describe_log_groups(logGroupNamePrefix=f"/ecs/{name}/")["logGroups"]]
    found += [
        g["AutoScalingGroupARN"]
        for g in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
        if ours(as_dict(g["Tags"]))
    ]
    found += [
        n["Arn"]
        for n in servicediscovery.list_namespaces()["Namespaces"]
        if ours(as_dict(servicediscovery.list_tags_for_resource(ResourceARN=n["Arn"])["Tags"]))
    ]
    return found


# Read-only by name (AWS's own convention), plus the identity calls every play makes first.
READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Search", "Lookup", "BatchGet", "Check", "Query", "Scan")
# FilterLogEvents reads (CloudWatch Logs lists it among the read actions, like GetLogEvents).
READ_ONLY_ACTIONS = frozenset({"GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity", "FilterLogEvents"})


def mutating_requests(endpoint_url: str) -> dict[str, dict[str, int]]:
    """The requests the emulator counted (since the last ``DELETE`` of its counters) that may change state.

    ``{service: {Action: count}}`` from ``GET /moto-api/teamf/faults``, without the read-only actions
    (``READ_ONLY_PREFIXES``, ``READ_ONLY_ACTIONS``); empty when nothing could have changed. Zero the
    counters first with ``call_endpoint(endpoint_url, "DELETE")`` (``emulator.faults``).
    """
    counted = call_endpoint(endpoint_url)["requests"]["by_service"]
    found = {}
    for service, actions in counted.items():
        writes = {
            action: count
            for action, count in actions.items()
            if count and not action.startswith(READ_ONLY_PREFIXES) and action not in READ_ONLY_ACTIONS
        }
        if writes:
            found[service] = writes
    return found


def zero_request_counters(endpoint_url: str) -> None:
    """Start a count for ``mutating_requests`` (also turns fault injection off)."""
    call_endpoint(endpoint_url, "DELETE")


def estate_counts(aws) -> dict:
    """What the account holds, per resource type (names, not ids, so two emulators compare).

    Two converges made the same estate when these are equal: a duplicate or an orphan shows as a
    difference. Deleted NAT gateways and keys pending deletion are gone (AWS lists them for a while).
    """
    ec2, iam, kms, eks, ecs, elbv2 = (aws(s) for s in ("ec2", "iam", "kms", "eks", "ecs", "elbv2"))
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    clusters = sorted(eks.list_clusters()["clusters"])
    templates = ec2.describe_launch_templates()["LaunchTemplates"]
    revisions: dict[str, int] = {}
    for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]:
        family = arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]
        revisions[family] = revisions.get(family, 0) + 1
    return {
        "vpcs": len([v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]),
        "subnets": len([s for s in ec2.describe_subnets()["Subnets"] if not s.get("DefaultForAz")]),
        "internet_gateways": len(ec2.describe_internet_gateways()["InternetGateways"]),
        # AWS lists deleted NAT gateways for about an hour.
        "nat_gateways": len([n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"]),
        "elastic_ips": len(ec2.describe_addresses()["Addresses"]),
        "route_tables": len(ec2.describe_route_tables()["RouteTables"]),
        "security_groups": len(ec2.describe_security_groups()["SecurityGroups"]),
        "iam_roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("teamf-")),
        "instance_profiles": sorted(p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]),
        "iam_policies": len(iam.list_policies(Scope="Local")["Policies"]),
        "oidc_providers": len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]),
        "kms_keys_enabled": len([k for k in keys if k["KeyManager"] == "CUSTOMER" and k["KeyState"] == "Enabled"]),
        "kms_aliases": sorted(
            a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")
        ),
        "eks_clusters": clusters,
        "nodegroups": sorted(n for c in clusters for n in eks.list_nodegroups(clusterName=c)["nodegroups"]),
        "eks_addons": sorted(a for c in clusters for a in eks.list_addons(clusterName=c)["addons"]),
        "access_entries": sum(len(eks.list_access_entries(clusterName=c)["accessEntries"]) for c in clusters),
        "launch_template_versions": sorted(
            (
                t["LaunchTemplateName"],
                len(
                    ec2.describe_launch_template_versions(LaunchTemplateId=t["LaunchTemplateId"])[
                        "LaunchTemplateVersions"
                    ]
                ),
            )
            for t in templates
        ),
        "ecs_services": sorted(
            arn.rsplit("/", 1)[-1]
            for c in ecs.list_clusters()["clusterArns"]
            for arn in ecs.list_services(cluster=c)["serviceArns"]
        ),
        "task_definition_revisions_active": dict(sorted(revisions.items())),
        "target_groups": sorted(t["TargetGroupName"] for t in elbv2.describe_target_groups()["TargetGroups"]),
        "load_balancers": len(elbv2.describe_load_balancers()["LoadBalancers"]),
        "auto_scaling_groups": len(aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]),
        "log_groups": len(aws("logs").describe_log_groups()["logGroups"]),
    }


# What a clean converge of dev makes, per resource type (site.yml --limit dev against a fault-free
# emulator, counted with dev_counts; test_site checks the same estate in detail): two converges of dev at
# once (test_locks) must leave exactly this.
CLEAN_DEV = {
    "vpcs": 1,
    "subnets": 6,
    "internet_gateways": 1,
    "nat_gateways": 1,
    "elastic_ips": 1,
    "route_tables": 3,
    "security_groups": 5,
    "roles": 5,
    "instance_profiles": 1,
    "ecr_repositories": 2,
    "log_groups": 3,
    "auto_scaling_groups": 1,
    "capacity_providers": 1,
    "load_balancers": 1,
    "target_groups": 2,
    "cloud_map_services": 3,
    "ecs_services": 3,
    "task_definition_revisions": 3,
}


def dev_counts(aws):
    ec2, iam, ecs, elbv2 = aws("ec2"), aws("iam"), aws("ecs"), aws("elbv2")
    tagged = [{"Name": "tag:Environment", "Values": ["dev"]}, {"Name": "tag:ManagedBy", "Values": ["teamf.platform"]}]
    namespaces = aws("servicediscovery").list_namespaces()["Namespaces"]
    return {
        "vpcs": len(ec2.describe_vpcs(Filters=tagged)["Vpcs"]),
        "subnets": len(ec2.describe_subnets(Filters=tagged)["Subnets"]),
        "internet_gateways": len(ec2.describe_internet_gateways(Filters=tagged)["InternetGateways"]),
        "nat_gateways": len(
            [n for n in ec2.describe_nat_gateways(Filters=tagged)["NatGateways"] if n["State"] != "deleted"]
        ),
        "elastic_ips": len(ec2.describe_addresses(Filters=tagged)["Addresses"]),
        "route_tables": len(ec2.describe_route_tables(Filters=tagged)["RouteTables"]),
        "security_groups": len(ec2.describe_security_groups(Filters=tagged)["SecurityGroups"]),
        # dev's ECS roles, its CI deploy role and the account's CI build role
        "roles": len([r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("teamf-")]),
        "instance_profiles": len(
            [
                p
                for p in iam.list_instance_profiles()["InstanceProfiles"]
                if p["InstanceProfileName"].startswith("teamf-")
            ]
        ),
        "ecr_repositories": len(aws("ecr").describe_repositories()["repositories"]),
        "log_groups": len(aws("logs").describe_log_groups(logGroupNamePrefix="/ecs/teamf-dev/")["logGroups"]),
        "auto_scaling_groups": len(aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]),
        "capacity_providers": len(
            [p for p in ecs.describe_capacity_providers()["capacityProviders"] if p["name"].startswith("teamf-")]
        ),
        "load_balancers": len(elbv2.describe_load_balancers()["LoadBalancers"]),
        "target_groups": len(elbv2.describe_target_groups()["TargetGroups"]),
        "cloud_map_services": sum(
            len(
                aws("servicediscovery").list_services(
                    Filters=[{"Name": "NAMESPACE_ID", "Values": [n["Id"]], "Condition": "EQ"}]
                )["Services"]
            )
            for n in namespaces
        ),
        "ecs_services": len(ecs.list_services(cluster="teamf-dev")["serviceArns"]),
        "task_definition_revisions": len(
            [
                arn
                for arn in ecs.list_task_definitions()["taskDefinitionArns"]
                if arn.rsplit("/", 1)[-1].startswith("teamf-dev-")
            ]
        ),
    }


def non_default_vpcs(aws) -> list[str]:
    return [v["VpcId"] for v in aws("ec2").describe_vpcs()["Vpcs"] if not v.get("IsDefault")]


@dataclass
class KubeClusters:
    """One Kubernetes API stand-in per EKS environment, as `make demo` starts them."""

    by_env: dict
    home: Path

    def helm(self, env: str, *args: str) -> str:
        """Run the real helm against ``env``'s stand-in; returns stdout."""
        return self._run("helm", env, *args)

    def kubectl(self, env: str, *args: str) -> str:
        return self._run("kubectl", env, *args)

    def _run(self, tool: str, env: str, *args: str) -> str:
        kubeconfig = self.home / f"{env}.kubeconfig"
        if not kubeconfig.exists():
            self.by_env[env].write_kubeconfig(kubeconfig)
        proc = subprocess.run(
            [str(Path(sys.executable).parent / tool), *args],
            env=dict(os.environ, KUBECONFIG=str(kubeconfig), HELM_CACHE_HOME=str(self.home / "helm-cache")),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return proc.stdout

    def releases(self, env: str) -> dict[str, dict]:
        return {r["name"]: r for r in json.loads(self.helm(env, "list", "-A", "-o", "json"))}


@pytest.fixture(scope="session")
def kube_clusters(tmp_path_factory):
    """Private stand-ins for staging and prod; inventories/local finds them through the environment.

    Also a private TEAMF_SECRETS_DIR, so generated passwords (Grafana's) stay in the session's tmp.
    """
    home = tmp_path_factory.mktemp("kube-clusters")
    clusters = {
        env: KubeEmulator(port=_free_port(), state_dir=home / env, ready_delay=0.2) for env in ("staging", "prod")
    }
    with pytest.MonkeyPatch.context() as patch:
        for env, cluster in clusters.items():
            cluster.start()
            patch.setenv(f"TEAMF_TEST_KUBE_ENDPOINT_{env.upper()}", cluster.url)
        patch.setenv("TEAMF_SECRETS_DIR", str(home / "secrets"))
        yield KubeClusters(clusters, home)
    for cluster in clusters.values():
        cluster.stop()


@pytest.fixture
def playbook(emulator):
    def run(playbook_path: str, inventory: str | Path = "inventories/local", *args: str, quiet=False) -> PlaybookRun:
        return run_playbook(emulator, playbook_path, inventory, *args, quiet=quiet)

    return run


os.environ.setdefault("ANSIBLE_NOCOLOR", "1")
