"""teamf.platform eks_cluster, iam_oidc_provider, eks_addon and eks_access_entry against the emulator.

Each module walks check mode → create → rerun → change → rerun → refused input → absent → absent
again, with the state read back through boto3 after each playbook. Steps share one playbook run
where nothing needs reading back in between: a real run that reports ``changed`` with an empty
``before`` right after a check-mode run proves the check-mode run created nothing.
"""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from emulator.fixes.iam_propagation import PATH as PROPAGATION_PATH
from tests.integration.modules import Step, run_module, run_steps

ACCOUNT = "123456789012"
KEY_1 = f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/11111111-1111-1111-1111-111111111111"
KEY_2 = f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/22222222-2222-2222-2222-222222222222"
EKS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


# The tests share the session's emulator without resetting it (a reset reloads every AWS managed
# policy and costs seconds): names are unique per test and assertions only look at their own resources.


@pytest.fixture
def suffix():
    return uuid.uuid4().hex[:8]


@pytest.fixture
def network(aws, suffix):
    """A VPC with two subnets in two zones, two security groups and the cluster role."""
    ec2, iam = aws("ec2"), aws("iam")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"ap-northeast-2{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    groups = [
        ec2.create_security_group(VpcId=vpc, GroupName=f"eks-it-{suffix}-{i}", Description="eks it")["GroupId"]
        for i in range(2)
    ]
    role = iam.create_role(RoleName=f"eks-it-{suffix}", AssumeRolePolicyDocument=json.dumps(EKS_TRUST))["Role"]["Arn"]
    return {"vpc": vpc, "subnets": subnets, "security_groups": groups, "role": role}


@pytest.fixture
def eks(aws):
    return aws("eks")


@pytest.fixture
def cluster(eks, network, suffix):
    """A cluster made with boto3 (Kubernetes 1.31, access entries enabled, no creator entry)."""
    name = f"eks-it-{suffix}"
    eks.create_cluster(
        name=name,
        version="1.31",
        roleArn=network["role"],
        resourcesVpcConfig={"subnetIds": network["subnets"]},
        accessConfig={"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": False},
    )
    yield name
    eks.delete_cluster(name=name)


def assert_ok(result, changed):
    assert not result.get("failed"), result.get("msg", result)
    assert result["changed"] is changed, result.get("diff", result)


def assert_failed(result, *fragments):
    assert result.get("failed") is True, result
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]


# ---- eks_cluster ------------------------------------------------------------------------------


