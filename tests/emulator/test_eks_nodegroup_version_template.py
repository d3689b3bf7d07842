"""emulator.fixes.eks_nodegroup_version_template, over HTTP."""

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/eks"


@pytest.fixture
def eks(aws, clean_emulator):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.41.0.0/24")["Subnet"]["SubnetId"]
    ec2.create_launch_template(LaunchTemplateName="nodes", LaunchTemplateData={"InstanceType": "t3.large"})
    ec2.create_launch_template_version(LaunchTemplateName="nodes", LaunchTemplateData={"InstanceType": "m6i.large"})
    client = aws("eks")
    client.create_cluster(name="demo", version="1.31", roleArn=ROLE, resourcesVpcConfig={"subnetIds": [subnet]})
    client.create_nodegroup(
        clusterName="demo",
        nodegroupName="templated",
        nodeRole=ROLE,
        subnets=[subnet],
        launchTemplate={"name": "nodes", "version": "1"},
    )
    return client


def _nodegroup(eks):
    return eks.describe_nodegroup(clusterName="demo", nodegroupName="templated")["nodegroup"]


def test_release_version_applies_with_a_launch_template_version(eks):
    update = eks.update_nodegroup_version(
        clusterName="demo",
        nodegroupName="templated",
        launchTemplate={"name": "nodes", "version": "2"},
        version="1.31",
        releaseVersion="1.31.8-20250601",
    )["update"]
    nodegroup = _nodegroup(eks)
    assert nodegroup["launchTemplate"]["version"] == "2"
    assert nodegroup["version"] == "1.31"
    assert nodegroup["releaseVersion"] == "1.31.8-20250601"
    params = {param["type"]: param["value"] for param in update["params"]}
    assert params["LaunchTemplateVersion"] == "2"
    assert params["ReleaseVersion"] == "1.31.8-20250601"
    described = eks.describe_update(name="demo", nodegroupName="templated", updateId=update["id"])["update"]
    assert described["params"] == update["params"]


def test_launch_template_alone_keeps_the_release(eks):
    before = _nodegroup(eks)["releaseVersion"]
    eks.update_nodegroup_version(
        clusterName="demo", nodegroupName="templated", launchTemplate={"name": "nodes", "version": "2"}
    )
    assert _nodegroup(eks)["releaseVersion"] == before


def test_bare_moto_has_no_update_nodegroup_version(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto serves UpdateNodegroupVersion itself now:
    if it also applies ``version``/``releaseVersion`` sent with a launch template, the fix can go."""
    ec2, eks = bare_moto("ec2"), bare_moto("eks")
    ec2.create_launch_template(LaunchTemplateName="marker-nodes", LaunchTemplateData={"InstanceType": "t3.large"})
    ec2.create_launch_template_version(
        LaunchTemplateName="marker-nodes", LaunchTemplateData={"InstanceType": "m6i.large"}
    )
    eks.create_cluster(name="marker-templated", version="1.31", roleArn=ROLE, resourcesVpcConfig={"subnetIds": []})
    eks.create_nodegroup(
        clusterName="marker-templated",
        nodegroupName="templated",
        nodeRole=ROLE,
        subnets=["subnet-1"],
        launchTemplate={"name": "marker-nodes", "version": "1"},
    )
    with pytest.raises(ClientError) as err:
        eks.update_nodegroup_version(
            clusterName="marker-templated",
            nodegroupName="templated",
            launchTemplate={"name": "marker-nodes", "version": "2"},
            releaseVersion="1.31.8-20250601",
        )
    assert err.value.response["Error"]["Code"] == "404"  # no route: an HTML 404, not an EKS error
