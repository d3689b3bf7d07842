"""Helpers for running the project's playbooks against the session's private emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, ansible_env

ENVIRONMENTS = ("dev", "staging", "prod")


@dataclass
class PlaybookRun:
    rc: int
    output: str
    stats: dict[str, dict[str, int]]

    def changed(self, host: str) -> int:
        return self.stats[host]["changed"]


def run_playbook(emulator, playbook: str, inventory: str | Path, *args: str) -> PlaybookRun:
    """Run ansible-playbook from the checkout; stats come from the json callback."""
    env = ansible_env(emulator)
    env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), playbook, "-i", str(inventory), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    try:
        stats = json.loads(proc.stdout)["stats"]
    except (ValueError, KeyError):
        stats = {}
    return PlaybookRun(proc.returncode, proc.stdout + proc.stderr, stats)


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
    return found


def non_default_vpcs(aws) -> list[str]:
    return [v["VpcId"] for v in aws("ec2").describe_vpcs()["Vpcs"] if not v.get("IsDefault")]


@pytest.fixture
def playbook(emulator):
    def run(playbook_path: str, inventory: str | Path = "inventories/local", *args: str) -> PlaybookRun:
        return run_playbook(emulator, playbook_path, inventory, *args)

    return run


os.environ.setdefault("ANSIBLE_NOCOLOR", "1")
