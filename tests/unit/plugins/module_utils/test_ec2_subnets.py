"""ec2_subnets: the field-naming validation, the per-subnet plan and the return shape of ec2_vpc_subnets."""

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.ec2_subnets import (
    by_cidr,
    plan,
    predicted,
    step_changes,
    subnet_info,
    validation_errors,
)

AZ = "ap-northeast-2a"
CURRENT = {
    "SubnetId": "subnet-1",
    "VpcId": "vpc-1",
    "CidrBlock": "10.0.1.0/24",
    "AvailabilityZone": AZ,
    "MapPublicIpOnLaunch": False,
    "State": "available",
    "Tags": [{"Key": "Name", "Value": "app-a"}, {"Key": "Tier", "Value": "app"}],
}


@pytest.mark.parametrize(
    ("subnets", "expected"),
    [
        ([{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24"}], []),
        ([{"cidr": "10.0.1.0/24"}, {"cidr": None}], ["subnets[1].cidr is missing"]),
        ([{"cidr": "10.0.1.1/24"}], ["subnets[0].cidr='10.0.1.1/24' is not an IPv4 network"]),
        ([{"cidr": "fd00::/64"}], ["subnets[0].cidr='fd00::/64' is not an IPv4 network"]),
        ([{"cidr": "10.0.0.0/29"}], ["subnets[0].cidr=10.0.0.0/29 is a /29: AWS subnets are /16 to /28"]),
        (
            [{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24"}, {"cidr": "10.0.1.0/24"}],
            ["subnets[2].cidr=10.0.1.0/24 is listed again (first as subnets[0].cidr)"],
        ),
    ],
    ids=["valid", "missing", "host-bits", "ipv6", "too-small", "duplicate"],
)
def test_validation_names_the_field(subnets, expected):
    errors = validation_errors(subnets)
    assert len(errors) == len(expected), errors
    for error, start in zip(errors, expected, strict=True):
        assert error.startswith(start), error


def test_subnet_info_is_shaped_like_ec2_vpc_subnet():
    info = subnet_info(CURRENT)
    assert info["id"] == "subnet-1"
    assert "subnet_id" not in info
    assert info["cidr_block"] == "10.0.1.0/24"
    assert info["availability_zone"] == AZ
    assert info["vpc_id"] == "vpc-1"
    assert info["tags"] == {"Name": "app-a", "Tier": "app"}
    assert info["map_public_ip_on_launch"] is False
    assert info["state"] == "available"
    assert (info["ipv6_cidr_block"], info["ipv6_association_id"]) == ("", "")


@pytest.mark.parametrize(
    ("want", "purge", "expected"),
    [
        (
            {"cidr": "10.0.1.0/24", "az": AZ, "tags": {"Name": "app-a", "Tier": "app"}},
            True,
            dict(create=False, tags_to_set={}, tags_to_unset=[], map_public=None),
        ),
        (
            {"cidr": "10.0.1.0/24", "tags": {"Name": "app-a", "Owner": "f"}},
            True,
            dict(create=False, tags_to_set={"Owner": "f"}, tags_to_unset=["Tier"], map_public=None),
        ),
        (
            {"cidr": "10.0.1.0/24", "tags": {"Name": "app-b"}},
            False,
            dict(create=False, tags_to_set={"Name": "app-b"}, tags_to_unset=[], map_public=None),
        ),
        (
            {"cidr": "10.0.1.0/24", "tags": None, "map_public": True},
            True,
            dict(create=False, tags_to_set={}, tags_to_unset=[], map_public=True),
        ),
        (
            {"cidr": "10.0.2.0/24", "az": AZ, "tags": {"Name": "app-b"}},
            True,
            dict(create=True, tags_to_set={}, tags_to_unset=[], map_public=None),
        ),
        (
            {"cidr": "10.0.3.0/24", "map_public": True},
            True,
            dict(create=True, tags_to_set={}, tags_to_unset=[], map_public=True),
        ),
    ],
    ids=["unchanged", "retag-purge", "retag-keep", "tags-omitted-map-public", "create", "create-public"],
)
def test_plan(want, purge, expected):
    [step] = plan([want], by_cidr([CURRENT]), purge)
    assert {key: step[key] for key in expected} == expected
    assert step_changes(step) is (expected != dict(create=False, tags_to_set={}, tags_to_unset=[], map_public=None))


def test_plan_keeps_the_input_order_and_ignores_unlisted_subnets():
    other = dict(CURRENT, SubnetId="subnet-9", CidrBlock="10.0.9.0/24")
    steps = plan([{"cidr": "10.0.2.0/24"}, {"cidr": "10.0.1.0/24"}], by_cidr([CURRENT, other]), True)
    assert [(s["index"], s["cidr"], s["create"]) for s in steps] == [
        (0, "10.0.2.0/24", True),
        (1, "10.0.1.0/24", False),
    ]


def test_plan_refuses_to_move_a_subnet():
    with pytest.raises(ValueError, match=r"^subnets\[0\]\.az=ap-northeast-2b: subnet subnet-1 \(10.0.1.0/24\) is in"):
        plan([{"cidr": "10.0.1.0/24", "az": "ap-northeast-2b"}], by_cidr([CURRENT]), True)


def test_predicted_subnets():
    want = {"cidr": "10.0.2.0/24", "az": AZ, "tags": {"Name": "b"}, "map_public": True}
    [new, retag] = plan([want, {"cidr": "10.0.1.0/24", "tags": {"Name": "app-a"}}], by_cidr([CURRENT]), True)
    created = subnet_info(predicted(new, want, "vpc-1"))
    assert "id" not in created  # check mode: the role's subnet-checkmode placeholder takes over
    assert (created["cidr_block"], created["vpc_id"], created["tags"]) == ("10.0.2.0/24", "vpc-1", {"Name": "b"})
    assert created["map_public_ip_on_launch"] is True
    retagged = subnet_info(predicted(retag, {}, "vpc-1"))
    assert (retagged["id"], retagged["tags"]) == ("subnet-1", {"Name": "app-a"})
