"""Broken inventories fail in validation, naming the variable, before anything is created."""

import textwrap

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.integration.conftest import mutating_requests, non_default_vpcs, zero_request_counters

SHARED = REPO_ROOT / "inventories" / "shared" / "group_vars"
GOOD = {
    "platform_env": "good",
    "vpc_cidr": "10.50.0.0/16",
    "nodegroup_general_scaling": {"min_size": 1, "max_size": 3, "desired_size": 2},
}


def make_inventory(tmp_path, broken: dict, group="eks_environments", with_good_host=False):
    """An inventory shaped like inventories/local: shared group_vars, one broken host.

    As in the repository, each environment's Helm values sit beside the inventory (<env>/values,
    staging's), and the charts and releases are the repository's.
    """
    for env in ("broken", "good"):
        (tmp_path / env).mkdir()
        (tmp_path / env / "values").symlink_to(REPO_ROOT / "inventories" / "staging" / "values")
    tmp_path = tmp_path / "inventory"
    tmp_path.mkdir()
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "host_vars").mkdir()
    for name in ("all.yml", "ecs_environments.yml", "eks_environments.yml"):
        (tmp_path / "group_vars" / name).symlink_to(SHARED / name)
    (tmp_path / "group_vars" / "emulator.yml").write_text(
        (REPO_ROOT / "inventories" / "local" / "group_vars" / "emulator.yml").read_text()
        + f"platform_releases_dir: {REPO_ROOT / 'releases'}\n"
    )
    sizes = {"nodegroup_general_scaling": {"min_size": 1, "max_size": 3, "desired_size": 2}}
    # A value of None leaves the variable out (the missing-variable cases).
    merged = {"platform_env": "broken", "vpc_cidr": "10.40.0.0/16", **sizes, **broken}
    hosts = {"broken": {key: value for key, value in merged.items() if value is not None}}
    if with_good_host:
        hosts["good"] = GOOD
    for host, values in hosts.items():
        # The EKS group's own definition reads the charts beside the inventory: point it at the repository's.
        values = {**values, "platform_charts_dir": str(REPO_ROOT / "charts")}
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
    # Nodegroup sizes and shapes (roles/nodegroup validate, teamf.platform.nodegroup_problems)
    pytest.param(
        {"nodegroup_general_scaling": {"min_size": 4, "max_size": 3, "desired_size": 3}},
        "nodegroup_general_scaling",
        "min_size 4 exceeds max_size 3; lower min_size or raise max_size",
        id="nodegroup-min-above-max",
    ),
    pytest.param(
        {"nodegroup_general_scaling": {"min_size": 1, "max_size": "three", "desired_size": 2}},
        "nodegroup_general_scaling.max_size",
        "'three' is not a whole number",
        id="nodegroup-size-as-word",
    ),
    pytest.param(
        {"nodegroup_general_scaling": {"min_size": 1, "max_size": 3, "desired_size": 5}},
        "nodegroup_general_scaling",
        "desired_size 5 must lie between min_size 1 and max_size 3",
        id="nodegroup-desired-outside",
    ),
    pytest.param(
        {
            "nodegroup_groups": [
                {
                    "name": "general",
                    "instance_types": ["m6i-large"],
                    "scaling": {"min_size": 1, "max_size": 2, "desired_size": 1},
                }
            ]
        },
        "nodegroup_groups[general].instance_types",
        "not an EC2 instance type",
        id="nodegroup-instance-type",
    ),
    # The cluster definition (roles/eks validate, teamf.platform.eks_problems)
    pytest.param(
        {"eks_version": 1.3},
        "eks_version",
        "eks_version: 1.3 was read as a number; quote it",
        id="eks-version-number",
    ),
    pytest.param(
        {"eks_public_access_cidrs": ["10.0.0.0/33"]},
        "eks_public_access_cidrs",
        "'10.0.0.0/33' is not an IPv4 CIDR",
        id="eks-public-cidr",
    ),
    # Misspelt and missing variables (teamf.platform.inventory_check), named with their file
    pytest.param(
        {"vpc_cidrr": "10.40.0.0/16"},
        "vpc_cidrr (",
        "host_vars/broken.yml) is not a variable the platform reads; did you mean vpc_cidr?",
        id="misspelt-variable",
    ),
    pytest.param(
        {
            "nodegroup_general_scaling": None,
            "nodegroup_general_scalling": {"min_size": 1, "max_size": 3, "desired_size": 2},
        },
        "nodegroup_general_scaling",
        "did you mean nodegroup_general_scaling?",
        id="misspelt-required-variable",
    ),
    # Hints that point at the real mistake
    pytest.param(
        {"vpc_azs": ["ap-northeast-2a", "us-east-1b"]},
        "vpc_azs",
        "us-east-1b not available in ap-northeast-2",
        id="zone-of-another-region",
    ),
    pytest.param(
        {"vpc_tiers": [{"name": "public", "role": "public", "prefix": "/24"}]},
        "vpc_tiers[0].prefix",
        "must be a whole number such as 24",
        id="prefix-with-slash",
    ),
    # Cross-file: the release new clusters start on must exist
    pytest.param({"platform_api_initial_release": "9.9.9"}, "9.9.9", "has no manifest", id="initial-release-missing"),
]


