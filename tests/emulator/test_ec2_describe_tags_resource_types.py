"""emulator.fixes.ec2_describe_tags_resource_types, over HTTP."""

import pytest


@pytest.fixture
def ec2(aws, clean_emulator):
    return aws("ec2")


def _tag_spec(resource_type):
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": "probe"}]}]


def test_elastic_ip_reports_aws_resource_type(ec2):
    alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=_tag_spec("elastic-ip"))
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [alloc["AllocationId"]]}])["Tags"]
    assert [t["ResourceType"] for t in tags] == ["elastic-ip"]


@pytest.mark.parametrize("resource_type", ["elastic-ip", "natgateway"])
def test_resource_type_filter_accepts_aws_names(ec2, resource_type):
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=_tag_spec("elastic-ip"))["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc, TagSpecifications=_tag_spec("natgateway"))
    expected = alloc if resource_type == "elastic-ip" else nat["NatGateway"]["NatGatewayId"]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": [resource_type]}])["Tags"]
    assert [(t["ResourceId"], t["ResourceType"]) for t in tags] == [(expected, resource_type)]


def test_bare_moto_reports_an_elastic_ip_as_vpc_elastic_ip(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto reports AWS's resource type itself now: the fix can go."""
    ec2 = bare_moto("ec2")
    alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=_tag_spec("elastic-ip"))
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [alloc["AllocationId"]]}])["Tags"]
    assert [t["ResourceType"] for t in tags] == ["vpc-elastic-ip"]
