"""teamf.platform.ec2_vpc_subnets through ansible-playbook against the emulator.

One scenario: create → rerun (changed=0) → check mode on a change (reported, nothing mutated) →
tags and map_public changed → absent → absent again, reading EC2 back after each step; and bad input
failing before any call, naming the field.
"""

from __future__ import annotations

import pytest

from tests.integration.modules import Step, run_module, run_steps

MODULE = "teamf.platform.ec2_vpc_subnets"
AZS = ("ap-northeast-2a", "ap-northeast-2b")


@pytest.fixture
def vpc(aws):
    """EC2 client of the session's emulator and a VPC holding one subnet the module is not given."""
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"]
    # In a named zone: left to EC2, the zone is any of the region's, and the "moved" case below
    # asks for ap-northeast-2c.
    other = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.62.9.0/24", AvailabilityZone=AZS[0])["Subnet"]["SubnetId"]
    yield ec2, vpc_id, other
    for subnet in in_vpc(ec2, vpc_id).values():
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=vpc_id)


def in_vpc(ec2, vpc_id):
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return {s["CidrBlock"]: s for s in subnets}


def tags_of(subnet):
    return {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}


def wanted():
    return [
        {"cidr": "10.62.2.0/24", "az": AZS[1], "tags": {"Name": "it-app-b", "Tier": "app"}},
        {"cidr": "10.62.0.0/24", "az": AZS[0], "tags": {"Name": "it-public-a", "Tier": "public"}, "map_public": True},
        {"cidr": "10.62.1.0/24", "az": AZS[0], "tags": {"Name": "it-app-a", "Tier": "app"}},
    ]


def test_subnets_lifecycle(emulator, vpc):
    ec2, vpc_id, other = vpc
    present = {"vpc_id": vpc_id, "subnets": wanted()}

    created, rerun = run_steps(emulator, [Step(MODULE, present, diff=True), Step(MODULE, present)])
    assert created["changed"] is True, created
    found = in_vpc(ec2, vpc_id)
    assert set(found) == {"10.62.0.0/24", "10.62.1.0/24", "10.62.2.0/24", "10.62.9.0/24"}
    # The same order as the input, shaped like amazon.aws.ec2_vpc_subnet's subnet.
    assert [s["cidr_block"] for s in created["subnets"]] == ["10.62.2.0/24", "10.62.0.0/24", "10.62.1.0/24"]
    for want, subnet in zip(wanted(), created["subnets"], strict=True):
        aws_subnet = found[want["cidr"]]
        assert subnet["id"] == aws_subnet["SubnetId"]
        assert subnet["vpc_id"] == vpc_id
        assert subnet["availability_zone"] == want["az"] == aws_subnet["AvailabilityZone"]
        assert subnet["tags"] == want["tags"] == tags_of(aws_subnet)
        assert subnet["map_public_ip_on_launch"] is want.get("map_public", False)
        assert aws_subnet["MapPublicIpOnLaunch"] is want.get("map_public", False)
        assert subnet["state"] == "available"
    assert "10.62.9.0/24" not in created["diff"]["before"]["subnets"]
    assert created["diff"]["before"]["subnets"] == {}
    assert created["diff"]["after"]["subnets"]["10.62.0.0/24"] == {
        "availability_zone": AZS[0],
        "map_public_ip_on_launch": True,
        "tags": {"Name": "it-public-a", "Tier": "public"},
    }
    assert rerun["changed"] is False, rerun
    assert rerun["subnets"] == created["subnets"]

    retagged = wanted()
    retagged[2]["tags"] = {"Name": "it-app-a", "Owner": "team-f"}  # Tier removed, Owner added
    retagged[1]["map_public"] = False
    changed = dict(present, subnets=retagged)
    check = run_module(emulator, MODULE, changed, check=True, diff=True)
    assert check["changed"] is True, check
    assert check["diff"]["before"]["subnets"]["10.62.1.0/24"]["tags"] == {"Name": "it-app-a", "Tier": "app"}
    assert check["diff"]["after"]["subnets"]["10.62.1.0/24"]["tags"] == {"Name": "it-app-a", "Owner": "team-f"}
    assert check["diff"]["after"]["subnets"]["10.62.0.0/24"]["map_public_ip_on_launch"] is False
    assert check["subnets"][2]["tags"] == {"Name": "it-app-a", "Owner": "team-f"}
    assert in_vpc(ec2, vpc_id) == found, "check mode changed EC2"

    applied, again = run_steps(emulator, [Step(MODULE, changed), Step(MODULE, changed)])
    assert applied["changed"] is True, applied
    found = in_vpc(ec2, vpc_id)
    assert tags_of(found["10.62.1.0/24"]) == {"Name": "it-app-a", "Owner": "team-f"}
    assert found["10.62.0.0/24"]["MapPublicIpOnLaunch"] is False
    assert tags_of(found["10.62.2.0/24"]) == {"Name": "it-app-b", "Tier": "app"}
    assert applied["subnets"][2]["tags"] == {"Name": "it-app-a", "Owner": "team-f"}
    assert again["changed"] is False, again

    absent = {"vpc_id": vpc_id, "subnets": [{"cidr": s["cidr"]} for s in wanted()], "state": "absent"}
    check_absent, removed, removed_again = run_steps(
        emulator, [Step(MODULE, absent, check=True), Step(MODULE, absent), Step(MODULE, absent)]
    )
    assert check_absent["changed"] is True
    assert sorted(check_absent["deleted"]) == sorted(s["SubnetId"] for c, s in found.items() if c != "10.62.9.0/24")
    assert removed["changed"] is True, removed
    assert removed_again["changed"] is False, removed_again
    # Only the listed subnets went; the one the module was not given stays.
    assert [s["SubnetId"] for s in in_vpc(ec2, vpc_id).values()] == [other]


