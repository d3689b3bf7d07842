"""plugins/module_utils/eks.py and iam_oidc.py: the pure compare helpers behind the EKS modules."""

from __future__ import annotations

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.eks import (
    EKSConfigError,
    access_policy_arn,
    addon_versions,
    arn_partition,
    authentication_mode_steps,
    cluster_fields,
    compare_access_entry,
    compare_access_policies,
    compare_addon,
    create_cluster_request,
    enabled_log_types,
    logging_request,
    parse_configuration_values,
    plan_cluster_updates,
    resolve_addon_version,
    version_upgrade,
    wanted_access_policies,
    wanted_cluster_fields,
)
from ansible_collections.teamf.platform.plugins.module_utils.iam_oidc import (
    compare_client_ids,
    provider_id,
    thumbprints_to_set,
)

KEY_1 = "arn:aws:kms:ap-northeast-2:123456789012:key/1"
KEY_2 = "arn:aws:kms:ap-northeast-2:123456789012:key/2"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
EDIT = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"


def described_cluster(**overrides):
    """A DescribeCluster answer as the module's defaults would create it."""
    cluster = {
        "name": "c",
        "arn": "arn:aws:eks:ap-northeast-2:123456789012:cluster/c",
        "version": "1.31",
        "roleArn": "arn:aws:iam::123456789012:role/eks",
        "status": "ACTIVE",
        "resourcesVpcConfig": {
            "subnetIds": ["subnet-b", "subnet-a"],
            "securityGroupIds": [],
            "clusterSecurityGroupId": "sg-cluster",
            "vpcId": "vpc-1",
            "endpointPublicAccess": True,
            "endpointPrivateAccess": True,
            "publicAccessCidrs": ["0.0.0.0/0"],
        },
        "logging": {
            "clusterLogging": [
                {"types": ["api"], "enabled": True},
                {"types": ["audit", "authenticator", "controllerManager", "scheduler"], "enabled": False},
            ]
        },
        "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True},
        "encryptionConfig": [],
        "tags": {"team": "f"},
    }
    cluster.update(overrides)
    return cluster


def params(**overrides):
    """Module parameters with the module's defaults; ``None`` means "not given"."""
    values = {
        "name": "c",
        "version": "1.31",
        "role_arn": "arn:aws:iam::123456789012:role/eks",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "security_group_ids": [],
        "endpoint_public_access": True,
        "endpoint_private_access": True,
        "public_access_cidrs": ["0.0.0.0/0"],
        "logging": ["api"],
        "encryption_kms_key_arn": None,
        "authentication_mode": "API_AND_CONFIG_MAP",
        "bootstrap_cluster_creator_admin": True,
        "tags": None,
        "purge_tags": True,
    }
    values.update(overrides)
    return values


# ---- versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        ("1.31", "1.31", None),
        ("1.31", None, None),
        ("1.31", "1.32", "1.32"),
        ("1.9", "1.10", "1.10"),
    ],
)
def test_version_upgrade(current, wanted, expected):
    assert version_upgrade(current, wanted) == expected


@pytest.mark.parametrize(
    ("current", "wanted", "message"),
    [
        ("1.31", "1.33", "cannot upgrade the cluster from 1.31 to 1.33"),
        ("1.32", "1.31", "cannot downgrade the cluster from 1.32 to 1.31"),
        ("1.31", "2.0", "cannot upgrade the cluster from 1.31 to 2.0"),
    ],
)
def test_version_upgrade_refuses_jumps_and_downgrades(current, wanted, message):
    with pytest.raises(EKSConfigError, match="one minor") as error:
        version_upgrade(current, wanted)
    assert str(error.value).startswith("version: ")
    assert message in str(error.value)


# ---- cluster ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logging", "expected"),
    [
        ({}, []),
        ({"clusterLogging": [{"types": ["audit", "api"], "enabled": True}]}, ["api", "audit"]),
        (
            {"clusterLogging": [{"types": ["api"], "enabled": True}, {"types": ["api", "audit"], "enabled": False}]},
            [],
        ),
    ],
)
def test_enabled_log_types(logging, expected):
    assert enabled_log_types({"logging": logging}) == expected


