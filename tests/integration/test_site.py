"""The whole estate from the local inventory: create, rerun, check, teardown, over HTTP."""

import json

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.integration.conftest import ENVIRONMENTS, run_playbook, tagged_leftovers

pytestmark = pytest.mark.usefixtures("emulator", "kube_clusters")

RELEASES = {"aws-load-balancer-controller", "platform-rbac", "kube-prometheus-stack", "aws-for-fluent-bit", "api"}


@pytest.fixture(scope="module")
def first_run(emulator, kube_clusters):
    emulator.reset()
    for cluster in kube_clusters.by_env.values():
        cluster.reset()
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
        ("dev", {"ecs-instance", "ecs-task-execution", "ecs-task"}),
        # IRSA: the load balancer controller's and the log pipeline's roles, each trusted by its service account only.
        ("staging", {"eks-cluster", "eks-nodegroup", "aws-load-balancer-controller", "aws-for-fluent-bit"}),
        ("prod", {"eks-cluster", "eks-nodegroup", "aws-load-balancer-controller", "aws-for-fluent-bit"}),
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


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_eks_environments_run_the_platform_releases(first_run, aws, kube_clusters, env):
    releases = kube_clusters.releases(env)
    assert set(releases) == RELEASES
    assert {r["status"] for r in releases.values()} == {"deployed"}
    assert releases["aws-load-balancer-controller"]["chart"] == "aws-load-balancer-controller-1.13.0"
    # The controller gets the cluster, region, VPC and its IRSA role explicitly.
    values = json.loads(
        kube_clusters.helm(env, "get", "values", "aws-load-balancer-controller", "-n", "kube-system", "-o", "json")
    )
    vpc = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": [env]}])["Vpcs"][0]
    role = aws("iam").get_role(RoleName=f"teamf-{env}-aws-load-balancer-controller")["Role"]
    assert (values["clusterName"], values["region"], values["vpcId"]) == (
        f"teamf-{env}",
        "ap-northeast-2",
        vpc["VpcId"],
    )
    assert values["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": role["Arn"]}
    # The backend runs with this environment's values file, and users-api is reachable through the ALB.
    ingress = json.loads(kube_clusters.kubectl(env, "get", "ingress", "-n", "teamf", "-o", "json"))["items"]
    own_values = yaml.safe_load((REPO_ROOT / "inventories" / env / "values" / "api.yml").read_text())
    assert [i["spec"]["rules"][0].get("host") for i in ingress] == [own_values["usersApi"]["expose"]["ingress"]["host"]]
    assert ingress[0]["status"]["loadBalancer"]["ingress"][0]["hostname"].endswith(".elb.amazonaws.com")
    # A new cluster starts on platform_api_initial_release: exactly the images its manifest pins.
    api = json.loads(kube_clusters.helm(env, "get", "values", "api", "-n", "teamf", "-o", "json"))
    manifest = yaml.safe_load((REPO_ROOT / "releases" / "1.0.0.yml").read_text())
    assert api["release"] == "1.0.0"
    pinned = ("repository", "tag", "digest")
    assert {name: {k: api[name]["image"][k] for k in pinned} for name in manifest["images"]} == {
        name: {k: image.get(k, "") for k in pinned} for name, image in manifest["images"].items()
    }


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_developers_map_to_their_kubernetes_group(first_run, aws, env):
    entry = aws("eks").describe_access_entry(
        clusterName=f"teamf-{env}", principalArn="arn:aws:iam::123456789012:role/teamf-developers"
    )["accessEntry"]
    assert entry["kubernetesGroups"] == ["teamf:developers"]


def test_grafana_password_never_reaches_the_output(first_run, kube_clusters):
    for env in ("staging", "prod"):
        password = (kube_clusters.home / "secrets" / f"teamf-{env}-grafana-admin").read_text().split()[0]
        assert len(password) == 32
        assert password not in first_run.output


def test_dev_has_no_cluster(first_run, aws):
    assert "teamf-dev" not in aws("eks").list_clusters()["clusters"]


def test_dev_runs_its_compose_services_on_ecs_behind_the_alb(first_run, aws):
    ecs, elbv2 = aws("ecs"), aws("elbv2")
    [cluster] = ecs.describe_clusters(clusters=["teamf-dev"])["clusters"]
    assert (cluster["status"], cluster["capacityProviders"]) == ("ACTIVE", ["teamf-dev-ec2"])
    services = ecs.describe_services(cluster="teamf-dev", services=["api-server", "auth-server", "redis"])["services"]
    assert {s["serviceName"]: s["taskDefinition"].rsplit("/", 1)[-1] for s in services} == {
        "api-server": "teamf-dev-api-server:1",
        "auth-server": "teamf-dev-auth-server:1",
        "redis": "teamf-dev-redis:1",
    }
    assert all(s["runningCount"] == s["desiredCount"] == 1 for s in services)
    [alb] = elbv2.describe_load_balancers(Names=["teamf-dev"])["LoadBalancers"]
    [listener] = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    rules = [r for r in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not r["IsDefault"]]
    groups = {g["TargetGroupArn"]: g for g in elbv2.describe_target_groups()["TargetGroups"]}
    routes = {
        tuple(r["Conditions"][0]["PathPatternConfig"]["Values"]): (
            groups[r["Actions"][0]["TargetGroupArn"]]["TargetGroupName"],
            groups[r["Actions"][0]["TargetGroupArn"]]["HealthCheckPath"],
        )
        for r in rules
    }
    assert routes == {
        ("/auth", "/auth/*"): ("teamf-dev-auth-server", "/auth"),
        ("/api/*",): ("teamf-dev-api-server", "/api/health"),
    }


