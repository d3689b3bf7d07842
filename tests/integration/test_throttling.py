"""A throttled, flaky AWS: each of our modules survives it, creates nothing twice, reruns clean.

Dev and staging converging under throttling are in test_interruptions.py (compared with an estate
built through kills there).

A private emulator answers a seeded share of every service's calls with that service's throttling
error (``TEAMF_EMULATOR_FAULTS``; ``emulator/README.md``). Set-up and read-back run with the faults
off (``DELETE /moto-api/teamf/faults``, which also hands back what was counted); each scenario turns
them on again with its own seed, so its fault sequence starts the same on every run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

import boto3
import pytest
import yaml

from emulator.faults import call_endpoint
from tests.conftest import REGION, REPO_ROOT, ansible_env, put_empty_image
from tests.integration.modules import ANSIBLE_PLAYBOOK, Step, aws_args, run_steps

# At least a fifth of the calls to every service throttled, as AWS does under load.
THROTTLING = {"seed": 7, "rate": 0.25, "kinds": ["throttling"]}
SERVER_ERRORS = {"seed": 3, "rate": 0.3, "kinds": ["5xx"]}
EXPIRE_UNTAGGED = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7,
            },
            "action": {"type": "expire"},
        }
    ]
}
THROTTLING_CODES = {"ThrottlingException", "Throttling", "RequestLimitExceeded"}
SERVER_ERROR_CODES = {
    "InternalFailure",
    "ServiceUnavailable",
    "ServerException",
    "ServiceUnavailableException",
    "InternalError",
    "Unavailable",
}
ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["eks.amazonaws.com", "ec2.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.fixture(scope="module")
def flaky(emulator_factory):
    """The emulator the module scenarios share, started throttling."""
    return emulator_factory(
        isolation="throttling", TEAMF_EMULATOR_FAULTS=json.dumps(THROTTLING), TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS="1"
    )


def clients(emulator):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return lambda service: session.client(service, endpoint_url=emulator.url)


@contextmanager
def faults(emulator, config):
    """Faults on with ``config`` (counters zeroed) inside the block; the counted status is yielded, filled at exit."""
    counted = {}
    call_endpoint(emulator.url, "POST", config)
    try:
        yield counted
    finally:
        counted.update(call_endpoint(emulator.url, "DELETE"))


def faults_off(emulator):
    call_endpoint(emulator.url, "DELETE")


def faulted_services(counted):
    return {service for service, actions in counted["faults"]["by_service"].items() if actions}


def retried(results):
    return [entry for result in results for entry in result.get("aws_retries", [])]


def assert_converged(results, created):
    """Every step succeeded; those in ``created`` changed, the others (the reruns) did not."""
    for index, result in enumerate(results):
        assert not result.get("failed"), (index, result.get("msg"), result.get("aws_retries"))
        assert result["changed"] is (index in created), (index, result)


# ---- our modules, each path that talks to AWS --------------------------------------------------


@pytest.fixture
def suffix():
    return uuid.uuid4().hex[:8]


@pytest.fixture
def network(flaky, suffix):
    faults_off(flaky)
    aws = clients(flaky)
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.77.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ac")
    ]
    role = aws("iam").create_role(RoleName=f"throttle-{suffix}", AssumeRolePolicyDocument=json.dumps(TRUST))
    return {"vpc": vpc, "subnets": subnets, "role": role["Role"]["Arn"]}


def test_eks_modules_survive_throttling(flaky, network, suffix):
    """Cluster (with its waiter), access entry, add-on, nodegroup, OIDC provider, then the cluster read back."""
    name, principal = f"throttle-{suffix}", f"arn:aws:iam::{ACCOUNT}:role/developers-{suffix}"
    issuer = f"https://oidc.eks.{REGION}.amazonaws.com/id/{suffix.upper()}"
    cluster = {"name": name, "version": "1.31", "role_arn": network["role"], "subnet_ids": network["subnets"]}
    entry = {
        "cluster_name": name,
        "principal_arn": principal,
        "kubernetes_groups": ["developers"],
        "access_policies": [
            {"policy": "AmazonEKSViewPolicy"},
            {"policy": "AmazonEKSEditPolicy", "access_scope": {"type": "namespace", "namespaces": ["shop"]}},
        ],
    }
    addon = {"cluster_name": name, "name": "vpc-cni"}
    nodegroup = {
        "cluster_name": name,
        "name": "general",
        "node_role_arn": network["role"],
        "subnet_ids": network["subnets"],
        "scaling": {"min_size": 1, "max_size": 3, "desired_size": 2},
    }
    oidc = {"url": issuer, "thumbprints": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]}
    steps = [
        Step(f"teamf.platform.{module}", args)
        for module, args in [
            ("eks_cluster", cluster),
            ("eks_cluster", cluster),
            ("eks_access_entry", entry),
            ("eks_access_entry", entry),
            ("eks_addon", addon),
            ("eks_addon", addon),
            ("eks_nodegroup", nodegroup),
            ("eks_nodegroup", nodegroup),
            ("iam_oidc_provider", oidc),
            ("iam_oidc_provider", oidc),
            ("eks_cluster_info", {"name": name}),
        ]
    ]

    with faults(flaky, THROTTLING) as counted:
        results = run_steps(flaky, steps)

    assert_converged(results, created={0, 2, 4, 6, 8})
    assert {"eks", "iam"} <= faulted_services(counted), counted["faults"]
    assert retried(results), "at 25 % throttling some call must have been retried"
    assert {entry["error"] for entry in retried(results)} <= THROTTLING_CODES
    aws = clients(flaky)
    eks, iam = aws("eks"), aws("iam")
    assert eks.list_clusters()["clusters"].count(name) == 1
    assert eks.list_access_entries(clusterName=name)["accessEntries"].count(principal) == 1
    policies = eks.list_associated_access_policies(clusterName=name, principalArn=principal)
    assert len(policies["associatedAccessPolicies"]) == 2
    assert eks.list_addons(clusterName=name)["addons"] == ["vpc-cni"]
    assert eks.list_nodegroups(clusterName=name)["nodegroups"] == ["general"]
    providers = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert [p["Arn"] for p in providers if p["Arn"].endswith(issuer.removeprefix("https://"))] != []
    assert len([p for p in providers if p["Arn"].endswith(issuer.removeprefix("https://"))]) == 1
    info = results[-1]["clusters"][0]
    assert (info["status"], [a["addon_name"] for a in info["addons"]]) == ("ACTIVE", ["vpc-cni"])
    assert [n["nodegroup_name"] for n in info["nodegroups"]] == ["general"]


def test_route_tables_survive_throttling(flaky, network):
    """ec2_vpc_route_tables: its one describe and every create, tag, route and association call retried."""
    faults_off(flaky)
    ec2 = clients(flaky)("ec2")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=network["vpc"])
    args = {
        "vpc_id": network["vpc"],
        "route_tables": [
            {
                "name": f"throttle-{zone}",
                "tags": {"ManagedBy": "teamf.platform"},
                "subnets": [subnet],
                "routes": [{"dest": "0.0.0.0/0", "gateway_id": igw}],
            }
            for zone, subnet in zip("ac", network["subnets"], strict=True)
        ],
    }
    steps = [Step("teamf.platform.ec2_vpc_route_tables", args) for _ in range(2)]

    with faults(flaky, THROTTLING) as counted:
        results = run_steps(flaky, steps)

    assert_converged(results, created={0})
    assert "ec2" in faulted_services(counted), counted["faults"]
    assert retried(results)
    assert {entry["error"] for entry in retried(results)} <= THROTTLING_CODES
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [network["vpc"]]}])["RouteTables"]
    names = sorted(t["Value"] for table in tables for t in table.get("Tags", []) if t["Key"] == "Name")
    assert names == ["throttle-a", "throttle-c"]
    assert results[1]["route_tables"] == results[0]["route_tables"]


COMPOSE = """\
services:
  web:
    image: nginx:1.27
    mem_limit: 128m
    ports: ["80:80"]