@pytest.mark.parametrize(
    ("enabled", "expected"),
    [
        ([], [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"], "enabled": False}]),
        (
            ["scheduler", "api"],
            [
                {"types": ["api", "scheduler"], "enabled": True},
                {"types": ["audit", "authenticator", "controllerManager"], "enabled": False},
            ],
        ),
        (
            ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"], "enabled": True}],
        ),
    ],
)
def test_logging_request(enabled, expected):
    assert logging_request(enabled) == {"clusterLogging": expected}


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        ("API_AND_CONFIG_MAP", "API_AND_CONFIG_MAP", []),
        ("API", None, []),
        ("CONFIG_MAP", "API_AND_CONFIG_MAP", ["API_AND_CONFIG_MAP"]),
        ("CONFIG_MAP", "API", ["API_AND_CONFIG_MAP", "API"]),
        ("API_AND_CONFIG_MAP", "API", ["API"]),
    ],
)
def test_authentication_mode_steps(current, wanted, expected):
    assert authentication_mode_steps(current, wanted) == expected


@pytest.mark.parametrize(("current", "wanted"), [("API", "CONFIG_MAP"), ("API", "API_AND_CONFIG_MAP")])
def test_authentication_mode_never_goes_back(current, wanted):
    with pytest.raises(EKSConfigError, match=f"^authentication_mode: cannot change from {current} to {wanted}"):
        authentication_mode_steps(current, wanted)


@pytest.mark.parametrize(
    ("cluster", "changes", "expected"),
    [
        pytest.param(described_cluster(), {}, [], id="nothing"),
        pytest.param(described_cluster(), {"subnet_ids": ["subnet-b", "subnet-a"]}, [], id="subnet-order"),
        pytest.param(described_cluster(), {"subnet_ids": None, "version": None}, [], id="unset-options"),
        pytest.param(
            described_cluster(),
            {"security_group_ids": ["sg-1"]},
            [("VpcConfigUpdate", {"resourcesVpcConfig": {"securityGroupIds": ["sg-1"]}})],
            id="security-groups",
        ),
        pytest.param(
            described_cluster(),
            {"subnet_ids": ["subnet-a", "subnet-c"], "security_group_ids": ["sg-1"]},
            [
                (
                    "VpcConfigUpdate",
                    {"resourcesVpcConfig": {"subnetIds": ["subnet-a", "subnet-c"], "securityGroupIds": ["sg-1"]}},
                )
            ],
            id="subnets-and-groups",
        ),
        pytest.param(
            described_cluster(),
            {"public_access_cidrs": ["203.0.113.0/24"]},
            [
                (
                    "EndpointAccessUpdate",
                    {
                        "resourcesVpcConfig": {
                            "endpointPublicAccess": True,
                            "endpointPrivateAccess": True,
                            "publicAccessCidrs": ["203.0.113.0/24"],
                        }
                    },
                )
            ],
            id="public-cidrs",
        ),
        pytest.param(
            described_cluster(),
            {"endpoint_public_access": False, "public_access_cidrs": ["203.0.113.0/24"]},
            [
                (
                    "EndpointAccessUpdate",
                    {"resourcesVpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}},
                )
            ],
            id="private-only-ignores-cidrs",
        ),
        pytest.param(
            described_cluster(
                resourcesVpcConfig={
                    **described_cluster()["resourcesVpcConfig"],
                    "endpointPublicAccess": False,
                    "publicAccessCidrs": ["0.0.0.0/0"],
                }
            ),
            {"endpoint_public_access": False, "public_access_cidrs": ["10.0.0.0/8"]},
            [],
            id="cidrs-of-disabled-endpoint-not-compared",
        ),
        pytest.param(
            described_cluster(),
            {"logging": ["audit", "api"]},
            [("LoggingUpdate", {"logging": logging_request(["api", "audit"])})],
            id="logging",
        ),
        pytest.param(
            described_cluster(accessConfig={"authenticationMode": "CONFIG_MAP"}),
            {"authentication_mode": "API"},
            [
                ("AccessConfigUpdate", {"accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}}),
                ("AccessConfigUpdate", {"accessConfig": {"authenticationMode": "API"}}),
            ],
            id="authentication-two-steps",
        ),
        pytest.param(
            described_cluster(),
            {"encryption_kms_key_arn": KEY_1},
            [
                (
                    "AssociateEncryptionConfig",
                    {"encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY_1}}]},
                )
            ],
            id="associate-encryption",
        ),
        pytest.param(
            described_cluster(encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY_1}}]),
            {"encryption_kms_key_arn": None},
            [],
            id="encryption-unset-keeps-key",
        ),
        pytest.param(
            described_cluster(),
            {"version": "1.32", "logging": [], "security_group_ids": ["sg-1"]},
            [
                ("VpcConfigUpdate", {"resourcesVpcConfig": {"securityGroupIds": ["sg-1"]}}),
                ("LoggingUpdate", {"logging": logging_request([])}),
                ("VersionUpdate", {"version": "1.32"}),
            ],
            id="order-version-last",
        ),
    ],
)
def test_plan_cluster_updates(cluster, changes, expected):
    assert plan_cluster_updates(cluster, params(**changes)) == expected


@pytest.mark.parametrize(
    ("cluster", "changes", "message"),
    [
        pytest.param(
            described_cluster(encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY_1}}]),
            {"encryption_kms_key_arn": KEY_2},
            f"encryption_kms_key_arn: the cluster's secrets are encrypted with {KEY_1}; AWS cannot change",
            id="other-key",
        ),
        pytest.param(
            described_cluster(),
            {"endpoint_public_access": False, "endpoint_private_access": False},
            "at least one of the endpoints",
            id="no-endpoint",
        ),
        pytest.param(described_cluster(), {"version": "1.33"}, "from 1.31 to 1.33", id="version-jump"),
        pytest.param(described_cluster(), {"authentication_mode": "CONFIG_MAP"}, "authentication_mode", id="mode-back"),
    ],
)
def test_plan_cluster_updates_refuses(cluster, changes, message):
    with pytest.raises(EKSConfigError) as error:
        plan_cluster_updates(cluster, params(**changes))
    assert message in str(error.value)


