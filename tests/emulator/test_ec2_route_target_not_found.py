"""emulator.fixes.ec2_route_target_not_found, over HTTP."""

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def table(aws, clean_emulator):
    """EC2 client, a route table with a default route through an internet gateway, and the ids around it."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    return ec2, table, igw, nat


def default_route(ec2, table):
    [described] = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"]
    [route] = [r for r in described["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    return {k: v for k, v in route.items() if k.endswith("Id")}


def test_create_route_to_a_missing_nat_gateway_is_refused(table):
    ec2, table_id, _, _ = table
    with pytest.raises(ClientError) as refused:
        ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="10.1.0.0/16", NatGatewayId="nat-0000000000000000")
    assert refused.value.response["Error"]["Code"] == "InvalidNatGatewayID.NotFound"
    [described] = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"]
    assert "10.1.0.0/16" not in [r.get("DestinationCidrBlock") for r in described["Routes"]]


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ({"NatGatewayId": "nat-0000000000000000"}, "InvalidNatGatewayID.NotFound"),
        ({"GatewayId": "igw-0000000000000000"}, "InvalidInternetGatewayID.NotFound"),
    ],
    ids=["nat-gateway", "internet-gateway"],
)
def test_a_refused_replace_route_leaves_the_route_alone(table, target, code):
    ec2, table_id, igw, _ = table
    with pytest.raises(ClientError) as refused:
        ec2.replace_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", **target)
    assert refused.value.response["Error"]["Code"] == code
    assert default_route(ec2, table_id) == {"GatewayId": igw}


def test_routes_to_an_existing_nat_gateway_still_work(table):
    ec2, table_id, _, nat = table
    ec2.replace_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert default_route(ec2, table_id) == {"NatGatewayId": nat}
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="10.2.0.0/16", NatGatewayId=nat)


def test_bare_moto_accepts_a_route_to_a_missing_nat_gateway(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto refuses it itself now: the fix can go."""
    ec2 = bare_moto("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    table_id = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="10.1.0.0/16", NatGatewayId="nat-0000000000000000")
    [described] = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"]
    assert "10.1.0.0/16" in [r.get("DestinationCidrBlock") for r in described["Routes"]]
