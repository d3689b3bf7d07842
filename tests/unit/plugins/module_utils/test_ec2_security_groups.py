"""ec2_security_groups: the field-naming validation, the rule translation, the per-group plan and the
return shape of ec2_security_groups."""

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.ec2_security_groups import (
    cross_references,
    flatten,
    group_view,
    permission,
    plan,
    planned_id,
    predicted,
    step_changes,
    validation_errors,
    wanted_rules,
)

ALB = {
    "GroupId": "sg-alb",
    "GroupName": "dev-alb",
    "VpcId": "vpc-1",
    "Description": "ALB",
    "Tags": [{"Key": "Name", "Value": "dev-alb"}, {"Key": "Env", "Value": "dev"}],
    "IpPermissions": [
        {
            "IpProtocol": "tcp",
            "FromPort": 80,
            "ToPort": 80,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "clients"}, {"CidrIp": "192.168.0.0/16"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ],
    "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
}
API = {
    "GroupId": "sg-api",
    "GroupName": "dev-api",
    "VpcId": "vpc-1",
    "Description": "api",
    "Tags": [],
    "IpPermissions": [
        {
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "UserIdGroupPairs": [{"GroupId": "sg-alb", "UserId": "123", "Description": "from the ALB"}],
        },
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-api", "UserId": "123"}]},
    ],
    "IpPermissionsEgress": [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]}
    ],
}


def group(name="g", **fields):
    return dict({"name": name, "description": "d"}, **fields)


def rule(**fields):
    return dict({"proto": "tcp", "ports": [80], "cidr_ip": ["10.0.0.0/8"]}, **fields)


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([group("a", ingress=[rule()]), group("b", ingress=[rule(cidr_ip=None, group="a")])], []),
        ([group("a", ingress=[rule(cidr_ip=None, group="sg-0123")])], []),
        (
            [
                group("a", ingress=[rule(proto="-1", ports=None)]),
                group("b", ingress=[rule(proto="icmp", ports=[8, "3-4"])]),
            ],
            [],
        ),
        ([group(None)], ["groups[0].name is missing"]),
        ([group("a", description=None)], ["groups[0].description is missing"]),
        ([group("sg-a")], ["groups[0].name=sg-a: AWS refuses names starting with sg-"]),
        ([group("a"), group("b"), group("a")], ["groups[2].name=a is listed again (first as groups[0].name)"]),
        (
            [group("a", ingress=[rule(), rule(cidr_ip=None, group="c")])],
            ["groups[0].ingress[1].group=c is neither a group of this list (a) nor an sg- id"],
        ),
        ([group("a", ingress=[rule(group="a")])], ["groups[0].ingress[0]: give exactly one of cidr_ip"]),
        ([group("a", ingress=[rule(cidr_ip=None)])], ["groups[0].ingress[0]: give exactly one of cidr_ip"]),
        (
            [group("a", ingress=[rule(cidr_ip=["10.0.0.1/8"])])],
            ["groups[0].ingress[0].cidr_ip[0]='10.0.0.1/8' is not an IPv4"],
        ),
        (
            [group("a", ingress=[rule(cidr_ip=["fd00::/8"])])],
            ["groups[0].ingress[0].cidr_ip[0]='fd00::/8' is not an IPv4"],
        ),
        ([group("a", ingress=[rule(ports=[70000])])], ["groups[0].ingress[0].ports[0]=70000 is outside 0-65535"]),
        ([group("a", ingress=[rule(ports=["90-80"])])], ["groups[0].ingress[0].ports[0]='90-80' starts above its end"]),
        (
            [group("a", ingress=[rule(ports=["http"])])],
            ["groups[0].ingress[0].ports[0]='http' is neither a port nor a range"],
        ),
        ([group("a", ingress=[rule(ports=[True])])], ["groups[0].ingress[0].ports[0]=True is not a port"]),
        ([group("a", ingress=[rule(ports=[])])], ["groups[0].ingress[0].ports is missing"]),
        ([group("a", ingress=[rule(proto="-1")])], ["groups[0].ingress[0].ports: proto -1 means every protocol"]),
        ([group("a", ingress=[rule(proto="gre")])], ["groups[0].ingress[0].proto='gre' is not one of"]),
    ],
    ids=[
        "valid-names",
        "valid-sg-id",
        "valid-all-and-icmp",
        "no-name",
        "no-description",
        "sg-prefix",
        "duplicate",
        "unknown-group",
        "both-sources",
        "no-source",
        "host-bits",
        "ipv6",
        "port-range",
        "reversed-range",
        "port-word",
        "port-bool",
        "tcp-without-ports",
        "all-with-ports",
        "protocol",
    ],
)
def test_validation_names_the_field(groups, expected):
    errors = validation_errors(groups)
    assert len(errors) == len(expected), errors
    for error, start in zip(errors, expected, strict=True):
        assert error.startswith(start), error