def test_cluster_fields_and_wanted_fields():
    current = cluster_fields(described_cluster())
    assert current == {
        "version": "1.31",
        "role_arn": "arn:aws:iam::123456789012:role/eks",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "security_group_ids": [],
        "endpoint_public_access": True,
        "endpoint_private_access": True,
        "public_access_cidrs": ["0.0.0.0/0"],
        "logging": ["api"],
        "encryption_kms_key_arn": None,
        "authentication_mode": "API_AND_CONFIG_MAP",
        "tags": {"team": "f"},
    }
    assert wanted_cluster_fields(params(), current) == current
    wanted = wanted_cluster_fields(
        params(version="1.32", role_arn="arn:aws:iam::123456789012:role/other", tags={"env": "dev"}, purge_tags=False),
        current,
    )
    assert wanted["version"] == "1.32"
    assert wanted["role_arn"] == current["role_arn"]  # AWS cannot change it
    assert wanted["tags"] == {"env": "dev", "team": "f"}
    assert cluster_fields(None) == {}


def test_create_cluster_request():
    request = create_cluster_request(
        params(
            endpoint_public_access=False,
            encryption_kms_key_arn=KEY_1,
            tags={"team": "f"},
            bootstrap_cluster_creator_admin=False,
        )
    )
    assert request["resourcesVpcConfig"] == {
        "subnetIds": ["subnet-a", "subnet-b"],
        "securityGroupIds": [],
        "endpointPublicAccess": False,
        "endpointPrivateAccess": True,
    }
    assert request["accessConfig"] == {
        "authenticationMode": "API_AND_CONFIG_MAP",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert request["encryptionConfig"] == [{"resources": ["secrets"], "provider": {"keyArn": KEY_1}}]
    assert request["tags"] == {"team": "f"}
    assert "encryptionConfig" not in create_cluster_request(params())


# ---- add-ons ----------------------------------------------------------------------------------

ADDON_INFO = {
    "addonName": "coredns",
    "addonVersions": [
        {
            "addonVersion": "v1.11.4-eksbuild.2",
            "compatibilities": [
                {"clusterVersion": "1.31", "defaultVersion": False},
                {"clusterVersion": "1.32", "defaultVersion": True},
            ],
        },
        {
            "addonVersion": "v1.11.3-eksbuild.10",
            "compatibilities": [{"clusterVersion": "1.31", "defaultVersion": True}],
        },
        {
            "addonVersion": "v1.11.3-eksbuild.9",
            "compatibilities": [{"clusterVersion": "1.31", "defaultVersion": False}],
        },
        {"addonVersion": "v1.12.1-eksbuild.2", "compatibilities": [{"clusterVersion": "1.33", "defaultVersion": True}]},
    ],
}


def test_addon_versions_newest_first_for_the_cluster_version():
    assert addon_versions(ADDON_INFO, "1.31") == [
        ("v1.11.4-eksbuild.2", False),
        ("v1.11.3-eksbuild.10", True),  # numeric, not text order: build 10 is after build 9
        ("v1.11.3-eksbuild.9", False),
    ]
    assert addon_versions(ADDON_INFO, "1.30") == []
    assert addon_versions(None, "1.31") == []


@pytest.mark.parametrize(
    ("requested", "installed", "expected"),
    [
        ("latest", None, "v1.11.4-eksbuild.2"),
        ("default", None, "v1.11.3-eksbuild.10"),
        ("default", "v1.11.3-eksbuild.9", "v1.11.3-eksbuild.10"),
        ("default", "v1.11.4-eksbuild.2", "v1.11.4-eksbuild.2"),
        ("v1.11.3-eksbuild.9", "v1.11.4-eksbuild.2", "v1.11.3-eksbuild.9"),
    ],
)
def test_resolve_addon_version(requested, installed, expected):
    assert resolve_addon_version(requested, addon_versions(ADDON_INFO, "1.31"), installed) == expected


def test_resolve_addon_version_lists_available_versions():
    with pytest.raises(EKSConfigError) as error:
        resolve_addon_version("v1.12.1-eksbuild.2", addon_versions(ADDON_INFO, "1.31"))
    assert str(error.value) == (
        "version: v1.12.1-eksbuild.2 is not available; "
        "available versions: v1.11.4-eksbuild.2, v1.11.3-eksbuild.10, v1.11.3-eksbuild.9"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, {}),
        ("", {}),
        ('{"replicaCount": 3}', {"replicaCount": 3}),
        ("replicaCount: 3\n", {"replicaCount": 3}),
    ],
)
def test_parse_configuration_values(text, expected):
    assert parse_configuration_values(text) == expected


