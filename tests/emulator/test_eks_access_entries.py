"""emulator.fixes.eks_access_entries, over HTTP."""

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/eks"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/platform/admins"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-nodes"
ROOT = "arn:aws:iam::123456789012:root"
POLICY = "arn:aws:eks::aws:cluster-access-policy/{}"


def _code(err):
    return err.value.response["Error"]["Code"]


@pytest.fixture
def eks(aws, clean_emulator):
    return aws("eks")


@pytest.fixture
def cluster(eks):
    eks.create_cluster(
        name="demo",
        version="1.31",
        roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": []},
        accessConfig={"authenticationMode": "API"},
    )
    return "demo"


def test_creator_gets_cluster_admin_entry(eks, cluster):
    assert eks.list_access_entries(clusterName="demo")["accessEntries"] == [ROOT]
    policies = eks.list_associated_access_policies(clusterName="demo", principalArn=ROOT)["associatedAccessPolicies"]
    assert [(p["policyArn"], p["accessScope"]["type"]) for p in policies] == [
        (POLICY.format("AmazonEKSClusterAdminPolicy"), "cluster")
    ]


def test_no_creator_entry_without_bootstrap(eks):
    eks.create_cluster(
        name="bare",
        roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": []},
        accessConfig={"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": False},
    )
    assert eks.list_access_entries(clusterName="bare")["accessEntries"] == []


