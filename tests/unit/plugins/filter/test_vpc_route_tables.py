"""teamf.platform.vpc_route_tables: which subnets each table gets and where it routes, and every refusal."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.vpc_route_tables import vpc_route_tables

AZS = ["ap-northeast-2a", "ap-northeast-2b"]
PLAN = [
    {"name": f"{tier}-{az[-1]}", "role": "public" if tier == "public" else "private", "az": az}
    for tier in ("public", "private-app", "private-data")
    for az in AZS
]
IDS = {entry["name"]: f"subnet-{entry['name']}" for entry in PLAN}


def routes(tables):
    return {
        table["name"]: [route.get("gateway_id") or route.get("nat_gateway_id") for route in table["routes"]]
        for table in tables
    }


@pytest.mark.parametrize(
    ("nat_gateway_ids", "expected"),
    [
        pytest.param(
            {"ap-northeast-2a": "nat-a", "ap-northeast-2b": "nat-b"},
            {"dev-public": ["igw-1"], "dev-private-a": ["nat-a"], "dev-private-b": ["nat-b"]},
            id="per-az",
        ),
        pytest.param(
            {"ap-northeast-2a": "nat-a"},
            {"dev-public": ["igw-1"], "dev-private-a": ["nat-a"], "dev-private-b": ["nat-a"]},
            id="single",
        ),
        pytest.param({}, {"dev-public": ["igw-1"], "dev-private-a": [], "dev-private-b": []}, id="none"),
    ],
)
def test_private_zones_route_through_their_nat_gateway(nat_gateway_ids, expected):
    tables = vpc_route_tables(PLAN, "dev", AZS, IDS, "igw-1", nat_gateway_ids, {"Environment": "dev"})
    assert routes(tables) == expected
    assert [route["dest"] for table in tables for route in table["routes"]] == ["0.0.0.0/0"] * sum(
        map(len, expected.values())
    )


def test_each_table_gets_its_subnets_and_tags():
    public, private_a, private_b = vpc_route_tables(PLAN, "dev", AZS, IDS, "igw-1", {}, {"Environment": "dev"})
    assert public["subnets"] == ["subnet-public-a", "subnet-public-b"]
    assert private_a["subnets"] == ["subnet-private-app-a", "subnet-private-data-a"]
    assert private_b["subnets"] == ["subnet-private-app-b", "subnet-private-data-b"]
    assert private_b["tags"] == {"Environment": "dev", "Name": "dev-private-b"}


def test_check_mode_placeholders_pass_through():
    ids = dict.fromkeys(IDS, "subnet-checkmode")
    [public, *_] = vpc_route_tables(PLAN, "dev", AZS, ids, "igw-checkmode")
    assert public["subnets"] == ["subnet-checkmode", "subnet-checkmode"]
    assert public["routes"] == [{"gateway_id": "igw-checkmode", "dest": "0.0.0.0/0"}]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"subnet_ids": {}}, "argument 'subnet_ids' = []: has no id for plan entry 0 ('public-a')", id="no-id"
        ),
        pytest.param({"igw_id": ""}, "argument 'igw_id' = '': give the internet gateway id", id="no-igw"),
    ],
)
def test_refusals_name_the_argument(kwargs, message):
    args = dict({"name": "dev", "azs": AZS, "subnet_ids": IDS, "igw_id": "igw-1"}, **kwargs)
    with pytest.raises(AnsibleFilterError) as refused:
        vpc_route_tables(PLAN, **args)
    assert f"vpc_route_tables: {message}" in str(refused.value)