def test_eks_cluster(emulator, eks, network, suffix):
    module = "teamf.platform.eks_cluster"
    name = f"eks-it-{suffix}"
    create = {
        "name": name,
        "version": "1.31",
        "role_arn": network["role"],
        "subnet_ids": network["subnets"],
        "logging": ["api"],
        "tags": {"team": "f"},
    }

    check, created, rerun = run_steps(
        emulator,
        [Step(module, create, check=True, diff=True), Step(module, create, diff=True), Step(module, create)],
    )
    assert_ok(check, True)
    assert check["cluster"] == {} and check["updates"] == []
    assert check["diff"]["before"] == {} and check["diff"]["after"]["version"] == "1.31"
    assert_ok(created, True)
    assert created["diff"]["before"] == {}, "check mode must not have created the cluster"
    assert_ok(rerun, False)
    assert rerun["updates"] == []

    described = eks.describe_cluster(name=name)["cluster"]
    vpc = described["resourcesVpcConfig"]
    assert described["version"] == "1.31" and described["roleArn"] == network["role"]
    assert sorted(vpc["subnetIds"]) == sorted(network["subnets"]) and vpc["securityGroupIds"] == []
    assert vpc["endpointPublicAccess"] is True and vpc["endpointPrivateAccess"] is True
    assert vpc["publicAccessCidrs"] == ["0.0.0.0/0"]
    assert {"types": ["api"], "enabled": True} in described["logging"]["clusterLogging"]
    assert described["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"
    assert described["tags"] == {"team": "f"}
    assert not described.get("encryptionConfig")
    returned = created["cluster"]
    assert returned["endpoint"] == described["endpoint"]
    assert returned["certificate_authority"]["data"] == described["certificateAuthority"]["data"]
    assert returned["identity"]["oidc"]["issuer"] == described["identity"]["oidc"]["issuer"]
    assert returned["resources_vpc_config"]["cluster_security_group_id"] == vpc["clusterSecurityGroupId"]
    assert returned["status"] == "ACTIVE" and returned["version"] == "1.31"

    # every kind of in-place update at once: applied one after the other, the version last
    change = dict(
        create,
        version="1.32",
        security_group_ids=[network["security_groups"][0]],
        public_access_cidrs=["203.0.113.0/24"],
        logging=["api", "audit"],
        authentication_mode="API",
        encryption_kms_key_arn=KEY_1,
        tags={"team": "f", "env": "staging"},
    )
    base = {"name": name}
    predicted, changed, rerun, jump, back, rekey, other_cluster, bad_version = run_steps(
        emulator,
        [
            Step(module, change, check=True, diff=True),
            Step(module, change, diff=True),
            Step(module, change),
            Step(module, dict(change, version="1.34")),
            Step(module, dict(change, authentication_mode="API_AND_CONFIG_MAP")),
            Step(module, dict(change, encryption_kms_key_arn=KEY_2)),
            Step(module, {"name": f"{name}-2", "version": "1.32", "subnet_ids": network["subnets"]}),
            Step(module, dict(base, version="1.x")),
        ],
    )
    assert_ok(predicted, True)
    assert predicted["updates"] == []
    assert predicted["diff"]["before"]["version"] == "1.31" and predicted["diff"]["after"]["version"] == "1.32"
    assert predicted["diff"]["after"]["logging"] == ["api", "audit"]
    assert_ok(changed, True)
    assert changed["diff"]["before"]["authentication_mode"] == "API_AND_CONFIG_MAP", "check mode changed the cluster"
    assert len(changed["updates"]) == 6
    assert changed["cluster"]["version"] == "1.32"
    assert_ok(rerun, False)
    assert_failed(jump, "version", "from 1.32 to 1.34", "one minor at a time")
    assert_failed(back, "authentication_mode", "from API to API_AND_CONFIG_MAP")
    assert_failed(rekey, "encryption_kms_key_arn", KEY_1, "cannot change")
    assert_failed(other_cluster, "role_arn required to create it")
    assert_failed(bad_version, "version", "'1.x'")

    described = eks.describe_cluster(name=name)["cluster"]
    vpc = described["resourcesVpcConfig"]
    assert described["version"] == "1.32"
    assert vpc["securityGroupIds"] == [network["security_groups"][0]]
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert {"types": ["api", "audit"], "enabled": True} in described["logging"]["clusterLogging"]
    assert described["accessConfig"]["authenticationMode"] == "API"
    assert described["encryptionConfig"][0]["provider"]["keyArn"] == KEY_1
    assert described["tags"] == {"team": "f", "env": "staging"}
    updates = [eks.describe_update(name=name, updateId=update)["update"] for update in changed["updates"]]
    assert [update["type"] for update in updates] == [
        "VpcConfigUpdate",
        "EndpointAccessUpdate",
        "LoggingUpdate",
        "AccessConfigUpdate",
        "AssociateEncryptionConfig",
        "VersionUpdate",
    ]
    assert {update["status"] for update in updates} == {"Successful"}
    assert f"{name}-2" not in eks.list_clusters()["clusters"]

    absent = dict(base, state="absent")
    check, deleted, again = run_steps(
        emulator, [Step(module, absent, check=True), Step(module, absent), Step(module, absent)]
    )
    assert_ok(check, True)
    assert_ok(deleted, True)  # so check mode deleted nothing
    assert deleted["cluster"] == {}
    assert_ok(again, False)
    assert name not in eks.list_clusters()["clusters"]


def test_eks_cluster_waits_for_its_new_role_to_propagate(emulator, aws, eks, network, suffix):
    """IAM is eventually consistent: EKS refuses a role created seconds ago (emulator/fixes/iam_propagation.py).

    The module retries that refusal as it retries throttling, and says so in ``aws_retries``.
    """
    request = urllib.request.Request(
        f"{emulator.url}{PROPAGATION_PATH}", data=b'{"seconds": 3}', headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=10).close()
    try:
        role = aws("iam").create_role(RoleName=f"eks-new-{suffix}", AssumeRolePolicyDocument=json.dumps(EKS_TRUST))
        name = f"eks-new-{suffix}"
        created = run_module(
            emulator,
            "teamf.platform.eks_cluster",
            {"name": name, "version": "1.31", "role_arn": role["Role"]["Arn"], "subnet_ids": network["subnets"]},
        )
        with urllib.request.urlopen(f"{emulator.url}{PROPAGATION_PATH}", timeout=10) as response:
            refused = json.loads(response.read())["refused"]
    finally:
        request = urllib.request.Request(
            f"{emulator.url}{PROPAGATION_PATH}", data=b'{"seconds": 0}', headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=10).close()
    assert_ok(created, True)
    assert refused >= 1, "the emulator never refused the new role: the test proves nothing"
    reasons = {retry["error"] for retry in created["aws_retries"] if retry["operation"] == "CreateCluster"}
    assert reasons == {"InvalidParameterException (IAM role not visible yet)"}, created["aws_retries"]
    assert eks.describe_cluster(name=name)["cluster"]["roleArn"] == role["Role"]["Arn"]
    eks.delete_cluster(name=name)


# ---- iam_oidc_provider ------------------------------------------------------------------------


def provider_arns(iam):
    return [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]


def test_iam_oidc_provider(emulator, aws, suffix):
    iam = aws("iam")
    module = "teamf.platform.iam_oidc_provider"
    url = f"https://oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLE{suffix.upper()}"
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{url.removeprefix('https://')}"
    create = {"url": url, "tags": {"team": "f"}}

    check, created, rerun = run_steps(
        emulator, [Step(module, create, check=True, diff=True), Step(module, create, diff=True), Step(module, create)]
    )
    assert_ok(check, True)
    assert check["arn"] is None and check["diff"]["after"]["client_ids"] == ["sts.amazonaws.com"]
    assert_ok(created, True)
    assert created["diff"]["before"] == {}, "check mode must not have created the provider"
    assert created["arn"] == arn and created["url"] == url
    assert_ok(rerun, False)
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    assert {t["Key"]: t["Value"] for t in provider["Tags"]} == {"team": "f"}

    thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
    change = {
        "url": url,
        "client_ids": ["sts.amazonaws.com", "shop-web"],
        "thumbprints": [thumbprint],
        "tags": {"env": "staging"},
    }
    changed, rerun, kept, fewer, bad_url = run_steps(
        emulator,
        [
            Step(module, change, diff=True),
            Step(module, change),
            Step(module, {k: v for k, v in change.items() if k != "thumbprints"}),
            Step(module, dict(change, client_ids=["shop-web"])),
            Step(module, dict(change, url="http://oidc.example.com")),
        ],
    )
    assert_ok(changed, True)
    assert changed["diff"]["before"]["client_ids"] == ["sts.amazonaws.com"]
    assert sorted(changed["client_ids"]) == ["shop-web", "sts.amazonaws.com"]
    assert_ok(rerun, False)
    assert_ok(kept, False)  # thumbprints unset: whatever the provider has is kept
    assert_ok(fewer, True)
    assert_failed(bad_url, "url", "https://")
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert provider["ClientIDList"] == ["shop-web"]
    assert provider["ThumbprintList"] == [thumbprint]
    assert {t["Key"]: t["Value"] for t in provider["Tags"]} == {"env": "staging"}
    assert provider_arns(iam).count(arn) == 1

    absent = {"url": url, "state": "absent"}
    check, deleted, again = run_steps(
        emulator, [Step(module, absent, check=True), Step(module, absent), Step(module, absent)]
    )
    assert_ok(check, True)
    assert_ok(deleted, True)
    assert_ok(again, False)
    assert arn not in provider_arns(iam)


# ---- eks_addon --------------------------------------------------------------------------------


def test_eks_addon(emulator, eks, cluster):
    module = "teamf.platform.eks_addon"
    values = {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}, "init": {"env": {"A": "b"}}}
    create = {"cluster_name": cluster, "name": "vpc-cni", "configuration_values": values, "tags": {"team": "f"}}
    reordered = dict(
        create, configuration_values={"init": {"env": {"A": "b"}}, "env": dict(reversed(values["env"].items()))}
    )

    check, created, rerun = run_steps(
        emulator,
        [Step(module, create, check=True, diff=True), Step(module, create, diff=True), Step(module, reordered)],
    )
    assert_ok(check, True)
    assert check["addon"] == {} and check["diff"]["after"]["version"] == "v1.19.2-eksbuild.1"
    assert_ok(created, True)
    assert created["diff"]["before"] == {}, "check mode must not have created the add-on"
    assert created["addon"]["status"] == "ACTIVE"
    assert_ok(rerun, False)  # configuration compared as data, not as text
    addon = eks.describe_addon(clusterName=cluster, addonName="vpc-cni")["addon"]
    assert addon["addonVersion"] == "v1.19.2-eksbuild.1"  # the default for 1.31
    assert json.loads(addon["configurationValues"]) == values
    assert addon["tags"] == {"team": "f"}

    role = f"arn:aws:iam::{ACCOUNT}:role/vpc-cni"
    latest = dict(create, version="latest", service_account_role_arn=role)
    upgraded, rerun, default, unknown_version, unknown_addon, bad_role = run_steps(
        emulator,
        [
            Step(module, latest, diff=True),
            Step(module, latest),
            Step(module, dict(latest, version="default")),
            Step(module, dict(latest, version="v9.9.9-eksbuild.1")),
            Step(module, dict(create, name="no-such-addon")),
            Step(module, dict(create, service_account_role_arn="vpc-cni")),
        ],
    )
    assert_ok(upgraded, True)
    assert upgraded["diff"]["before"]["version"] == "v1.19.2-eksbuild.1"
    assert upgraded["diff"]["after"]["version"] == "v1.20.1-eksbuild.1"
    assert len(upgraded["updates"]) == 1
    assert_ok(rerun, False)
    assert_ok(default, False)  # "default" does not downgrade
    assert_failed(unknown_version, "version", "v9.9.9-eksbuild.1", "v1.20.1-eksbuild.1, v1.19.6-eksbuild.1")
    assert_failed(unknown_addon, "name", "no-such-addon", "vpc-cni")
    assert_failed(bad_role, "service_account_role_arn")
    addon = eks.describe_addon(clusterName=cluster, addonName="vpc-cni")["addon"]
    assert addon["addonVersion"] == "v1.20.1-eksbuild.1"
    assert addon["serviceAccountRoleArn"] == role
    assert eks.list_addons(clusterName=cluster)["addons"] == ["vpc-cni"]
    update = eks.describe_update(name=cluster, updateId=upgraded["updates"][0], addonName="vpc-cni")["update"]
    assert update["type"] == "AddonUpdate" and update["status"] == "Successful"

    absent = {"cluster_name": cluster, "name": "vpc-cni", "state": "absent"}
    check, deleted, again = run_steps(
        emulator, [Step(module, absent, check=True), Step(module, absent), Step(module, absent)]
    )
    assert_ok(check, True)
    assert_ok(deleted, True)
    assert_ok(again, False)
    assert eks.list_addons(clusterName=cluster)["addons"] == []


