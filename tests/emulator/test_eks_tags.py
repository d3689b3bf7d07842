"""emulator.fixes.eks_tags, over HTTP."""

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/eks"
USER = "arn:aws:iam::123456789012:user/ci"


@pytest.fixture
def resources(aws, clean_emulator):
    """ARN -> tags given at creation, for one resource of every taggable kind."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.0.0/24")["Subnet"]["SubnetId"]
    eks = aws("eks")
    cluster = eks.create_cluster(
        name="demo",
        version="1.31",
        roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": [subnet]},
        accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"},
        tags={"kind": "cluster"},
    )["cluster"]
    nodegroup = eks.create_nodegroup(
        clusterName="demo", nodegroupName="workers", nodeRole=ROLE, subnets=[subnet], tags={"kind": "nodegroup"}
    )["nodegroup"]
    profile = eks.create_fargate_profile(
        clusterName="demo",
        fargateProfileName="system",
        podExecutionRoleArn=ROLE,
        subnets=[subnet],
        selectors=[{"namespace": "kube-system"}],
        tags={"kind": "fargate"},
    )["fargateProfile"]
    addon = eks.create_addon(clusterName="demo", addonName="vpc-cni", tags={"kind": "addon"})["addon"]
    entry = eks.create_access_entry(clusterName="demo", principalArn=USER, tags={"kind": "access-entry"})["accessEntry"]
    return {
        cluster["arn"]: {"kind": "cluster"},
        nodegroup["nodegroupArn"]: {"kind": "nodegroup"},
        profile["fargateProfileArn"]: {"kind": "fargate"},
        addon["addonArn"]: {"kind": "addon"},
        entry["accessEntryArn"]: {"kind": "access-entry"},
    }


def test_tags_from_creation_are_listed_and_described(aws, resources):
    eks = aws("eks")
    for arn, tags in resources.items():
        assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == tags
    assert eks.describe_nodegroup(clusterName="demo", nodegroupName="workers")["nodegroup"]["tags"] == {
        "kind": "nodegroup"
    }
    assert eks.describe_fargate_profile(clusterName="demo", fargateProfileName="system")["fargateProfile"]["tags"] == {
        "kind": "fargate"
    }
    assert eks.describe_addon(clusterName="demo", addonName="vpc-cni")["addon"]["tags"] == {"kind": "addon"}
    assert eks.describe_access_entry(clusterName="demo", principalArn=USER)["accessEntry"]["tags"] == {
        "kind": "access-entry"
    }


def test_tag_and_untag_every_kind(aws, resources):
    eks = aws("eks")
    for arn in resources:
        eks.tag_resource(resourceArn=arn, tags={"team": "f", "env": "dev", "kind": "changed"})
        assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "f", "env": "dev", "kind": "changed"}
        eks.untag_resource(resourceArn=arn, tagKeys=["team", "kind"])
        assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev"}
    nodegroup = eks.describe_nodegroup(clusterName="demo", nodegroupName="workers")["nodegroup"]
    assert nodegroup["tags"] == {"env": "dev"}


def test_unknown_arn_is_not_found(aws, resources):
    eks = aws("eks")
    arn = "arn:aws:eks:ap-northeast-2:123456789012:nodegroup/demo/gone/00000000-0000-0000-0000-000000000000"
    for call in (
        lambda: eks.list_tags_for_resource(resourceArn=arn),
        lambda: eks.tag_resource(resourceArn=arn, tags={"a": "b"}),
        lambda: eks.untag_resource(resourceArn=arn, tagKeys=["a"]),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "NotFoundException"


def test_deleted_nodegroup_is_no_longer_taggable(aws, resources):
    eks = aws("eks")
    arn = next(arn for arn in resources if ":nodegroup/" in arn)
    eks.delete_nodegroup(clusterName="demo", nodegroupName="workers")
    with pytest.raises(ClientError) as err:
        eks.list_tags_for_resource(resourceArn=arn)
    assert err.value.response["Error"]["Code"] == "NotFoundException"


def test_bare_moto_tags_only_clusters_and_untags_one_key(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto tags node groups and removes every
    ``tagKeys`` value itself now: the fix can go."""
    eks = bare_moto("eks")
    cluster = eks.create_cluster(
        name="marker-tags", roleArn=ROLE, resourcesVpcConfig={"subnetIds": []}, tags={"a": "1", "b": "2"}
    )["cluster"]
    nodegroup = eks.create_nodegroup(
        clusterName="marker-tags", nodegroupName="workers", nodeRole=ROLE, subnets=["subnet-1"], tags={"kind": "ng"}
    )["nodegroup"]
    with pytest.raises(ClientError) as err:
        eks.list_tags_for_resource(resourceArn=nodegroup["nodegroupArn"])
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    eks.untag_resource(resourceArn=cluster["arn"], tagKeys=["a", "b"])
    assert eks.list_tags_for_resource(resourceArn=cluster["arn"])["tags"] == {"b": "2"}