def test_summary_shows_dev_services_revisions_and_alb(first_run, playbook, aws):
    summary = playbook("playbooks/summary.yml", "inventories/local", "--limit", "dev")
    assert summary.rc == 0, summary.output[-3000:]
    [alb] = aws("elbv2").describe_load_balancers(Names=["teamf-dev"])["LoadBalancers"]
    assert "cluster teamf-dev  capacity provider teamf-dev-ec2" in summary.output
    assert f"URL     http://{alb['DNSName']}/  (ALB teamf-dev" in summary.output
    assert "paths /auth /auth/*" in summary.output
    assert "auth-server  teamf-dev-auth-server:1" in summary.output
    assert "running 1/1" in summary.output


def test_check_mode_on_converged_estate_changes_nothing(first_run, playbook):
    check = playbook("site.yml", "inventories/local", "--check")
    assert check.rc == 0, check.output[-3000:]
    assert {env: check.changed(env) for env in ENVIRONMENTS} == dict.fromkeys(ENVIRONMENTS, 0)


def test_summary_lists_releases_and_how_users_api_is_exposed(first_run, playbook):
    summary = playbook("playbooks/summary.yml")
    assert summary.rc == 0, summary.output[-3000:]
    backend = "release teamf/api 1.0.0 rev 1 deployed  backend release 1.0.0"
    assert summary.output.count(backend) == 2, summary.output[-3000:]
    assert summary.output.count("release kube-system/aws-load-balancer-controller 1.13.0 rev 1 deployed") == 2
    for host in ("api.staging.teamf.example", "api.teamf.example"):
        assert summary.output.count(f"URL     http://{host}/  (Ingress teamf/") == 1, summary.output[-3000:]
        assert f"point DNS {host} at " in summary.output


# The no-op rerun of the whole estate: here after a deploy, changed=0 for every environment (a
# throttled converge and its rerun are in test_interruptions.py, on dev and staging); CI time is a
# budget, so no third whole-estate rerun. This one prints what a user sees (the project's stdout
# callback): the output budget of a no-op converge of the demo.
OUTPUT_BUDGET = 60


def test_site_keeps_the_release_a_deploy_put_on_staging(first_run, playbook, kube_clusters):
    deploy = playbook("playbooks/deploy.yml", "inventories/local", "--limit", "staging", "-e", "release=1.1.0")
    assert deploy.rc == 0, deploy.output[-3000:]
    rerun = playbook("site.yml", quiet=True)
    assert rerun.rc == 0, rerun.output[-3000:]
    assert {env: rerun.changed(env) for env in ENVIRONMENTS} == dict.fromkeys(ENVIRONMENTS, 0), rerun.output
    assert "\n== Recap\n" in rerun.output and "changed  " not in rerun.output, rerun.output
    assert len(rerun.output.splitlines()) <= OUTPUT_BUDGET, rerun.output
    assert "DEPRECATION" not in rerun.output.upper(), rerun.output
    assert "RETRYING" not in rerun.output, rerun.output
    for env, release in (("staging", "1.1.0"), ("prod", "1.0.0")):
        values = json.loads(kube_clusters.helm(env, "get", "values", "api", "-n", "teamf", "-o", "json"))
        assert values["release"] == release


def test_teardown_refuses_a_wrong_confirmation(first_run, playbook, aws):
    refused = playbook("playbooks/teardown.yml", "inventories/local", "--limit", "dev", "-e", "confirm=prod")
    assert refused.rc != 0
    assert "dev kept" in refused.output
    assert tagged_leftovers(aws, "dev")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_teardown_leaves_nothing_tagged(first_run, playbook, aws, kube_clusters, env):
    # dev's teardown runs on the whole inventory: the environments not confirmed are kept, and that is
    # a success (exit 0), not an error per environment kept.
    limit = [] if env == "dev" else ["--limit", env]
    teardown = playbook("playbooks/teardown.yml", "inventories/local", *limit, "-e", f"confirm={env}")
    assert teardown.rc == 0, teardown.output[-3000:]
    assert tagged_leftovers(aws, env) == []
    if env == "dev":
        kept = ("staging", "prod")
        assert {e: (teardown.stats[e]["changed"], teardown.stats[e]["failures"]) for e in kept} == {
            e: (0, 0) for e in kept
        }
        assert teardown.output.count("kept (the confirmation names dev)") == 2, teardown.output[-3000:]
        assert all(tagged_leftovers(aws, e) for e in kept)
    if env in kube_clusters.by_env:
        assert kube_clusters.releases(env) == {}
