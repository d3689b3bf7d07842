"""plugins/module_utils/ec2_route_tables.py: validation and the planner behind ec2_vpc_route_tables."""

from __future__ import annotations

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.ec2_route_tables import (
    RouteTablesConfigError,
    diff_view,
    plan,
    plan_absent,
    plan_routes,
    route_request,
    table_result,
    validate,
)

LOCAL = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}


def route(dest, origin="CreateRoute", state="active", **target):
    return dict({"DestinationCidrBlock": dest, "Origin": origin, "State": state}, **target)


def described(table_id, name, routes=(), subnets=(), tags=None, main=False):
    """A DescribeRouteTables entry: ``subnets`` as (subnet id, association id)."""
    associations = [
        {"Main": False, "RouteTableAssociationId": assoc, "RouteTableId": table_id, "SubnetId": subnet}
        for subnet, assoc in subnets
    ]
    if main:
        associations.append({"Main": True, "RouteTableAssociationId": f"{table_id}-main", "RouteTableId": table_id})
    tags = dict(tags or {}, **({"Name": name} if name else {}))
    return {
        "RouteTableId": table_id,
        "VpcId": "vpc-1",
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "Routes": [LOCAL, *routes],
        "Associations": associations,
    }


def table(name, subnets=(), routes=(), tags=None):
    return {"name": name, "tags": tags if tags is not None else {}, "subnets": list(subnets), "routes": list(routes)}


PUBLIC = table("pub", ["subnet-a"], [{"dest": "0.0.0.0/0", "gateway_id": "igw-1"}], {"Env": "dev"})
PRIVATE = table("priv-a", ["subnet-b", "subnet-c"], [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-1"}], {"Env": "dev"})


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        pytest.param([{"name": ""}], "route_tables[0].name is required", id="no-name"),
        pytest.param(
            [{"name": "a"}, {"name": "a"}],
            "route_tables[1].name: a is also route_tables[0].name",
            id="same-name",
        ),
        pytest.param(
            [{"name": "a", "tags": {"Name": "b"}}], "route_tables[0].tags.Name: b differs", id="other-name-tag"
        ),
        pytest.param(
            [{"name": "a", "subnets": ["subnet-1"]}, {"name": "b", "subnets": ["subnet-1"]}],
            "route_tables[1].subnets[0]: subnet-1 is also listed at route_tables[0].subnets[0]",
            id="subnet-twice",
        ),
        pytest.param(
            [{"name": "a", "routes": [{"dest": "0.0.0.0/0"}]}],
            "route_tables[0].routes[0]: give exactly one of gateway_id, nat_gateway_id (got none)",
            id="no-target",
        ),
        pytest.param(
            [{"name": "a", "routes": [{"dest": "0.0.0.0/0", "gateway_id": "igw-1", "nat_gateway_id": "nat-1"}]}],
            "(got gateway_id, nat_gateway_id)",
            id="two-targets",
        ),
        pytest.param(
            [{"name": "a", "routes": [{"dest": "10.0.0.1/8", "gateway_id": "igw-1"}]}],
            "route_tables[0].routes[0].dest: '10.0.0.1/8' is not a CIDR block",
            id="host-bits-set",
        ),
        pytest.param(
            [{"name": "a", "routes": [{"dest": "0.0.0.0/0", "gateway_id": "igw-1"}] * 2}],
            "route_tables[0].routes[1].dest: 0.0.0.0/0 is also route_tables[0].routes[0].dest",
            id="same-dest",
        ),
    ],
)
def test_validate_refuses_naming_the_field(tables, message):
    with pytest.raises(RouteTablesConfigError) as refused:
        validate(tables)
    assert message in str(refused.value)


def test_validate_normalises_and_tolerates_check_mode_placeholders():
    placeholders = [{"name": "a", "subnets": ["subnet-checkmode"]}, {"name": "b", "subnets": ["subnet-checkmode"]}]
    assert validate(placeholders, check_mode=True)[1] == {
        "name": "b",
        "tags": {"Name": "b"},
        "subnets": ["subnet-checkmode"],
        "routes": [],
    }


