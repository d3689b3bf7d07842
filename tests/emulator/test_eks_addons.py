"""emulator.fixes.eks_addons, over HTTP."""

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/eks"
CSI_ROLE = "arn:aws:iam::123456789012:role/ebs-csi"


@pytest.fixture
def eks(aws, clean_emulator):
    client = aws("eks")
    client.create_cluster(name="demo", version="1.31", roleArn=ROLE, resourcesVpcConfig={"subnetIds": []})
    return client


def _code(err):
    return err.value.response["Error"]["Code"]


def _default_version(eks, name, kubernetes_version="1.31"):
    info = eks.describe_addon_versions(addonName=name, kubernetesVersion=kubernetes_version)["addons"][0]
    defaults = [
        v["addonVersion"]
        for v in info["addonVersions"]
        if any(c["defaultVersion"] for c in v["compatibilities"] if c["clusterVersion"] == kubernetes_version)
    ]
    assert len(defaults) == 1
    return defaults[0]


def test_describe_addon_versions_catalogue(eks):
    addons = eks.describe_addon_versions(kubernetesVersion="1.31")["addons"]
    assert {a["addonName"] for a in addons} == {"vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"}
    for addon in addons:
        assert addon["owner"] == "aws"
        assert addon["addonVersions"]
        for version in addon["addonVersions"]:
            assert [c["clusterVersion"] for c in version["compatibilities"]] == ["1.31"]
    kube_proxy = eks.describe_addon_versions(addonName="kube-proxy", kubernetesVersion="1.30")["addons"]
    assert all(v["addonVersion"].startswith("v1.30.") for v in kube_proxy[0]["addonVersions"])
    assert eks.describe_addon_versions(addonName="no-such-addon")["addons"] == []
    storage = eks.describe_addon_versions(kubernetesVersion="1.31", types=["storage"])["addons"]
    assert [a["addonName"] for a in storage] == ["aws-ebs-csi-driver"]


def test_create_installs_default_version_and_is_active(eks):
    addon = eks.create_addon(clusterName="demo", addonName="coredns")["addon"]
    assert addon["status"] == "ACTIVE"
    assert addon["addonVersion"] == _default_version(eks, "coredns")
    assert addon["addonArn"].startswith("arn:aws:eks:ap-northeast-2:123456789012:addon/demo/coredns/")
    described = eks.describe_addon(clusterName="demo", addonName="coredns")["addon"]
    assert described["addonVersion"] == addon["addonVersion"]
    assert described["health"] == {"issues": []}
    assert eks.list_addons(clusterName="demo")["addons"] == ["coredns"]


def test_create_stores_role_configuration_and_tags(eks):
    eks.create_addon(
        clusterName="demo",
        addonName="aws-ebs-csi-driver",
        addonVersion="v1.45.0-eksbuild.2",
        serviceAccountRoleArn=CSI_ROLE,
        resolveConflicts="OVERWRITE",
        configurationValues='{"controller": {"replicaCount": 1}}',
        tags={"team": "f"},
    )
    addon = eks.describe_addon(clusterName="demo", addonName="aws-ebs-csi-driver")["addon"]
    assert addon["addonVersion"] == "v1.45.0-eksbuild.2"
    assert addon["serviceAccountRoleArn"] == CSI_ROLE
    assert addon["configurationValues"] == '{"controller": {"replicaCount": 1}}'
    assert addon["tags"] == {"team": "f"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"addonName": "no-such-addon"},
        {"addonName": "coredns", "addonVersion": "v9.9.9-eksbuild.1"},
        {"addonName": "kube-proxy", "addonVersion": "v1.29.0-eksbuild.1"},  # for another Kubernetes version
        {"addonName": "coredns", "configurationValues": "not: [valid"},
    ],
)
def test_create_rejects_what_aws_does_not_offer(eks, kwargs):
    with pytest.raises(ClientError) as err:
        eks.create_addon(clusterName="demo", **kwargs)
    assert _code(err) == "InvalidParameterException"
    assert eks.list_addons(clusterName="demo")["addons"] == []


def test_unknown_addon_message_names_it(eks):
    with pytest.raises(ClientError) as err:
        eks.create_addon(clusterName="demo", addonName="no-such-addon")
    assert err.value.response["Error"]["Message"] == "Addon no-such-addon specified is not supported"


def test_duplicate_create_is_in_use(eks):
    eks.create_addon(clusterName="demo", addonName="vpc-cni")
    with pytest.raises(ClientError) as err:
        eks.create_addon(clusterName="demo", addonName="vpc-cni")
    assert _code(err) == "ResourceInUseException"


def test_update_returns_update_and_applies(eks):
    eks.create_addon(clusterName="demo", addonName="vpc-cni", addonVersion="v1.19.2-eksbuild.1")
    update = eks.update_addon(
        clusterName="demo",
        addonName="vpc-cni",
        addonVersion="v1.20.1-eksbuild.1",
        serviceAccountRoleArn=CSI_ROLE,
        resolveConflicts="PRESERVE",
        configurationValues='{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}',
    )["update"]
    assert update["type"] == "AddonUpdate"
    assert update["status"] == "Successful"
    assert {p["type"]: p["value"] for p in update["params"]} == {
        "AddonVersion": "v1.20.1-eksbuild.1",
        "ServiceAccountRoleArn": CSI_ROLE,
        "ResolveConflicts": "PRESERVE",
        "ConfigurationValues": '{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}',
    }
    addon = eks.describe_addon(clusterName="demo", addonName="vpc-cni")["addon"]
    assert addon["addonVersion"] == "v1.20.1-eksbuild.1"
    assert addon["serviceAccountRoleArn"] == CSI_ROLE
    assert addon["configurationValues"] == '{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}'
    with pytest.raises(ClientError) as err:
        eks.update_addon(clusterName="demo", addonName="vpc-cni", addonVersion="v0.0.1")
    assert _code(err) == "InvalidParameterException"


def test_delete(eks):
    eks.create_addon(clusterName="demo", addonName="kube-proxy")
    assert eks.delete_addon(clusterName="demo", addonName="kube-proxy")["addon"]["status"] == "DELETING"
    assert eks.list_addons(clusterName="demo")["addons"] == []
    with pytest.raises(ClientError) as err:
        eks.describe_addon(clusterName="demo", addonName="kube-proxy")
    assert _code(err) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as err:
        eks.delete_addon(clusterName="demo", addonName="kube-proxy")
    assert _code(err) == "ResourceNotFoundException"


def test_unknown_cluster(eks):
    with pytest.raises(ClientError) as err:
        eks.create_addon(clusterName="nope", addonName="vpc-cni")
    assert _code(err) == "ResourceNotFoundException"


def test_bare_moto_has_no_addon_api(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto serves EKS add-ons itself now: the fix
    can go."""
    eks = bare_moto("eks")
    eks.create_cluster(name="marker-addons", version="1.31", roleArn=ROLE, resourcesVpcConfig={"subnetIds": []})
    for call in (
        lambda: eks.describe_addon_versions(kubernetesVersion="1.31"),
        lambda: eks.create_addon(clusterName="marker-addons", addonName="coredns"),
        lambda: eks.list_addons(clusterName="marker-addons"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert _code(err) == "404"  # no route: an HTML 404, not an EKS error
