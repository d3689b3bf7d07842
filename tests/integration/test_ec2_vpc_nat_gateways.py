"""teamf.platform.ec2_vpc_nat_gateways through ansible-playbook against the emulator.

One scenario: check mode (nothing allocated) → create → rerun (changed=0) → tags changed → what an
interrupted run leaves (a named address without its gateway; a gateway without a name) finished
without a second address or gateway → absent → absent again, reading EC2 back after each step; and
bad input failing before any call, naming the field.
"""

from __future__ import annotations

import pytest

from emulator.faults import call_endpoint
from tests.integration.modules import Step, run_steps

MODULE = "teamf.platform.ec2_vpc_nat_gateways"
AZS = ("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c")


@pytest.fixture
def vpc(aws):
    """EC2 client, a VPC with an internet gateway and one public subnet per zone (ids by zone letter)."""
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.63.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    subnets = {
        az[-1]: ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.63.{n}.0/24", AvailabilityZone=az)["Subnet"]["SubnetId"]
        for n, az in enumerate(AZS)
    }
    yield ec2, vpc_id, subnets
    for gateway in live(ec2, vpc_id):
        ec2.delete_nat_gateway(NatGatewayId=gateway["NatGatewayId"])
    for address in addresses(ec2):
        ec2.release_address(AllocationId=address["AllocationId"])
    for subnet in subnets.values():
        ec2.delete_subnet(SubnetId=subnet)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    ec2.delete_vpc(VpcId=vpc_id)


def live(ec2, vpc_id):
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "state", "Values": ["pending", "available"]}]
    return ec2.describe_nat_gateways(Filters=filters)["NatGateways"]


def addresses(ec2):
    return [a for a in ec2.describe_addresses()["Addresses"] if tags_of(a).get("Name", "").startswith("it-nat-")]


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def named(ec2, vpc_id):
    return {tags_of(g).get("Name", ""): g for g in live(ec2, vpc_id)}


def wanted(subnets, letters="ab", **tags):
    return [
        {"name": f"it-nat-{letter}", "subnet_id": subnets[letter], "tags": dict({"Environment": "it"}, **tags)}
        for letter in letters
    ]


def test_nat_gateways_lifecycle(emulator, vpc):
    ec2, vpc_id, subnets = vpc
    present = {"vpc_id": vpc_id, "nat_gateways": wanted(subnets)}

    check, created, rerun = run_steps(
        emulator, [Step(MODULE, present, check=True, diff=True), Step(MODULE, present), Step(MODULE, present)]
    )
    assert check["changed"] is True, check
    assert check["nat_gateway_ids"] == {"it-nat-a": "", "it-nat-b": ""}
    assert check["diff"]["before"] == {"nat_gateways": {}}
    assert created["changed"] is True, created
    found = named(ec2, vpc_id)
    assert set(found) == {"it-nat-a", "it-nat-b"}
    assert created["nat_gateway_ids"] == {name: g["NatGatewayId"] for name, g in found.items()}
    for name, gateway in found.items():
        assert gateway["State"] == "available"
        assert gateway["SubnetId"] == subnets[name[-1]]
        assert tags_of(gateway) == {"Name": name, "Environment": "it"}
    # Each gateway uses the address of its own name, tagged like it.
    by_allocation = {a["AllocationId"]: a for a in addresses(ec2)}
    assert len(by_allocation) == 2
    for info in created["nat_gateways"]:
        assert tags_of(by_allocation[info["allocation_id"]]) == {"Name": info["name"], "Environment": "it"}
        assert info["public_ip"] == by_allocation[info["allocation_id"]]["PublicIp"]
    assert rerun["changed"] is False, rerun
    assert rerun["nat_gateway_ids"] == created["nat_gateway_ids"]

    retagged = {"vpc_id": vpc_id, "nat_gateways": wanted(subnets, Tier="public")}
    [changed] = run_steps(emulator, [Step(MODULE, retagged, diff=True)])
    assert changed["changed"] is True, changed
    assert changed["diff"]["after"]["nat_gateways"]["it-nat-b"]["tags"]["Tier"] == "public"
    assert all(tags_of(g).get("Tier") == "public" for g in live(ec2, vpc_id))
    assert all(tags_of(a).get("Tier") == "public" for a in addresses(ec2))

    # What a run killed between AllocateAddress and CreateNatGateway leaves: zone c's address,
    # allocated and named, without its gateway. The next run reuses it.
    left = ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "it-nat-c"}]}],
    )["AllocationId"]
    call_endpoint(emulator.url, "DELETE")
    finished = {"vpc_id": vpc_id, "nat_gateways": wanted(subnets, "abc", Tier="public")}
    [completed] = run_steps(emulator, [Step(MODULE, finished)])
    assert completed["changed"] is True, completed
    assert completed["nat_gateways"][2]["allocation_id"] == left
    counted = call_endpoint(emulator.url, "GET")["requests"]["by_service"]["ec2"]
    assert "AllocateAddress" not in counted, counted
    assert counted["CreateNatGateway"] == 1
    assert len(addresses(ec2)) == 3
    assert named(ec2, vpc_id)["it-nat-c"]["NatGatewayAddresses"][0]["AllocationId"] == left

    absent = dict(finished, state="absent")
    check_absent, removed, removed_again = run_steps(
        emulator, [Step(MODULE, absent, check=True), Step(MODULE, absent), Step(MODULE, absent)]
    )
    assert check_absent["changed"] is True
    assert sorted(check_absent["deleted"]) == sorted(completed["nat_gateway_ids"].values())
    assert removed["changed"] is True, removed
    assert sorted(removed["released"]) == sorted(g["allocation_id"] for g in completed["nat_gateways"])
    assert removed_again["changed"] is False, removed_again
    assert live(ec2, vpc_id) == []
    assert addresses(ec2) == []


