"""The whole estate from the local inventory: create, rerun, check, teardown, over HTTP."""

import pytest

from tests.integration.conftest import ENVIRONMENTS, run_playbook, tagged_leftovers

pytestmark = pytest.mark.usefixtures("emulator")


@pytest.fixture(scope="module")
def first_run(emulator):
    emulator.reset()
    return run_playbook(emulator, "site.yml", "inventories/local")


def test_first_run_creates_every_environment(first_run):
    assert first_run.rc == 0, first_run.output[-3000:]
    assert all(first_run.changed(env) > 0 for env in ENVIRONMENTS)


@pytest.mark.parametrize(
    ("env", "cidr", "nats", "eks"),
    [("dev", "10.10.0.0/16", 1, False), ("staging", "10.20.0.0/16", 2, True), ("prod", "10.30.0.0/16", 2, True)],
)
def test_environment_state_read_back(first_run, aws, env, cidr, nats, eks):
    ec2 = aws("ec2")
    by_env = [{"Name": "tag:Environment", "Values": [env]}, {"Name": "tag:ManagedBy", "Values": ["teamf.platform"]}]
    vpcs = ec2.describe_vpcs(Filters=by_env)["Vpcs"]
    assert [v["CidrBlock"] for v in vpcs] == [cidr]
    subnets = ec2.describe_subnets(Filters=by_env)["Subnets"]
    tiers = sorted({t["Value"] for s in subnets for t in s["Tags"] if t["Key"] == "Tier"})
    assert (len(subnets), tiers) == (6, ["private-app", "private-data", "public"])
    assert {s["AvailabilityZone"] for s in subnets} == {"ap-northeast-2a", "ap-northeast-2c"}
    live_nats = [n for n in ec2.describe_nat_gateways(Filters=by_env)["NatGateways"] if n["State"] == "available"]
    assert len(live_nats) == nats
    elb_tagged = [s for s in subnets if any(t["Key"] == "kubernetes.io/role/elb" for t in s["Tags"])]
    cluster_tag = f"kubernetes.io/cluster/teamf-{env}"
    shared = [s for s in subnets if any(t["Key"] == cluster_tag for t in s["Tags"])]
    assert (len(elb_tagged), len(shared)) == ((2, 4) if eks else (0, 0))
    private_rts = [
        rt
        for rt in ec2.describe_route_tables(Filters=by_env)["RouteTables"]
        if any(r.get("NatGatewayId") for r in rt["Routes"])
    ]
    assert len(private_rts) == 2


@pytest.mark.parametrize(
    ("env", "roles"),
    [
        ("dev", {"ecs-instance", "ecs-task-execution"}),
        # IRSA: the load balancer controller's role, trusted by its service account only.
        ("staging", {"eks-cluster", "eks-nodegroup", "aws-load-balancer-controller"}),
        ("prod", {"eks-cluster", "eks-nodegroup", "aws-load-balancer-controller"}),
    ],
)
def test_environment_roles(first_run, aws, env, roles):
    names = {r["RoleName"] for r in aws("iam").list_roles()["Roles"] if r["RoleName"].startswith(f"teamf-{env}-")}
    assert names == {f"teamf-{env}-{kind}" for kind in roles}


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_eks_environments_have_an_active_cluster_with_nodes_and_addons(first_run, aws, env):
    eks, name = aws("eks"), f"teamf-{env}"
    cluster = eks.describe_cluster(name=name)["cluster"]
    assert (cluster["status"], cluster["version"]) == ("ACTIVE", "1.32")
    assert cluster["encryptionConfig"][0]["resources"] == ["secrets"]
    assert cluster["accessConfig"]["authenticationMode"] == "API"
    nodegroup = eks.describe_nodegroup(clusterName=name, nodegroupName="general")["nodegroup"]
    sizes = {"staging": (1, 3, 2), "prod": (2, 6, 3)}[env]
    scaling = nodegroup["scalingConfig"]
    assert (scaling["minSize"], scaling["maxSize"], scaling["desiredSize"]) == sizes
    assert sorted(eks.list_addons(clusterName=name)["addons"]) == ["coredns", "kube-proxy", "vpc-cni"]
    issuer = cluster["identity"]["oidc"]["issuer"].removeprefix("https://")
    providers = [p["Arn"] for p in aws("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert any(arn.endswith(issuer) for arn in providers)


def test_dev_has_no_cluster(first_run, aws):
    assert "teamf-dev" not in aws("eks").list_clusters()["clusters"]


def test_rerun_changes_nothing(first_run, playbook):
    rerun = playbook("site.yml")
    assert rerun.rc == 0, rerun.output[-3000:]
    assert {env: rerun.changed(env) for env in ENVIRONMENTS} == dict.fromkeys(ENVIRONMENTS, 0)


def test_check_mode_on_converged_estate_changes_nothing(first_run, playbook):
    check = playbook("site.yml", "inventories/local", "--check")
    assert check.rc == 0, check.output[-3000:]
    assert {env: check.changed(env) for env in ENVIRONMENTS} == dict.fromkeys(ENVIRONMENTS, 0)


def test_teardown_refuses_a_wrong_confirmation(first_run, playbook, aws):
    refused = playbook("playbooks/teardown.yml", "inventories/local", "--limit", "dev", "-e", "confirm=prod")
    assert refused.rc != 0
    assert "dev kept" in refused.output
    assert tagged_leftovers(aws, "dev")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_teardown_leaves_nothing_tagged(first_run, playbook, aws, env):
    teardown = playbook("playbooks/teardown.yml", "inventories/local", "--limit", env, "-e", f"confirm={env}")
    assert teardown.rc == 0, teardown.output[-3000:]
    assert tagged_leftovers(aws, env) == []
