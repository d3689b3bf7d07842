"""emulator.fixes.eks_updates, over HTTP."""

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/eks"


@pytest.fixture
def eks(aws, clean_emulator):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.0.0/24")["Subnet"]["SubnetId"]
    client = aws("eks")
    client.create_cluster(name="demo", version="1.30", roleArn=ROLE, resourcesVpcConfig={"subnetIds": [subnet]})
    client.create_nodegroup(clusterName="demo", nodegroupName="workers", nodeRole=ROLE, subnets=[subnet])
    template = ec2.create_launch_template(
        LaunchTemplateName="workers-lt", LaunchTemplateData={"InstanceType": "t3.large"}
    )
    ec2.create_launch_template_version(
        LaunchTemplateName="workers-lt", LaunchTemplateData={"InstanceType": "m6i.large"}
    )
    client.create_nodegroup(
        clusterName="demo",
        nodegroupName="templated",
        nodeRole=ROLE,
        subnets=[subnet],
        launchTemplate={"id": template["LaunchTemplate"]["LaunchTemplateId"], "version": "1"},
    )
    return client


def _code(err):
    return err.value.response["Error"]["Code"]


def test_cluster_version_moves_one_minor_version(eks):
    update = eks.update_cluster_version(name="demo", version="1.31")["update"]
    assert update["type"] == "VersionUpdate"
    assert update["status"] == "Successful"
    assert {"type": "Version", "value": "1.31"} in update["params"]
    assert eks.describe_cluster(name="demo")["cluster"]["version"] == "1.31"
    assert eks.describe_update(name="demo", updateId=update["id"])["update"] == update
    assert eks.list_updates(name="demo")["updateIds"] == [update["id"]]


@pytest.mark.parametrize("version", ["1.32", "1.29", "1.30", "latest"])
def test_cluster_version_rejects_other_targets(eks, version):
    with pytest.raises(ClientError) as err:
        eks.update_cluster_version(name="demo", version=version)
    assert _code(err) == "InvalidParameterException"
    assert eks.describe_cluster(name="demo")["cluster"]["version"] == "1.30"


def test_nodegroup_follows_cluster_version(eks):
    eks.update_cluster_version(name="demo", version="1.31")
    update = eks.update_nodegroup_version(clusterName="demo", nodegroupName="workers")["update"]
    assert update["type"] == "VersionUpdate"
    nodegroup = eks.describe_nodegroup(clusterName="demo", nodegroupName="workers")["nodegroup"]
    assert nodegroup["version"] == "1.31"
    assert nodegroup["releaseVersion"].startswith("1.31.")
    assert eks.list_updates(name="demo", nodegroupName="workers")["updateIds"] == [update["id"]]
    # scopes are separate: the cluster's list has only the cluster update
    assert update["id"] not in eks.list_updates(name="demo")["updateIds"]


def test_cluster_version_waits_for_nodegroups(eks):
    eks.update_cluster_version(name="demo", version="1.31")
    with pytest.raises(ClientError) as err:
        eks.update_cluster_version(name="demo", version="1.32")
    assert _code(err) == "InvalidRequestException"
    assert "templated,workers" in err.value.response["Error"]["Message"]
    for nodegroup in ("workers", "templated"):
        eks.update_nodegroup_version(clusterName="demo", nodegroupName=nodegroup)
    eks.update_cluster_version(name="demo", version="1.32")
    assert eks.describe_cluster(name="demo")["cluster"]["version"] == "1.32"


def test_nodegroup_release_version(eks):
    eks.update_nodegroup_version(clusterName="demo", nodegroupName="workers", releaseVersion="1.30.9-20250601")
    nodegroup = eks.describe_nodegroup(clusterName="demo", nodegroupName="workers")["nodegroup"]
    assert nodegroup["releaseVersion"] == "1.30.9-20250601"


def test_nodegroup_version_beyond_cluster_is_rejected(eks):
    with pytest.raises(ClientError) as err:
        eks.update_nodegroup_version(clusterName="demo", nodegroupName="workers", version="1.31")
    assert _code(err) == "InvalidParameterException"


def test_nodegroup_launch_template_version(eks):
    update = eks.update_nodegroup_version(
        clusterName="demo", nodegroupName="templated", launchTemplate={"name": "workers-lt", "version": "2"}
    )["update"]
    assert {"type": "LaunchTemplateVersion", "value": "2"} in update["params"]
    nodegroup = eks.describe_nodegroup(clusterName="demo", nodegroupName="templated")["nodegroup"]
    assert nodegroup["launchTemplate"]["version"] == "2"
    assert nodegroup["launchTemplate"]["name"] == "workers-lt"


def test_describe_update_is_scoped(eks):
    update = eks.update_nodegroup_config(
        clusterName="demo", nodegroupName="workers", labels={"addOrUpdateLabels": {"a": "b"}}
    )["update"]
    assert (
        eks.describe_update(name="demo", nodegroupName="workers", updateId=update["id"])["update"]["id"] == update["id"]
    )
    with pytest.raises(ClientError) as err:
        eks.describe_update(name="demo", updateId=update["id"])
    assert _code(err) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as err:
        eks.list_updates(name="demo", nodegroupName="nope")
    assert _code(err) == "ResourceNotFoundException"


def test_addon_updates_are_listed_per_addon(eks):
    eks.create_addon(clusterName="demo", addonName="coredns")
    update = eks.update_addon(clusterName="demo", addonName="coredns", resolveConflicts="OVERWRITE")["update"]
    assert eks.list_updates(name="demo", addonName="coredns")["updateIds"] == [update["id"]]
    described = eks.describe_update(name="demo", addonName="coredns", updateId=update["id"])["update"]
    assert described["type"] == "AddonUpdate"
    assert eks.list_updates(name="demo")["updateIds"] == []


def test_bare_moto_has_no_update_api(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto updates versions and keeps the updates
    itself now: the fix can go."""
    eks = bare_moto("eks")
    eks.create_cluster(name="marker-updates", version="1.30", roleArn=ROLE, resourcesVpcConfig={"subnetIds": []})
    eks.create_nodegroup(clusterName="marker-updates", nodegroupName="workers", nodeRole=ROLE, subnets=["subnet-1"])
    update = eks.update_nodegroup_config(
        clusterName="marker-updates", nodegroupName="workers", labels={"addOrUpdateLabels": {"a": "b"}}
    )["update"]
    for call in (
        lambda: eks.update_cluster_version(name="marker-updates", version="1.31"),
        lambda: eks.update_nodegroup_version(clusterName="marker-updates", nodegroupName="workers"),
        lambda: eks.describe_update(name="marker-updates", nodegroupName="workers", updateId=update["id"]),
        lambda: eks.list_updates(name="marker-updates"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert _code(err) == "404"  # no route: an HTML 404, not an EKS error
