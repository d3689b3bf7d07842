"""teamf.platform.subnet_plan: layouts and every refusal."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.subnet_plan import subnet_plan

AZS = ["ap-northeast-2a", "ap-northeast-2c"]
THREE_TIERS = [
    {"name": "public", "role": "public", "prefix": 24},
    {"name": "private-app", "role": "private", "prefix": 20},
    {"name": "private-data", "role": "private", "size": 256},
]


def cidrs(plan):
    return [(s["name"], s["cidr"]) for s in plan]


@pytest.mark.parametrize(
    ("vpc", "tiers", "azs", "kwargs", "expected"),
    [
        pytest.param(
            "10.20.0.0/16",
            THREE_TIERS,
            AZS,
            {},
            [
                ("public-a", "10.20.0.0/24"),
                ("public-c", "10.20.1.0/24"),
                ("private-app-a", "10.20.64.0/20"),
                ("private-app-c", "10.20.80.0/20"),
                ("private-data-a", "10.20.4.0/24"),
                ("private-data-c", "10.20.5.0/24"),
            ],
            id="three-tiers-first-fit",
        ),
        pytest.param(
            "10.0.0.0/24",
            [{"name": "only", "role": "private", "prefix": 28}],
            ["us-east-1a"],
            {"az_slots": 1},
            [("only-a", "10.0.0.0/28")],
            id="smallest-aws-subnet",
        ),
        pytest.param(
            "10.30.0.0/16",
            [
                {"name": "public", "role": "public", "prefix": 24},
                {"name": "private-app", "role": "private", "prefix": 20, "cidr": "10.30.0.0/18"},
            ],
            AZS,
            {},
            [
                ("public-a", "10.30.64.0/24"),
                ("public-c", "10.30.65.0/24"),
                ("private-app-a", "10.30.0.0/20"),
                ("private-app-c", "10.30.16.0/20"),
            ],
            id="pinned-tier-placed-first",
        ),
        pytest.param(
            "10.40.0.0/16",
            [{"name": "public", "role": "public", "size": 4096}],
            ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"],
            {"min_azs": 2},
            [("public-a", "10.40.0.0/20"), ("public-b", "10.40.16.0/20"), ("public-c", "10.40.32.0/20")],
            id="size-form-three-azs",
        ),
    ],
)
def test_layouts(vpc, tiers, azs, kwargs, expected):
    assert cidrs(subnet_plan(vpc, tiers, azs, **kwargs)) == expected


def test_adding_an_az_keeps_existing_subnets():
    two = subnet_plan("10.20.0.0/16", THREE_TIERS, AZS)
    three = subnet_plan("10.20.0.0/16", THREE_TIERS, [*AZS, "ap-northeast-2d"])
    assert set(cidrs(two)) <= set(cidrs(three))


def test_entries_carry_tier_role_and_az():
    first = subnet_plan("10.20.0.0/16", THREE_TIERS, AZS)[2]
    assert first == {
        "name": "private-app-a",
        "tier": "private-app",
        "role": "private",
        "az": "ap-northeast-2a",
        "cidr": "10.20.64.0/20",
    }


@pytest.mark.parametrize(
    ("vpc", "tiers", "azs", "kwargs", "argument", "hint"),
    [
        ("10.0.0.0/33", THREE_TIERS, AZS, {}, "vpc_cidr", "not an IPv4 CIDR"),
        ("not-a-cidr", THREE_TIERS, AZS, {}, "vpc_cidr", "not an IPv4 CIDR"),
        ("10.0.0.1/16", THREE_TIERS, AZS, {}, "vpc_cidr", "did you mean 10.0.0.0/16"),
        ("10.0.0.0/8", THREE_TIERS, AZS, {}, "vpc_cidr", "/16 to /28"),
        ("10.0.0.0/16", [], AZS, {}, "tiers", "non-empty list"),
        ("10.0.0.0/16", ["public"], AZS, {}, "tiers[0]", "must be a dict"),
        ("10.0.0.0/16", [{"name": "x", "role": "public", "prefix": 24, "nat": 1}], AZS, {}, "tiers[0]", "unknown key"),
        ("10.0.0.0/16", [{"name": "Bad_Name", "role": "public", "prefix": 24}], AZS, {}, "tiers[0].name", "lower-case"),
        (
            "10.0.0.0/16",
            [{"name": "a", "role": "public", "prefix": 24}, {"name": "a", "role": "private", "prefix": 24}],
            AZS,
            {},
            "tiers[1].name",
            "unique",
        ),
        ("10.0.0.0/16", [{"name": "a", "role": "dmz", "prefix": 24}], AZS, {}, "tiers[0].role", "'public' or"),
        ("10.0.0.0/16", [{"name": "a", "role": "public"}], AZS, {}, "tiers[0]", "exactly one of"),
        (
            "10.0.0.0/16",
            [{"name": "a", "role": "public", "prefix": 24, "size": 256}],
            AZS,
            {},
            "tiers[0]",
            "exactly one",
        ),
        ("10.0.0.0/16", [{"name": "a", "role": "public", "prefix": 29}], AZS, {}, "tiers[0].prefix", "/16 to /28"),
        ("10.0.0.0/16", [{"name": "a", "role": "public", "prefix": "/24"}], AZS, {}, "tiers[0].prefix", "whole number"),
        ("10.0.0.0/16", [{"name": "a", "role": "public", "size": "many"}], AZS, {}, "tiers[0].size", "whole number"),
        ("10.0.0.0/16", [{"name": "a", "role": "public", "prefix": True}], AZS, {}, "tiers[0].prefix", "whole number"),
        ("10.0.0.0/16", [{"name": "a", "role": "public", "size": 300}], AZS, {}, "tiers[0].size", "power of two"),
        ("10.0.0.0/16", [{"name": "a", "role": "public", "prefix": 17}], AZS, {}, "tiers[0]", "larger than the VPC"),
        (
            "10.0.0.0/16",
            [{"name": "a", "role": "public", "prefix": 18}, {"name": "b", "role": "private", "prefix": 18}],
            AZS,
            {},
            "tiers[1]",
            "no free /16 left",
        ),
        (
            "10.0.0.0/16",
            [{"name": "a", "role": "public", "prefix": 24, "cidr": "10.1.0.0/22"}],
            AZS,
            {},
            "tiers[0].cidr",
            "not inside the VPC",
        ),
        (
            "10.0.0.0/16",
            [{"name": "a", "role": "public", "prefix": 24, "cidr": "10.0.0.0/21"}],
            AZS,
            {},
            "tiers[0].cidr",
            "must be a /22",
        ),
        (
            "10.0.0.0/16",
            [
                {"name": "a", "role": "public", "prefix": 24, "cidr": "10.0.0.0/22"},
                {"name": "b", "role": "private", "prefix": 24, "cidr": "10.0.0.0/22"},
            ],
            AZS,
            {},
            "tiers[1].cidr",
            "overlaps tier 'a'",
        ),
        ("10.0.0.0/16", THREE_TIERS, [], {}, "azs", "non-empty list"),
        ("10.0.0.0/16", THREE_TIERS, ["ap-northeast-2a", "ap-northeast-2a"], {}, "azs", "unique"),
        ("10.0.0.0/16", THREE_TIERS, ["ap-northeast-2a", "us-east-1b"], {}, "azs", "one region only"),
        ("10.0.0.0/16", THREE_TIERS, ["ap-northeast-2a", "ap-northeast-2a"], {}, "azs", "unique"),
        ("10.0.0.0/16", THREE_TIERS, ["ap-northeast-2a", "ap-northeast-1a"], {}, "azs", "one region only"),
        ("10.0.0.0/16", THREE_TIERS, ["ap-northeast-2a"], {"min_azs": 2}, "azs", "at least 2 needed"),
        ("10.0.0.0/16", THREE_TIERS, AZS, {"az_slots": 3}, "az_slots", "power of two"),
        ("10.0.0.0/16", THREE_TIERS, AZS, {"az_slots": 1}, "azs", "raise az_slots"),
    ],
)
def test_refusals_name_filter_argument_and_value(vpc, tiers, azs, kwargs, argument, hint):
    with pytest.raises(AnsibleFilterError) as err:
        subnet_plan(vpc, tiers, azs, **kwargs)
    message = str(err.value)
    assert message.startswith(f"subnet_plan: argument '{argument}' = ")
    assert hint in message


def test_quoted_numbers_plan_as_numbers():
    """YAML `prefix: "24"` passes the role's argument spec (type int): it plans exactly like 24."""
    quoted = [dict(tier, **{key: str(tier[key]) for key in ("prefix", "size") if key in tier}) for tier in THREE_TIERS]
    assert subnet_plan("10.0.0.0/16", quoted, AZS) == subnet_plan("10.0.0.0/16", THREE_TIERS, AZS)


def test_names_put_the_callers_variables_in_messages():
    with pytest.raises(AnsibleFilterError, match=r"variable 'vpc_tiers\[0\].prefix' = 29: AWS subnets"):
        subnet_plan("10.0.0.0/16", [{"name": "a", "role": "public", "prefix": 29}], AZS, names={"tiers": "vpc_tiers"})