@pytest.mark.parametrize(
    ("wanted", "current", "expected"),
    [
        pytest.param(
            [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-1"}],
            [LOCAL, route("0.0.0.0/0", NatGatewayId="nat-1")],
            ([], [], []),
            id="in-place",
        ),
        pytest.param(
            [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-1"}], [LOCAL], ([0], [], []), id="missing-is-created"
        ),
        pytest.param(
            [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-2"}],
            [LOCAL, route("0.0.0.0/0", NatGatewayId="nat-1")],
            ([], [0], []),
            id="other-nat-is-replaced",
        ),
        pytest.param(
            [{"dest": "0.0.0.0/0", "gateway_id": "igw-1"}],
            [LOCAL, route("0.0.0.0/0", NatGatewayId="nat-1")],
            ([], [0], []),
            id="nat-to-igw-is-replaced",
        ),
        pytest.param(
            [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-1"}],
            [LOCAL, route("0.0.0.0/0", state="blackhole", NatGatewayId="nat-1")],
            ([], [0], []),
            id="blackhole-is-replaced",
        ),
        pytest.param(
            [],
            [
                LOCAL,
                route("0.0.0.0/0", NatGatewayId="nat-1"),
                route("10.9.0.0/16", origin="EnableVgwRoutePropagation", GatewayId="vgw-1"),
                {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "Origin": "CreateRoute", "State": "active"},
            ],
            ([], [], ["0.0.0.0/0"]),
            id="purge-keeps-local-propagated-and-endpoint-routes",
        ),
    ],
)
def test_plan_routes(wanted, current, expected):
    to_create, to_replace, to_delete = plan_routes(current, wanted)
    assert ([i for i, _ in to_create], [i for i, _ in to_replace], [r["DestinationCidrBlock"] for r in to_delete]) == (
        expected
    )


@pytest.mark.parametrize(
    ("wanted", "request_"),
    [
        ({"dest": "0.0.0.0/0", "gateway_id": "igw-1"}, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}),
        ({"dest": "::/0", "nat_gateway_id": "nat-1"}, {"DestinationIpv6CidrBlock": "::/0", "NatGatewayId": "nat-1"}),
    ],
    ids=["ipv4-igw", "ipv6-nat"],
)
def test_route_request(wanted, request_):
    assert route_request(wanted) == request_


def test_plan_creates_missing_tables_with_tags_routes_and_subnets():
    [public, private] = plan(validate([PUBLIC, PRIVATE]), [described("rtb-main", None, main=True)])
    assert public["create"] and private["create"]
    assert public["tags"] == {"Env": "dev", "Name": "pub"}
    assert [r for _, r in private["routes_to_create"]] == [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-1"}]
    assert private["associate"] == ["subnet-b", "subnet-c"]
    assert private["changed"] and not private["move"] and not private["disassociate"]


def test_plan_in_place_changes_nothing():
    current = [
        described("rtb-main", None, main=True),
        described("rtb-p", "pub", [route("0.0.0.0/0", GatewayId="igw-1")], [("subnet-a", "a-1")], {"Env": "dev"}),
        described(
            "rtb-a",
            "priv-a",
            [route("0.0.0.0/0", NatGatewayId="nat-1")],
            [("subnet-b", "a-2"), ("subnet-c", "a-3")],
            {"Env": "dev"},
        ),
    ]
    plans = plan(validate([PUBLIC, PRIVATE]), current)
    assert [step["changed"] for step in plans] == [False, False]
    assert [a["RouteTableAssociationId"] for a in plans[1]["keep"]] == ["a-2", "a-3"]


def test_plan_moves_subnets_between_tables_and_drops_unlisted_ones():
    current = [
        described("rtb-p", "pub", [route("0.0.0.0/0", GatewayId="igw-1")], [("subnet-a", "a-1"), ("subnet-b", "a-2")]),
        described("rtb-a", "priv-a", [], [("subnet-z", "a-9")]),
        described("rtb-other", "not-in-the-set", [], [("subnet-c", "a-3")]),
    ]
    [public, private] = plan(validate([PUBLIC, PRIVATE]), current)
    # subnet-b leaves pub by moving (the replace carries it), not by a disassociation.
    assert public["disassociate"] == []
    assert private["move"] == [("subnet-b", "a-2", "rtb-p"), ("subnet-c", "a-3", "rtb-other")]
    assert [a["SubnetId"] for a in private["disassociate"]] == ["subnet-z"]
    assert public["tags_to_set"] == {"Env": "dev"}


def test_plan_purges_tags_only_when_asked():
    current = [described("rtb-p", "pub", [route("0.0.0.0/0", GatewayId="igw-1")], [("subnet-a", "a-1")], {"Old": "x"})]
    [kept] = plan(validate([PUBLIC]), current, purge_tags=False)
    [purged] = plan(validate([PUBLIC]), current, purge_tags=True)
    assert kept["tags_to_unset"] == [] and kept["tags"] == {"Old": "x", "Env": "dev", "Name": "pub"}
    assert purged["tags_to_unset"] == ["Old"] and purged["tags"] == {"Env": "dev", "Name": "pub"}


def test_two_tables_with_one_name_are_refused():
    with pytest.raises(RouteTablesConfigError, match="rtb-1 and rtb-2 both carry the tag Name=pub"):
        plan(validate([PUBLIC]), [described("rtb-1", "pub"), described("rtb-2", "pub")])


def test_plan_absent_tolerates_missing_tables():
    assert plan_absent(["pub", "gone"], [described("rtb-1", "pub")]) == [
        ("pub", described("rtb-1", "pub")),
        ("gone", None),
    ]


def test_result_is_what_was_written():
    current = [
        described("rtb-a", "priv-a", [route("0.0.0.0/0", GatewayId="igw-1"), route("10.8.0.0/16", GatewayId="igw-1")])
    ]
    [step] = plan(validate([PRIVATE]), current)
    result = table_result(step, "rtb-a", "vpc-1", [("subnet-b", "a-1"), ("subnet-c", None)])
    assert result["routes"] == [
        {
            "destination_cidr_block": "10.0.0.0/16",
            "gateway_id": "local",
            "origin": "CreateRouteTable",
            "state": "active",
        },
        {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1", "origin": "CreateRoute", "state": "active"},
    ]
    assert diff_view(result) == {
        "id": "rtb-a",
        "tags": {"Env": "dev", "Name": "priv-a"},
        "routes": ["0.0.0.0/0 -> nat-1", "10.0.0.0/16 -> local"],
        "subnets": ["subnet-b", "subnet-c"],
    }