@pytest.fixture
def kube_endpoints(monkeypatch):
    """Each test environment names a Kubernetes stand-in (validation only checks that it has one)."""
    for env in ("BROKEN", "GOOD"):
        monkeypatch.setenv(f"TEAMF_TEST_KUBE_ENDPOINT_{env}", "http://127.0.0.1:9")


def assert_nothing_changed(emulator, aws):
    """Zero mutating requests reached the emulator, and nothing the platform makes exists."""
    assert mutating_requests(emulator.url) == {}
    assert non_default_vpcs(aws) == []
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"].startswith("teamf-")] == []


@pytest.mark.parametrize(("broken", "variable", "hint"), CASES)
def test_broken_inventory_fails_before_mutation(
    tmp_path, playbook, aws, clean_emulator, kube_endpoints, broken, variable, hint
):
    inventory = make_inventory(tmp_path, broken)
    zero_request_counters(clean_emulator.url)
    run = playbook("site.yml", inventory)
    assert run.rc != 0
    assert variable in run.output and hint in run.output, run.output[-3000:]
    assert "ansible_failed_result" not in run.output
    assert_nothing_changed(clean_emulator, aws)


def test_one_broken_environment_stops_all_of_them(tmp_path, playbook, aws, clean_emulator, kube_endpoints):
    """The broken environment reports its mistake once; the healthy one reports nothing and changes nothing."""
    inventory = make_inventory(tmp_path, {"vpc_cidr": "300.0.0.0/16"}, with_good_host=True)
    zero_request_counters(clean_emulator.url)
    run = playbook("site.yml", inventory)
    assert run.rc != 0
    assert run.stats["good"]["failures"] == 0, run.stats
    assert run.stats["broken"]["failures"] == 1, run.stats
    assert run.output.count("subnet_plan: variable 'vpc_cidr' = '300.0.0.0/16'") == 1, run.output[-3000:]
    assert "ansible_failed_result" not in run.output
    assert_nothing_changed(clean_emulator, aws)


def test_environment_without_a_kubernetes_stand_in_is_refused(tmp_path, playbook, aws, clean_emulator, monkeypatch):
    """Locally, an EKS environment other than staging/prod never falls back to another one's stand-in."""
    monkeypatch.delenv("TEAMF_TEST_KUBE_ENDPOINT_BROKEN", raising=False)
    inventory = make_inventory(tmp_path, {})
    zero_request_counters(clean_emulator.url)
    run = playbook("site.yml", inventory)
    assert run.rc != 0
    assert "broken has no Kubernetes API stand-in" in run.output and "TEAMF_TEST_KUBE_ENDPOINT_BROKEN" in run.output
    assert_nothing_changed(clean_emulator, aws)
