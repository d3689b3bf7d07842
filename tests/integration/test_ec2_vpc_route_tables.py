"""teamf.platform.ec2_vpc_route_tables through ansible-playbook against the emulator.

One scenario on one VPC: create (public table through the IGW, a private one through a NAT gateway) →
rerun changed=0 → check mode of a change reports it and writes nothing → a subnet moves and a route
changes target → absent → absent again; EC2 is read back after each step. Then bad input and an AWS
refusal, each naming the failing field.
"""

from __future__ import annotations

import pytest

from tests.integration.modules import Step, run_module, run_steps

MODULE = "teamf.platform.ec2_vpc_route_tables"
TAGS = {"Environment": "rt-it", "ManagedBy": "teamf.platform"}


@pytest.fixture
def network(aws):
    """A VPC with three subnets, an attached internet gateway and a NAT gateway; removed afterwards."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.62.{n}.0/24")["Subnet"]["SubnetId"] for n in range(3)]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    yield ec2, {"vpc": vpc, "subnets": subnets, "igw": igw, "nat": nat}
    for table in tables(ec2, vpc).values():
        for association in table["Associations"]:
            ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=table["RouteTableId"])
    ec2.delete_nat_gateway(NatGatewayId=nat)
    ec2.release_address(AllocationId=allocation)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    for subnet in subnets:
        ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)


def tables(ec2, vpc):
    """The VPC's tables other than the main one, by Name tag."""
    found = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    return {
        {t["Key"]: t["Value"] for t in table.get("Tags", [])}.get("Name"): table
        for table in found
        if not any(a.get("Main") for a in table["Associations"])
    }


def default_route(table):
    [route] = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    return route.get("GatewayId") or route.get("NatGatewayId")


def subnets_of(table):
    return sorted(a["SubnetId"] for a in table["Associations"] if a.get("SubnetId"))


def wanted(net, public_subnets, private_subnets, private_route):
    return {
        "vpc_id": net["vpc"],
        "route_tables": [
            {
                "name": "rt-it-public",
                "tags": dict(TAGS, Name="rt-it-public"),
                "subnets": public_subnets,
                "routes": [{"dest": "0.0.0.0/0", "gateway_id": net["igw"]}],
            },
            {"name": "rt-it-private-a", "tags": TAGS, "subnets": private_subnets, "routes": [private_route]},
        ],
    }