@pytest.mark.parametrize(
    ("ingress", "expected"),
    [
        (
            [rule(ports=[80, "8000-8001"], cidr_ip=["10.0.0.0/8", "10.1.0.0/16"], description="x")],
            {
                ("tcp", 80, 80, "cidr", "10.0.0.0/8"): "x",
                ("tcp", 80, 80, "cidr", "10.1.0.0/16"): "x",
                ("tcp", 8000, 8001, "cidr", "10.0.0.0/8"): "x",
                ("tcp", 8000, 8001, "cidr", "10.1.0.0/16"): "x",
            },
        ),
        ([rule(cidr_ip=None, group="a")], {("tcp", 80, 80, "group", "sg-a"): ""}),
        ([rule(cidr_ip=None, group="b")], {("tcp", 80, 80, "group", planned_id("b")): ""}),
        ([rule(cidr_ip=None, group="sg-9")], {("tcp", 80, 80, "group", "sg-9"): ""}),
        ([rule(proto="-1", ports=None)], {("-1", None, None, "cidr", "10.0.0.0/8"): ""}),
        ([rule(proto="icmp", ports=None)], {("icmp", -1, -1, "cidr", "10.0.0.0/8"): ""}),
        (
            [rule(proto="icmp", ports=[8, "3-4"])],
            {("icmp", 8, -1, "cidr", "10.0.0.0/8"): "", ("icmp", 3, 4, "cidr", "10.0.0.0/8"): ""},
        ),
    ],
    ids=["ports-by-cidrs", "listed-group", "planned-group", "group-id", "all-traffic", "all-icmp", "icmp-types"],
)
def test_wanted_rules_are_one_per_protocol_ports_and_source(ingress, expected):
    assert wanted_rules(group(ingress=ingress), {"a": "sg-a", "b": planned_id("b")}) == expected


def test_flatten_takes_ip_permissions_apart_and_permission_puts_one_back():
    rules = flatten(ALB["IpPermissions"] + API["IpPermissions"])
    assert rules == {
        ("tcp", 80, 80, "cidr", "10.0.0.0/8"): "clients",
        ("tcp", 80, 80, "cidr", "192.168.0.0/16"): "",
        ("tcp", 8080, 8080, "group", "sg-alb"): "from the ALB",
        ("-1", None, None, "group", "sg-api"): "",
    }
    assert permission(("tcp", 8080, 8080, "group", "sg-alb"), "from the ALB") == {
        "IpProtocol": "tcp",
        "FromPort": 8080,
        "ToPort": 8080,
        "UserIdGroupPairs": [{"GroupId": "sg-alb", "Description": "from the ALB"}],
    }
    # Revokes name the rule without its description; -1 has no ports.
    assert permission(("-1", None, None, "cidr", "10.0.0.0/8")) == {
        "IpProtocol": "-1",
        "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
    }


IDS = {"dev-alb": "sg-alb", "dev-api": "sg-api"}