def test_config_map_mode_refuses_access_entries(eks):
    eks.create_cluster(name="legacy", roleArn=ROLE, resourcesVpcConfig={"subnetIds": []})
    with pytest.raises(ClientError) as err:
        eks.create_access_entry(clusterName="legacy", principalArn=ADMIN_ROLE)
    assert _code(err) == "InvalidRequestException"
    with pytest.raises(ClientError) as err:
        eks.list_access_entries(clusterName="legacy")
    assert _code(err) == "InvalidRequestException"
    eks.update_cluster_config(name="legacy", accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
    eks.create_access_entry(clusterName="legacy", principalArn=ADMIN_ROLE)
    assert eks.list_access_entries(clusterName="legacy")["accessEntries"] == [ADMIN_ROLE]


def test_create_describe_update_delete(eks, cluster):
    created = eks.create_access_entry(
        clusterName="demo", principalArn=ADMIN_ROLE, kubernetesGroups=["platform"], tags={"team": "f"}
    )["accessEntry"]
    assert created["type"] == "STANDARD"
    assert created["username"] == "arn:aws:sts::123456789012:assumed-role/admins/{{SessionName}}"
    assert created["accessEntryArn"].startswith(
        "arn:aws:eks:ap-northeast-2:123456789012:access-entry/demo/role/123456789012/admins/"
    )
    described = eks.describe_access_entry(clusterName="demo", principalArn=ADMIN_ROLE)["accessEntry"]
    assert described["kubernetesGroups"] == ["platform"]
    assert described["tags"] == {"team": "f"}

    updated = eks.update_access_entry(
        clusterName="demo", principalArn=ADMIN_ROLE, kubernetesGroups=["a", "b"], username="admin"
    )["accessEntry"]
    assert (updated["kubernetesGroups"], updated["username"]) == (["a", "b"], "admin")
    described = eks.describe_access_entry(clusterName="demo", principalArn=ADMIN_ROLE)["accessEntry"]
    assert (described["kubernetesGroups"], described["username"]) == (["a", "b"], "admin")

    eks.delete_access_entry(clusterName="demo", principalArn=ADMIN_ROLE)
    assert eks.list_access_entries(clusterName="demo")["accessEntries"] == [ROOT]
    with pytest.raises(ClientError) as err:
        eks.describe_access_entry(clusterName="demo", principalArn=ADMIN_ROLE)
    assert _code(err) == "ResourceNotFoundException"


def test_duplicate_and_invalid_entries(eks, cluster):
    eks.create_access_entry(clusterName="demo", principalArn=ADMIN_ROLE)
    with pytest.raises(ClientError) as err:
        eks.create_access_entry(clusterName="demo", principalArn=ADMIN_ROLE)
    assert _code(err) == "ResourceInUseException"
    with pytest.raises(ClientError) as err:
        eks.create_access_entry(clusterName="demo", principalArn="arn:aws:s3:::bucket")
    assert _code(err) == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        eks.create_access_entry(clusterName="demo", principalArn=NODE_ROLE, type="EC2_LINUX", kubernetesGroups=["x"])
    assert _code(err) == "InvalidParameterException"


def test_node_entry(eks, cluster):
    entry = eks.create_access_entry(clusterName="demo", principalArn=NODE_ROLE, type="EC2_LINUX")["accessEntry"]
    assert entry["type"] == "EC2_LINUX"
    assert entry["username"] == "system:node:{{EC2PrivateDNSName}}"
    with pytest.raises(ClientError) as err:
        eks.associate_access_policy(
            clusterName="demo",
            principalArn=NODE_ROLE,
            policyArn=POLICY.format("AmazonEKSViewPolicy"),
            accessScope={"type": "cluster"},
        )
    assert _code(err) == "InvalidParameterException"


def test_access_policy_association_lifecycle(eks, cluster):
    eks.create_access_entry(clusterName="demo", principalArn=ADMIN_ROLE)
    response = eks.associate_access_policy(
        clusterName="demo",
        principalArn=ADMIN_ROLE,
        policyArn=POLICY.format("AmazonEKSEditPolicy"),
        accessScope={"type": "namespace", "namespaces": ["apps"]},
    )
    assert response["principalArn"] == ADMIN_ROLE
    assert response["associatedAccessPolicy"]["accessScope"] == {"type": "namespace", "namespaces": ["apps"]}

    # associating again changes the scope
    eks.associate_access_policy(
        clusterName="demo",
        principalArn=ADMIN_ROLE,
        policyArn=POLICY.format("AmazonEKSEditPolicy"),
        accessScope={"type": "namespace", "namespaces": ["apps", "jobs"]},
    )
    eks.associate_access_policy(
        clusterName="demo",
        principalArn=ADMIN_ROLE,
        policyArn=POLICY.format("AmazonEKSViewPolicy"),
        accessScope={"type": "cluster"},
    )
    policies = eks.list_associated_access_policies(clusterName="demo", principalArn=ADMIN_ROLE)[
        "associatedAccessPolicies"
    ]
    assert {p["policyArn"]: p["accessScope"] for p in policies} == {
        POLICY.format("AmazonEKSEditPolicy"): {"type": "namespace", "namespaces": ["apps", "jobs"]},
        POLICY.format("AmazonEKSViewPolicy"): {"type": "cluster", "namespaces": []},
    }
    view = POLICY.format("AmazonEKSViewPolicy")
    assert eks.list_access_entries(clusterName="demo", associatedPolicyArn=view)["accessEntries"] == [ADMIN_ROLE]

    eks.disassociate_access_policy(clusterName="demo", principalArn=ADMIN_ROLE, policyArn=view)
    policies = eks.list_associated_access_policies(clusterName="demo", principalArn=ADMIN_ROLE)[
        "associatedAccessPolicies"
    ]
    assert [p["policyArn"] for p in policies] == [POLICY.format("AmazonEKSEditPolicy")]
    with pytest.raises(ClientError) as err:
        eks.disassociate_access_policy(clusterName="demo", principalArn=ADMIN_ROLE, policyArn=view)
    assert _code(err) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "policy, scope",
    [
        ("arn:aws:eks::aws:cluster-access-policy/NoSuchPolicy", {"type": "cluster"}),
        (POLICY.format("AmazonEKSEditPolicy"), {"type": "namespace"}),
    ],
)
def test_invalid_association(eks, cluster, policy, scope):
    eks.create_access_entry(clusterName="demo", principalArn=ADMIN_ROLE)
    with pytest.raises(ClientError) as err:
        eks.associate_access_policy(clusterName="demo", principalArn=ADMIN_ROLE, policyArn=policy, accessScope=scope)
    assert _code(err) == "InvalidParameterException"


def test_list_access_policies(eks):
    arns = {p["arn"] for p in eks.list_access_policies()["accessPolicies"]}
    for name in ("AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy", "AmazonEKSViewPolicy"):
        assert POLICY.format(name) in arns


def test_bare_moto_has_no_access_entry_api(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto serves access entries and access
    policies itself now: the fix can go."""
    eks = bare_moto("eks")
    eks.create_cluster(
        name="marker-access",
        roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": []},
        accessConfig={"authenticationMode": "API"},
    )
    for call in (
        lambda: eks.create_access_entry(clusterName="marker-access", principalArn=ADMIN_ROLE),
        lambda: eks.list_access_entries(clusterName="marker-access"),
        lambda: eks.associate_access_policy(
            clusterName="marker-access",
            principalArn=ADMIN_ROLE,
            policyArn=POLICY.format("AmazonEKSViewPolicy"),
            accessScope={"type": "cluster"},
        ),
        lambda: eks.list_access_policies(),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert _code(err) == "404"  # no route: an HTML 404, not an EKS error
