"""teamf.platform.vpc_nat_gateways: one gateway per zone in that zone's public subnet, and every refusal."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.vpc_nat_gateways import vpc_nat_gateways

AZS = ["ap-northeast-2a", "ap-northeast-2b"]
PLAN = [
    {"name": f"{tier}-{az[-1]}", "role": "public" if tier.startswith("public") else "private", "az": az}
    for tier in ("public", "public-edge", "private-app")
    for az in AZS
]
IDS = {entry["name"]: f"subnet-{entry['name']}" for entry in PLAN}


@pytest.mark.parametrize(
    ("azs", "expected"),
    [
        pytest.param(AZS, [("dev-nat-a", "subnet-public-a"), ("dev-nat-b", "subnet-public-b")], id="per-az"),
        pytest.param(AZS[:1], [("dev-nat-a", "subnet-public-a")], id="single"),
        pytest.param([], [], id="none"),
        pytest.param(AZS[::-1], [("dev-nat-b", "subnet-public-b"), ("dev-nat-a", "subnet-public-a")], id="order-kept"),
    ],
)
def test_one_gateway_per_zone_in_its_first_public_subnet(azs, expected):
    gateways = vpc_nat_gateways(PLAN, name="dev", azs=azs, subnet_ids=IDS, tags={"Environment": "dev"})
    assert [(g["name"], g["subnet_id"]) for g in gateways] == expected
    assert all(g["tags"] == {"Environment": "dev", "Name": g["name"]} for g in gateways)
    assert all(set(g) == {"name", "subnet_id", "tags"} for g in gateways)


def test_the_tags_given_are_not_changed():
    tags = {"Environment": "dev"}
    vpc_nat_gateways(PLAN, name="dev", azs=AZS, subnet_ids=IDS, tags=tags)
    assert tags == {"Environment": "dev"}


@pytest.mark.parametrize(
    ("plan", "subnet_ids", "message"),
    [
        pytest.param(
            [e for e in PLAN if e["role"] == "private"],
            IDS,
            "vpc_nat_gateways: zone 'ap-northeast-2a' has no public subnet in the plan for its NAT gateway",
            id="no-public-subnet",
        ),
        pytest.param(
            PLAN,
            {k: v for k, v in IDS.items() if k != "public-b"},
            "has no id for 'public-b'",
            id="no-subnet-id",
        ),
    ],
)
def test_refusals_name_the_argument(plan, subnet_ids, message):
    with pytest.raises(AnsibleFilterError, match=message):
        vpc_nat_gateways(plan, name="dev", azs=AZS, subnet_ids=subnet_ids)