"""


@pytest.fixture
def ecs_estate(flaky, network, suffix, tmp_path):
    """A service COMPLETED on revision 1 (revision 2 registered), an ECR repository with an image, a compose file."""
    aws = clients(flaky)
    ecs = aws("ecs")
    cluster = f"throttle-{suffix}"
    ecs.create_cluster(clusterName=cluster)
    for image in ("nginx:1.27", "nginx:1.28"):
        ecs.register_task_definition(
            family=cluster, containerDefinitions=[{"name": "web", "image": image, "memory": 64}]
        )
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=f"{cluster}:1", desiredCount=1)
    deadline = time.monotonic() + 30
    while (
        ecs.describe_services(cluster=cluster, services=["web"])["services"][0]["deployments"][0].get("rolloutState")
        != "COMPLETED"
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    repository = f"throttle/{suffix}"
    aws("ecr").create_repository(repositoryName=repository)
    put_empty_image(aws("ecr"), repository, "1.0")
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    return {"cluster": cluster, "repository": repository, "compose": str(tmp_path / "docker-compose.yml")}


def test_ecs_ecr_and_cloud_map_modules_survive_throttling(flaky, network, ecs_estate, suffix):
    """Task definition, capacity provider, namespace, a rollout (its service reads and waits), ECR tags and images."""
    cluster, repository = ecs_estate["cluster"], ecs_estate["repository"]
    family, namespace = f"compose-{suffix}", f"throttle-{suffix}.internal"
    made = f"throttle-made/{suffix}"
    asg = f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:1a2b:autoScalingGroupName/{suffix}"
    module_args = [
        ("ecs_compose_taskdef", {"compose_file": ecs_estate["compose"], "family": family}),
        ("ecs_capacity_provider", {"name": f"cp-{suffix}", "auto_scaling_group_arn": asg}),
        (
            "servicediscovery_namespace",
            {"name": namespace, "vpc_id": network["vpc"], "services": ["auth", "users"], "wait_timeout": 60},
        ),
        (
            "ecs_rollout",
            {
                "services": [{"cluster": cluster, "service": "web", "task_definition": f"{cluster}:2"}],
                "poll_interval": 0.5,
                "wait_timeout": 120,
                "check_targets": False,
            },
        ),
        ("ecr_tag", {"repository": repository, "tags": {"ManagedBy": "teamf.platform"}}),
        ("ecr_repositories", {"repositories": [made], "lifecycle_policy": EXPIRE_UNTAGGED, "tags": {"Team": "web"}}),
        ("ecr_image", {"repository": repository, "tag": "release-1", "source_tag": "1.0"}),
    ]
    steps = [Step(f"teamf.platform.{module}", args) for module, args in module_args for _ in range(2)]
    steps.append(Step("teamf.platform.ecr_repository_info", {"names": [repository]}))

    with faults(flaky, THROTTLING) as counted:
        results = run_steps(flaky, steps)

    assert_converged(results, created={0, 2, 4, 6, 8, 10, 12})
    assert {"ecs", "ecr", "servicediscovery"} <= faulted_services(counted), counted["faults"]
    assert retried(results)
    assert {entry["error"] for entry in retried(results)} <= THROTTLING_CODES
    aws = clients(flaky)
    ecs, ecr, cloudmap = aws("ecs"), aws("ecr"), aws("servicediscovery")
    assert len(ecs.list_task_definitions(familyPrefix=family)["taskDefinitionArns"]) == 1
    assert len(ecs.describe_capacity_providers(capacityProviders=[f"cp-{suffix}"])["capacityProviders"]) == 1
    [found] = [n for n in cloudmap.list_namespaces()["Namespaces"] if n["Name"] == namespace]
    listed = cloudmap.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [found["Id"]], "Condition": "EQ"}])
    assert sorted(s["Name"] for s in listed["Services"]) == ["auth", "users"]
    [service] = ecs.describe_services(cluster=cluster, services=["web"])["services"]
    assert [(d["status"], d["taskDefinition"].rsplit("/", 1)[-1]) for d in service["deployments"]] == [
        ("PRIMARY", f"{cluster}:2")
    ]
    [made_repository] = [r for r in ecr.describe_repositories()["repositories"] if r["repositoryName"] == made]
    assert ecr.list_tags_for_resource(resourceArn=made_repository["repositoryArn"])["tags"] == [
        {"Key": "Team", "Value": "web"}
    ]
    [image] = ecr.describe_images(repositoryName=repository)["imageDetails"]
    assert sorted(image["imageTags"]) == ["1.0", "release-1"]
    assert results[-1]["repositories"][0]["image_count"] == 1


def test_modules_survive_server_errors(flaky, suffix, tmp_path):
    """500s and 503s in each protocol: ECS (JSON), IAM (query), EKS (REST-JSON), ECR (JSON)."""
    faults_off(flaky)
    repository = f"throttle-5xx/{suffix}"
    clients(flaky)("ecr").create_repository(repositoryName=repository)
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    family, issuer = f"compose-5xx-{suffix}", f"https://oidc.example.com/{suffix}"
    module_args = [
        ("ecs_compose_taskdef", {"compose_file": str(tmp_path / "docker-compose.yml"), "family": family}),
        ("iam_oidc_provider", {"url": issuer, "thumbprints": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]}),
        ("ecr_tag", {"repository": repository, "tags": {"ManagedBy": "teamf.platform"}}),
    ]
    steps = [Step(f"teamf.platform.{module}", args) for module, args in module_args for _ in range(2)]
    steps.append(Step("teamf.platform.eks_cluster_info", {}))

    with faults(flaky, SERVER_ERRORS) as counted:
        results = run_steps(flaky, steps)

    assert_converged(results, created={0, 2, 4})
    assert {"ecs", "iam", "ecr"} <= faulted_services(counted), counted["faults"]
    assert retried(results)
    assert {entry["error"] for entry in retried(results)} <= SERVER_ERROR_CODES
    aws = clients(flaky)
    assert len(aws("ecs").list_task_definitions(familyPrefix=family)["taskDefinitionArns"]) == 1
    providers = aws("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert len([p for p in providers if p["Arn"].endswith(issuer.removeprefix("https://"))]) == 1


def test_retries_are_shown_at_verbosity_one(flaky, tmp_path):
    """With -v the task result lists each retry; the seed makes the first ListClusters throttled, the second not."""
    faults_off(flaky)
    playbook = tmp_path / "info.yml"
    task = {"teamf.platform.eks_cluster_info": aws_args(flaky), "name": "Read the clusters"}
    play = {"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [task]}
    playbook.write_text(yaml.safe_dump([dict(play, vars={"ansible_python_interpreter": sys.executable})]))
    rule = {"seed": 1, "rules": [{"rate": 0.5, "services": ["eks"], "actions": ["ListClusters"]}]}  # draws 0.13, 0.85
    with faults(flaky, rule) as counted:
        run = subprocess.run(
            [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(playbook), "-v"],
            env=ansible_env(flaky),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    assert counted["faults"]["total"] == 1
    assert "aws_retries" in run.stdout and "ListClusters" in run.stdout and "ThrottlingException" in run.stdout