def test_an_unnamed_gateway_in_a_listed_subnet_is_adopted(emulator, vpc):
    ec2, vpc_id, subnets = vpc
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    made = ec2.create_nat_gateway(SubnetId=subnets["a"], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    call_endpoint(emulator.url, "DELETE")
    [adopted] = run_steps(emulator, [Step(MODULE, {"vpc_id": vpc_id, "nat_gateways": wanted(subnets, "a")})])
    assert adopted["changed"] is True, adopted
    assert adopted["nat_gateway_ids"] == {"it-nat-a": made}
    counted = call_endpoint(emulator.url, "GET")["requests"]["by_service"]["ec2"]
    assert "CreateNatGateway" not in counted and "AllocateAddress" not in counted, counted
    assert tags_of(named(ec2, vpc_id)["it-nat-a"]) == {"Name": "it-nat-a", "Environment": "it"}


def test_bad_input_names_the_field(emulator, vpc):
    _, vpc_id, subnets = vpc
    [created] = run_steps(emulator, [Step(MODULE, {"vpc_id": vpc_id, "nat_gateways": wanted(subnets, "a")})])
    assert created["changed"] is True, created
    call_endpoint(emulator.url, "DELETE")
    missing, duplicate, moved = run_steps(
        emulator,
        [
            Step(MODULE, {"vpc_id": vpc_id, "nat_gateways": [{"subnet_id": subnets["a"]}]}),
            Step(
                MODULE,
                {
                    "vpc_id": vpc_id,
                    "nat_gateways": [
                        {"name": "it-nat-a", "subnet_id": subnets["a"]},
                        {"name": "it-nat-x", "subnet_id": subnets["a"]},
                    ],
                },
            ),
            Step(MODULE, {"vpc_id": vpc_id, "nat_gateways": [{"name": "it-nat-a", "subnet_id": subnets["b"]}]}),
        ],
    )
    assert missing["failed"] is True
    assert "nat_gateways[0].name is missing" in missing["msg"]
    assert duplicate["failed"] is True
    assert f"nat_gateways[1].subnet_id={subnets['a']} is listed again (first as nat_gateways[0])" in duplicate["msg"]
    assert moved["failed"] is True
    assert f"nat_gateways[0].subnet_id={subnets['b']}" in moved["msg"]
    assert "AWS cannot move a NAT gateway" in moved["msg"]
    counted = call_endpoint(emulator.url, "GET")["requests"]["by_service"]["ec2"]
    assert [action for action in counted if not action.startswith("Describe")] == [], counted
