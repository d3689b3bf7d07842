"""Broken inventories fail in validation, naming the variable, before anything is created."""

import textwrap

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.integration.conftest import non_default_vpcs

SHARED = REPO_ROOT / "inventories" / "shared" / "group_vars"
GOOD = {
    "platform_env": "good",
    "vpc_cidr": "10.50.0.0/16",
    "nodegroup_general_scaling": {"min_size": 1, "max_size": 3, "desired_size": 2},
}


def make_inventory(tmp_path, broken: dict, group="eks_environments", with_good_host=False):
    """An inventory shaped like inventories/local: shared group_vars, one broken host."""
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "host_vars").mkdir()
    for name in ("all.yml", "ecs_environments.yml", "eks_environments.yml"):
        (tmp_path / "group_vars" / name).symlink_to(SHARED / name)
    (tmp_path / "group_vars" / "emulator.yml").write_text(
        (REPO_ROOT / "inventories" / "local" / "group_vars" / "emulator.yml").read_text()
    )
    sizes = {"nodegroup_general_scaling": {"min_size": 1, "max_size": 3, "desired_size": 2}}
    # A value of None leaves the variable out (the missing-variable cases).
    merged = {"platform_env": "broken", "vpc_cidr": "10.40.0.0/16", **sizes, **broken}
    hosts = {"broken": {key: value for key, value in merged.items() if value is not None}}
    if with_good_host:
        hosts["good"] = GOOD
    for host, values in hosts.items():
        (tmp_path / "host_vars" / f"{host}.yml").write_text(yaml.safe_dump(values))
    host_lines = "".join(f"        {h}:\n" for h in hosts)
    (tmp_path / "hosts.yml").write_text(
        textwrap.dedent(
            f"""\
            ---
            all:
              children:
                {group}:
                  hosts:
            """
        )
        + host_lines.replace("        ", "        ", 1)
        + "    emulator:\n      children:\n        "
        + group
        + ":\n"
    )
    return tmp_path


CASES = [
    pytest.param({"vpc_cidr": "10.0.0.0/33"}, "vpc_cidr", "not an IPv4 CIDR", id="malformed-cidr"),
    pytest.param({"vpc_cidr": "10.40.0.1/16"}, "vpc_cidr", "did you mean 10.40.0.0/16", id="host-bits-set"),
    pytest.param(
        {
            "vpc_tiers": [
                {"name": "a", "role": "public", "prefix": 24, "cidr": "10.40.0.0/22"},
                {"name": "b", "role": "private", "prefix": 24, "cidr": "10.40.0.0/22"},
            ],
            "vpc_internal_elb_tier": "b",
            "vpc_eks_cluster_tiers": ["a", "b"],
        },
        "vpc_tiers",
        "overlaps tier 'a'",
        id="overlapping-tiers",
    ),
    pytest.param({"vpc_cidr": "10.40.0.0/24"}, "vpc_tiers", "larger than the VPC", id="tier-does-not-fit"),
    pytest.param(
        {"vpc_azs": ["ap-northeast-2a", "ap-northeast-2z"]}, "vpc_azs", "ap-northeast-2z not available", id="unknown-az"
    ),
    pytest.param({"vpc_azs": ["ap-northeast-2a"]}, "vpc_azs", "at least 2 needed", id="eks-one-az"),
    pytest.param(
        {"vpc_internal_elb_tier": "public"}, "vpc_internal_elb_tier", "exactly one private tier", id="elb-tier-public"
    ),
    pytest.param({"vpc_nat_mode": "none"}, "vpc_nat_mode", "without egress", id="eks-without-nat"),
    pytest.param({"vpc_cidr": None}, "vpc_cidr", "missing required arguments: vpc_cidr", id="missing-cidr"),
    pytest.param({"iam_name_prefix": "bad prefix!"}, "iam_name_prefix", "must use only letters", id="iam-prefix"),
    # EKS preflight (playbooks/tasks/eks_preflight.yml)
    pytest.param({"vpc_eks_cluster_names": ["other"]}, "vpc_eks_cluster_names", "must include", id="untagged-cluster"),
    pytest.param({"eks_subnet_tier": "public"}, "eks_subnet_tier", "private tier", id="nodes-in-public-tier"),
    pytest.param({"eks_subnet_tier": "private-data"}, "eks_subnet_tier", "vpc_eks_cluster_tiers", id="untagged-tier"),
    pytest.param(
        {"nodegroup_general_scaling": {"min_size": 1, "max_size": 400, "desired_size": 1}},
        "nodegroup_groups",
        "addresses per zone",
        id="subnet-too-small",
    ),
    pytest.param(
        {"nodegroup_node_security_group_rules": [{"proto": "tcp", "ports": [443], "from": "control_plane"}]},
        "nodegroup_node_security_group_rules",
        "9443",
        id="no-webhook-port",
    ),
]


@pytest.mark.parametrize(("broken", "variable", "hint"), CASES)
def test_broken_inventory_fails_before_mutation(tmp_path, playbook, aws, clean_emulator, broken, variable, hint):
    inventory = make_inventory(tmp_path, broken)
    run = playbook("site.yml", inventory)
    assert run.rc != 0
    assert variable in run.output and hint in run.output, run.output[-3000:]
    assert non_default_vpcs(aws) == []
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"].startswith("teamf-")] == []


def test_one_broken_environment_stops_all_of_them(tmp_path, playbook, aws, clean_emulator):
    inventory = make_inventory(tmp_path, {"vpc_cidr": "300.0.0.0/16"}, with_good_host=True)
    run = playbook("site.yml", inventory)
    assert run.rc != 0
    assert non_default_vpcs(aws) == []