def test_bad_input_names_the_field(emulator, vpc):
    ec2, vpc_id, _ = vpc
    before = in_vpc(ec2, vpc_id)
    missing, duplicate, bad_cidr, moved, overlapping = run_steps(
        emulator,
        [
            Step(MODULE, {"vpc_id": vpc_id, "subnets": [{"cidr": "10.62.4.0/24"}, {"az": AZS[0]}]}),
            Step(MODULE, {"vpc_id": vpc_id, "subnets": [{"cidr": "10.62.4.0/24"}, {"cidr": "10.62.4.0/24"}]}),
            Step(MODULE, {"vpc_id": vpc_id, "subnets": [{"cidr": "10.62.4.1/24"}]}),
            Step(MODULE, {"vpc_id": vpc_id, "subnets": [{"cidr": "10.62.9.0/24", "az": "ap-northeast-2c"}]}),
            # Inside the VPC's block, overlapping the subnet already there: AWS refuses it.
            Step(MODULE, {"vpc_id": vpc_id, "subnets": [{"cidr": "10.62.5.0/24"}, {"cidr": "10.62.9.0/25"}]}),
        ],
    )
    assert missing["failed"] is True
    assert "subnets[1].cidr is missing" in missing["msg"]
    assert duplicate["failed"] is True
    assert "subnets[1].cidr=10.62.4.0/24 is listed again (first as subnets[0].cidr)" in duplicate["msg"]
    assert bad_cidr["failed"] is True
    assert "subnets[0].cidr='10.62.4.1/24' is not an IPv4 network" in bad_cidr["msg"]
    assert moved["failed"] is True
    assert "subnets[0].az=ap-northeast-2c" in moved["msg"]
    assert "AWS cannot move a subnet" in moved["msg"]
    assert overlapping["failed"] is True
    assert "subnets[1].cidr 10.62.9.0/25" in overlapping["msg"]
    assert "conflicts" in overlapping["msg"].lower(), overlapping["msg"]
    # The first subnet of the failing run was created before AWS refused the second; nothing else changed.
    after = in_vpc(ec2, vpc_id)
    assert set(after) - set(before) == {"10.62.5.0/24"}