ADDON = {
    "addonVersion": "v1",
    "configurationValues": '{"b": 1, "a": {"x": [1, 2]}}',
    "serviceAccountRoleArn": "arn:aws:iam::123456789012:role/r",
}


@pytest.mark.parametrize(
    ("version", "values", "role", "expected"),
    [
        ("v1", None, None, {}),
        ("v1", {"a": {"x": [1, 2]}, "b": 1}, "arn:aws:iam::123456789012:role/r", {}),
        ("v2", None, None, {"addonVersion": "v2"}),
        ("v1", {"a": {"x": [2, 1]}, "b": 1}, None, {"configurationValues": '{"a": {"x": [2, 1]}, "b": 1}'}),
        ("v1", {}, None, {"configurationValues": "{}"}),
        ("v1", None, "", {"serviceAccountRoleArn": ""}),
    ],
)
def test_compare_addon(version, values, role, expected):
    assert compare_addon(ADDON, version, values, role) == expected


def test_compare_addon_without_configuration():
    assert compare_addon({"addonVersion": "v1"}, "v1", {}, "") == {}


# ---- access entries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "partition", "expected"),
    [
        ("AmazonEKSViewPolicy", "aws", VIEW),
        ("AmazonEKSViewPolicy", "aws-cn", "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"),
        (EDIT, "aws-cn", EDIT),
    ],
)
def test_access_policy_arn(policy, partition, expected):
    assert access_policy_arn(policy, partition) == expected


@pytest.mark.parametrize(
    ("arn", "expected"),
    [("arn:aws-us-gov:iam::123456789012:role/r", "aws-us-gov"), ("arn:aws:iam::1:user/u", "aws"), ("x", "aws")],
)
def test_arn_partition(arn, expected):
    assert arn_partition(arn) == expected