@pytest.mark.parametrize(
    ("want", "purge", "expected"),
    [
        (
            group(
                "dev-alb",
                description="ALB",
                tags={"Name": "dev-alb", "Env": "dev"},
                ingress=[rule(description="clients"), rule(cidr_ip=["192.168.0.0/16"])],
            ),
            True,
            dict(create=False, authorize=[], revoke=[], describe={}, tags_to_set={}, tags_to_unset=[]),
        ),
        (
            group(
                "dev-alb",
                description="ALB",
                tags={"Name": "dev-alb", "Owner": "f"},
                ingress=[rule(ports=[80, 443], description="users")],
            ),
            True,
            dict(
                create=False,
                authorize=[("tcp", 443, 443, "cidr", "10.0.0.0/8")],
                revoke=[("tcp", 80, 80, "cidr", "192.168.0.0/16")],
                describe={("tcp", 80, 80, "cidr", "10.0.0.0/8"): "users"},
                tags_to_set={"Owner": "f"},
                tags_to_unset=["Env"],
            ),
        ),
        (
            group(
                "dev-alb",
                description="ALB",
                tags={"Name": "dev-alb2"},
                ingress=[rule(description="clients"), rule(cidr_ip=["192.168.0.0/16"])],
            ),
            False,
            dict(
                create=False, authorize=[], revoke=[], describe={}, tags_to_set={"Name": "dev-alb2"}, tags_to_unset=[]
            ),
        ),
        (
            # tags omitted: left alone; ingress omitted: every rule revoked.
            group("dev-alb", description="ALB"),
            True,
            dict(
                create=False,
                authorize=[],
                revoke=[("tcp", 80, 80, "cidr", "10.0.0.0/8"), ("tcp", 80, 80, "cidr", "192.168.0.0/16")],
                describe={},
                tags_to_set={},
                tags_to_unset=[],
            ),
        ),
        (
            group("dev-new", tags={"Name": "dev-new"}, ingress=[rule(cidr_ip=None, group="dev-new")]),
            True,
            dict(
                create=True,
                authorize=[("tcp", 80, 80, "group", planned_id("dev-new"))],
                revoke=[],
                describe={},
                tags_to_set={},
                tags_to_unset=[],
            ),
        ),
    ],
    ids=["in-sync", "rules-and-tags", "no-purge", "no-ingress", "create"],
)
def test_plan(want, purge, expected):
    ids = dict(IDS, **{"dev-new": planned_id("dev-new")})
    (step,) = plan([want], {"dev-alb": ALB, "dev-api": API}, ids, purge)
    assert {key: step[key] for key in expected} == expected
    assert step_changes(step) is (
        expected != dict(create=False, authorize=[], revoke=[], describe={}, tags_to_set={}, tags_to_unset=[])
    )


def test_plan_refuses_a_new_description():
    with pytest.raises(
        ValueError, match=r"groups\[0\].description='other': group sg-alb \(dev-alb\) is described 'ALB'"
    ):
        plan([group("dev-alb", description="other")], {"dev-alb": ALB}, IDS, True)


def test_views_name_listed_groups_and_hide_planned_ids():
    names = {"sg-alb": "dev-alb", "sg-api": "dev-api"}
    view = group_view(API, names)
    assert view["name"] == "dev-api"
    assert view["group_id"] == "sg-api"
    assert view["ingress"] == [
        {
            "proto": "-1",
            "from_port": None,
            "to_port": None,
            "group_id": "sg-api",
            "group": "dev-api",
            "description": "",
        },
        {
            "proto": "tcp",
            "from_port": 8080,
            "to_port": 8080,
            "group_id": "sg-alb",
            "group": "dev-alb",
            "description": "from the ALB",
        },
    ]
    want = group("dev-new", tags={"B": "2", "A": "1"}, ingress=[rule(cidr_ip=None, group="dev-new")])
    ids = {"dev-new": planned_id("dev-new")}
    (step,) = plan([want], {}, ids, True)
    guess = predicted(step, want, "vpc-1", {planned_id("dev-new"): "dev-new"})
    assert guess["group_id"] == ""
    assert list(guess["tags"]) == ["A", "B"]
    assert guess["ingress"] == [
        {"proto": "tcp", "from_port": 80, "to_port": 80, "group_id": "", "group": "dev-new", "description": ""}
    ]


def test_cross_references_are_the_rules_between_doomed_groups():
    # dev-api names dev-alb (ingress and egress) and itself; dev-alb names nobody.
    assert cross_references([ALB, API]) == {
        "sg-api": (
            [
                {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]},
                {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-api"}]},
            ],
            [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]}],
        )
    }
    # Deleting dev-api alone: only its reference to itself stands in the way.
    assert cross_references([API]) == {
        "sg-api": ([{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-api"}]}], [])
    }