# ---- eks_access_entry -------------------------------------------------------------------------


def associations(eks, cluster, principal):
    policies = eks.list_associated_access_policies(clusterName=cluster, principalArn=principal)
    return {
        p["policyArn"].rsplit("/", 1)[1]: (p["accessScope"]["type"], sorted(p["accessScope"].get("namespaces") or []))
        for p in policies["associatedAccessPolicies"]
    }


def test_eks_access_entry(emulator, eks, cluster):
    module = "teamf.platform.eks_access_entry"
    principal = f"arn:aws:iam::{ACCOUNT}:role/developer"
    node_role = f"arn:aws:iam::{ACCOUNT}:role/nodes"
    create = {
        "cluster_name": cluster,
        "principal_arn": principal,
        "kubernetes_groups": ["developers"],
        "access_policies": [
            {"policy": "AmazonEKSViewPolicy"},
            {"policy": "AmazonEKSEditPolicy", "access_scope": {"type": "namespace", "namespaces": ["shop", "jobs"]}},
        ],
        "tags": {"team": "f"},
    }
    same = dict(
        create,
        access_policies=[
            {
                "policy": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
                "access_scope": {"type": "namespace", "namespaces": ["jobs", "shop"]},
            },
            {"policy": "AmazonEKSViewPolicy", "access_scope": {"type": "cluster"}},
        ],
    )

    check, created, rerun = run_steps(
        emulator, [Step(module, create, check=True, diff=True), Step(module, create, diff=True), Step(module, same)]
    )
    assert_ok(check, True)
    assert check["access_entry"] == {} and check["associated_access_policies"] == []
    assert_ok(created, True)
    assert created["diff"]["before"] == {}, "check mode must not have created the entry"
    assert created["access_entry"]["principal_arn"] == principal
    assert len(created["associated_access_policies"]) == 2
    assert_ok(rerun, False)  # short names and ARNs, namespace order: the same associations
    entry = eks.describe_access_entry(clusterName=cluster, principalArn=principal)["accessEntry"]
    assert entry["kubernetesGroups"] == ["developers"] and entry["type"] == "STANDARD"
    assert entry["tags"] == {"team": "f"}
    assert associations(eks, cluster, principal) == {
        "AmazonEKSEditPolicy": ("namespace", ["jobs", "shop"]),
        "AmazonEKSViewPolicy": ("cluster", []),
    }

    change = dict(
        create,
        kubernetes_groups=["developers", "ops"],
        access_policies=[
            {"policy": "AmazonEKSAdminPolicy", "access_scope": {"type": "namespace", "namespaces": ["shop"]}}
        ],
    )
    node = {"cluster_name": cluster, "principal_arn": node_role, "type": "EC2_LINUX"}
    changed, rerun, node_entry, no_namespaces, node_groups, retype = run_steps(
        emulator,
        [
            Step(module, change, diff=True),
            Step(module, change),
            Step(module, node),
            Step(
                module,
                dict(
                    change, access_policies=[{"policy": "AmazonEKSViewPolicy", "access_scope": {"type": "namespace"}}]
                ),
            ),
            Step(module, dict(node, kubernetes_groups=["x"])),
            Step(module, dict(change, type="EC2_LINUX", kubernetes_groups=None, access_policies=None)),
        ],
    )
    assert_ok(changed, True)
    assert changed["diff"]["before"]["kubernetes_groups"] == ["developers"]
    assert_ok(rerun, False)
    assert_ok(node_entry, True)
    assert node_entry["access_entry"]["type"] == "EC2_LINUX"
    assert_failed(no_namespaces, "access_policies[0].access_scope.namespaces")
    assert_failed(node_groups, "kubernetes_groups", "EC2_LINUX")
    assert_failed(retype, "type", "STANDARD", "cannot change")
    entry = eks.describe_access_entry(clusterName=cluster, principalArn=principal)["accessEntry"]
    assert sorted(entry["kubernetesGroups"]) == ["developers", "ops"]
    assert associations(eks, cluster, principal) == {"AmazonEKSAdminPolicy": ("namespace", ["shop"])}
    assert sorted(eks.list_access_entries(clusterName=cluster)["accessEntries"]) == sorted([principal, node_role])

    absent = {"cluster_name": cluster, "principal_arn": principal, "state": "absent"}
    check, deleted, again, node_deleted = run_steps(
        emulator,
        [
            Step(module, absent, check=True),
            Step(module, absent),
            Step(module, absent),
            Step(module, dict(node, state="absent")),
        ],
    )
    assert_ok(check, True)
    assert_ok(deleted, True)
    assert_ok(again, False)
    assert_ok(node_deleted, True)
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


def test_missing_cluster_is_named(emulator, suffix):
    result = run_module(emulator, "teamf.platform.eks_addon", {"cluster_name": f"nope-{suffix}", "name": "coredns"})
    assert_failed(result, "cluster_name", f"nope-{suffix}")