def test_wanted_access_policies():
    wanted = wanted_access_policies(
        [
            {"policy": "AmazonEKSViewPolicy", "access_scope": None},
            {"policy": EDIT, "access_scope": {"type": "namespace", "namespaces": ["b", "a"]}},
        ]
    )
    assert wanted == {
        VIEW: {"type": "cluster", "namespaces": []},
        EDIT: {"type": "namespace", "namespaces": ["a", "b"]},
    }


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ({"type": "namespace", "namespaces": []}, "access_policies[1].access_scope.namespaces: a namespace scope"),
        ({"type": "cluster", "namespaces": ["a"]}, "access_policies[1].access_scope.namespaces: must be empty"),
    ],
)
def test_wanted_access_policies_refuses_bad_scopes(scope, message):
    with pytest.raises(EKSConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        wanted_access_policies(
            [{"policy": "AmazonEKSViewPolicy"}, {"policy": "AmazonEKSEditPolicy", "access_scope": scope}]
        )


CLUSTER_SCOPE = {"type": "cluster", "namespaces": []}
SHOP_SCOPE = {"type": "namespace", "namespaces": ["shop"]}


@pytest.mark.parametrize(
    ("current", "wanted", "purge", "expected"),
    [
        pytest.param([], {}, True, ({}, []), id="none"),
        pytest.param([], {VIEW: CLUSTER_SCOPE}, True, ({VIEW: CLUSTER_SCOPE}, []), id="associate"),
        pytest.param(
            [{"policyArn": VIEW, "accessScope": {"type": "cluster"}}], {VIEW: CLUSTER_SCOPE}, True, ({}, []), id="same"
        ),
        pytest.param(
            [{"policyArn": EDIT, "accessScope": {"type": "namespace", "namespaces": ["shop"]}}],
            {EDIT: {"type": "namespace", "namespaces": ["jobs", "shop"]}},
            True,
            ({EDIT: {"type": "namespace", "namespaces": ["jobs", "shop"]}}, []),
            id="scope-changed",
        ),
        pytest.param(
            [{"policyArn": VIEW, "accessScope": CLUSTER_SCOPE}, {"policyArn": EDIT, "accessScope": SHOP_SCOPE}],
            {EDIT: SHOP_SCOPE},
            True,
            ({}, [VIEW]),
            id="purge",
        ),
        pytest.param(
            [{"policyArn": VIEW, "accessScope": CLUSTER_SCOPE}],
            {EDIT: SHOP_SCOPE},
            False,
            ({EDIT: SHOP_SCOPE}, []),
            id="no-purge",
        ),
    ],
)
def test_compare_access_policies(current, wanted, purge, expected):
    assert compare_access_policies(current, wanted, purge) == expected


ENTRY = {"kubernetesGroups": ["b", "a"], "username": "arn:aws:sts::1:assumed-role/r/{{SessionName}}"}


@pytest.mark.parametrize(
    ("groups", "username", "expected"),
    [
        (None, None, {}),
        (["a", "b"], ENTRY["username"], {}),
        ([], None, {"kubernetesGroups": []}),
        (["a", "c"], None, {"kubernetesGroups": ["a", "c"]}),
        (None, "dev", {"username": "dev"}),
    ],
)
def test_compare_access_entry(groups, username, expected):
    assert compare_access_entry(ENTRY, groups, username) == expected


# ---- IAM OIDC providers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC", "oidc.eks.ap-northeast-2.amazonaws.com/id/ABC"),
        ("https://issuer.example.com/", "issuer.example.com"),
    ],
)
def test_provider_id(url, expected):
    assert provider_id(url) == expected


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (["sts.amazonaws.com"], ["sts.amazonaws.com"], ([], [])),
        (["a", "b"], ["b", "a"], ([], [])),
        (["a"], ["a", "b"], (["b"], [])),
        (["a", "b"], ["c"], (["c"], ["a", "b"])),
    ],
)
def test_compare_client_ids(current, wanted, expected):
    assert compare_client_ids(current, wanted) == expected


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (["AA" * 20], None, None),
        (["AA" * 20], ["aa" * 20], None),
        ([], ["aa" * 20], ["aa" * 20]),
        (["aa" * 20, "bb" * 20], ["bb" * 20], ["bb" * 20]),
    ],
)
def test_thumbprints_to_set(current, wanted, expected):
    assert thumbprints_to_set(current, wanted) == expected
