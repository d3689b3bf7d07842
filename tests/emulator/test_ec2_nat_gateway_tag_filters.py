"""emulator.fixes.ec2_nat_gateway_tag_filters, over HTTP."""


def _nat(ec2, subnet, env):
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    tags = [{"ResourceType": "natgateway", "Tags": [{"Key": "Environment", "Value": env}]}]
    return ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc, TagSpecifications=tags)["NatGateway"][
        "NatGatewayId"
    ]


def test_tag_filters_select_only_matching_nat_gateways(aws, clean_emulator):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.0.0/24")["Subnet"]["SubnetId"]
    dev, prod = _nat(ec2, subnet, "dev"), _nat(ec2, subnet, "prod")

    def ids(filters):
        return [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=filters)["NatGateways"]]

    assert ids([{"Name": "tag:Environment", "Values": ["prod"]}]) == [prod]
    assert sorted(ids([{"Name": "tag-key", "Values": ["Environment"]}])) == sorted([dev, prod])
    assert ids([{"Name": "tag:Environment", "Values": ["staging"]}]) == []
    assert ids([{"Name": "tag:Environment", "Values": ["dev"]}, {"Name": "vpc-id", "Values": [vpc]}]) == [dev]


def test_bare_moto_ignores_tag_filters_on_nat_gateways(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto honours the tag filters itself now: the fix can go."""
    ec2 = bare_moto("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.0.0/24")["Subnet"]["SubnetId"]
    dev, prod = _nat(ec2, subnet, "dev"), _nat(ec2, subnet, "prod")
    filters = [{"Name": "tag:Environment", "Values": ["prod"]}, {"Name": "vpc-id", "Values": [vpc]}]
    found = [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=filters)["NatGateways"]]
    assert sorted(found) == sorted([dev, prod])