def test_route_tables_lifecycle(emulator, network):
    ec2, net = network
    s0, s1, s2 = net["subnets"]
    present = wanted(net, [s0], [s1, s2], {"dest": "0.0.0.0/0", "nat_gateway_id": net["nat"]})

    created, rerun = run_steps(emulator, [Step(MODULE, present, diff=True), Step(MODULE, present)])
    assert created["changed"] is True, created
    found = tables(ec2, net["vpc"])
    assert set(found) == {"rt-it-public", "rt-it-private-a"}
    public, private = found["rt-it-public"], found["rt-it-private-a"]
    assert default_route(public) == net["igw"]
    assert default_route(private) == net["nat"]
    assert subnets_of(public) == [s0]
    assert subnets_of(private) == sorted([s1, s2])
    assert {t["Key"]: t["Value"] for t in private["Tags"]} == dict(TAGS, Name="rt-it-private-a")
    # What the module returned is what EC2 reports, in input order.
    assert [t["id"] for t in created["route_tables"]] == [public["RouteTableId"], private["RouteTableId"]]
    assert [t["name"] for t in created["route_tables"]] == ["rt-it-public", "rt-it-private-a"]
    assert [a["subnet_id"] for a in created["route_tables"][1]["associations"]] == [s1, s2]
    assert sorted(a["route_table_association_id"] for a in created["route_tables"][1]["associations"]) == sorted(
        a["RouteTableAssociationId"] for a in private["Associations"]
    )
    assert {"destination_cidr_block": "10.62.0.0/16", "gateway_id": "local"}.items() <= created["route_tables"][0][
        "routes"
    ][0].items()
    assert created["diff"]["before"] == {"rt-it-public": None, "rt-it-private-a": None}
    assert created["diff"]["after"]["rt-it-private-a"]["routes"] == [
        "0.0.0.0/0 -> " + net["nat"],
        "10.62.0.0/16 -> local",
    ]
    assert rerun["changed"] is False, rerun
    assert rerun["route_tables"] == created["route_tables"]

    # s2 moves to the public table; the private table's default route goes through the IGW.
    moved = wanted(net, [s0, s2], [s1], {"dest": "0.0.0.0/0", "gateway_id": net["igw"]})
    check = run_module(emulator, MODULE, moved, check=True, diff=True)
    assert check["changed"] is True, check
    assert check["diff"]["before"]["rt-it-public"]["subnets"] == [s0]
    assert check["diff"]["after"]["rt-it-public"]["subnets"] == sorted([s0, s2])
    assert check["diff"]["after"]["rt-it-private-a"]["routes"][0] == "0.0.0.0/0 -> " + net["igw"]
    assert tables(ec2, net["vpc"]) == found

    applied, again = run_steps(emulator, [Step(MODULE, moved), Step(MODULE, moved)])
    assert applied["changed"] is True, applied
    assert again["changed"] is False, again
    after = tables(ec2, net["vpc"])
    assert subnets_of(after["rt-it-public"]) == sorted([s0, s2])
    assert subnets_of(after["rt-it-private-a"]) == [s1]
    assert default_route(after["rt-it-private-a"]) == net["igw"]
    assert again["route_tables"] == applied["route_tables"]

    # A listed table loses its route and subnets; the tag no longer listed goes too.
    bare = {
        "vpc_id": net["vpc"],
        "route_tables": [{"name": "rt-it-private-a", "tags": {"Environment": "rt-it"}}],
    }
    stripped = run_module(emulator, MODULE, bare)
    assert stripped["changed"] is True, stripped
    private = tables(ec2, net["vpc"])["rt-it-private-a"]
    assert subnets_of(private) == []
    assert [r["GatewayId"] for r in private["Routes"]] == ["local"]
    assert {t["Key"]: t["Value"] for t in private["Tags"]} == {"Name": "rt-it-private-a", "Environment": "rt-it"}

    absent = {
        "vpc_id": net["vpc"],
        "route_tables": [{"name": "rt-it-public"}, {"name": "rt-it-private-a"}, {"name": "rt-it-never"}],
        "state": "absent",
    }
    check_absent, removed, gone = run_steps(
        emulator, [Step(MODULE, absent, check=True), Step(MODULE, absent), Step(MODULE, absent)]
    )
    assert check_absent["changed"] is True, check_absent
    assert removed["changed"] is True, removed
    assert [t["name"] for t in removed["route_tables"]] == ["rt-it-public", "rt-it-private-a"]
    assert gone["changed"] is False, gone
    assert tables(ec2, net["vpc"]) == {}


def test_errors_name_the_field(emulator, network):
    ec2, net = network
    s0, s1, _ = net["subnets"]
    twice = wanted(net, [s0], [s0], {"dest": "0.0.0.0/0", "nat_gateway_id": net["nat"]})
    no_target = wanted(net, [s0], [s1], {"dest": "0.0.0.0/0"})
    bad_gateway = wanted(net, [s0], [s1], {"dest": "0.0.0.0/0", "gateway_id": "igw-00000000000000000"})
    listed_twice, without_target = run_steps(emulator, [Step(MODULE, twice), Step(MODULE, no_target)])
    assert listed_twice["failed"] is True
    assert "route_tables[1].subnets[0]" in listed_twice["msg"] and "route_tables[0].subnets[0]" in listed_twice["msg"]
    assert without_target["failed"] is True
    assert "route_tables[1].routes[0]: give exactly one of gateway_id, nat_gateway_id" in without_target["msg"]
    assert tables(ec2, net["vpc"]) == {}, "bad input must fail before any AWS call"
    bad_nat = wanted(net, [s0], [s1], {"dest": "0.0.0.0/0", "nat_gateway_id": "nat-00000000000000000"})
    refused, refused_nat = run_steps(emulator, [Step(MODULE, bad_gateway), Step(MODULE, bad_nat)])
    assert refused["failed"] is True
    assert "route_tables[1].routes[0].gateway_id: igw-00000000000000000" in refused["msg"], refused["msg"]
    assert "InvalidInternetGatewayID.NotFound" in refused["msg"], refused["msg"]
    # The emulator refuses an unknown NAT gateway as AWS does (emulator/fixes/ec2_route_target_not_found.py).
    assert refused_nat["failed"] is True
    assert "route_tables[1].routes[0].nat_gateway_id: nat-00000000000000000" in refused_nat["msg"], refused_nat["msg"]
    assert "InvalidNatGatewayID.NotFound" in refused_nat["msg"], refused_nat["msg"]
