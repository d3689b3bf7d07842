"""teamf.platform.ec2_security_groups through ansible-playbook against the emulator.

One scenario: create (groups that reference each other and themselves) → rerun (changed=0) → check
mode on a change (reported, nothing mutated) → rules added, revoked and re-described, tags changed →
absent (the references between the groups revoked first) → absent again, reading EC2 back after each
step; and bad input failing before any call, naming the field.
"""

from __future__ import annotations

import pytest

from tests.integration.modules import Step, run_module, run_steps

MODULE = "teamf.platform.ec2_security_groups"
NAMES = ("it-alb", "it-api", "it-auth")


@pytest.fixture
def vpc(aws):
    """EC2 client of the session's emulator, a VPC, and a group there the module is not given."""
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.63.0.0/16")["Vpc"]["VpcId"]
    other = ec2.create_security_group(VpcId=vpc_id, GroupName="it-other", Description="not listed")["GroupId"]
    yield ec2, vpc_id, other
    for group in in_vpc(ec2, vpc_id).values():
        if group["GroupName"] != "default":
            ec2.delete_security_group(GroupId=group["GroupId"])
    ec2.delete_vpc(VpcId=vpc_id)


def in_vpc(ec2, vpc_id):
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return {g["GroupName"]: g for g in groups}


def tags_of(group):
    return {t["Key"]: t["Value"] for t in group.get("Tags", [])}


def ingress_of(group, names_by_id):
    """The ingress of an AWS group as a set of (proto, from, to, source, description), sources by name."""
    rules = set()
    for permission in group["IpPermissions"]:
        ports = (permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"))
        for item in permission.get("IpRanges", []):
            rules.add((*ports, item["CidrIp"], item.get("Description", "")))
        for item in permission.get("UserIdGroupPairs", []):
            rules.add((*ports, names_by_id.get(item["GroupId"], item["GroupId"]), item.get("Description", "")))
    return rules


def wanted(other):
    return [
        {
            "name": "it-alb",
            "description": "ALB",
            "tags": {"Name": "it-alb", "Env": "it"},
            "ingress": [{"proto": "tcp", "ports": [80, 443], "cidr_ip": ["10.0.0.0/8"], "description": "clients"}],
        },
        {
            "name": "it-api",
            "description": "service api",
            "tags": {"Name": "it-api", "Env": "it"},
            "ingress": [
                {"proto": "tcp", "ports": [8080], "group": "it-alb", "description": "from the ALB"},
                {"proto": "tcp", "ports": ["9000-9010"], "group": "it-api", "description": "itself"},
            ],
        },
        {
            "name": "it-auth",
            "description": "service auth",
            "tags": {"Name": "it-auth"},
            "ingress": [
                # A group listed after it and one by id that is not listed.
                {"proto": "tcp", "ports": [8081], "group": "it-api", "description": "from api"},
                {"proto": "udp", "ports": [53], "group": other, "description": "from other"},
                {"proto": "icmp", "cidr_ip": ["10.63.0.0/16"]},
            ],
        },
    ]


def test_security_groups_lifecycle(emulator, vpc):
    ec2, vpc_id, other = vpc
    present = {"vpc_id": vpc_id, "groups": wanted(other)}

    check_create, created, rerun = run_steps(
        emulator,
        [Step(MODULE, present, check=True), Step(MODULE, present, diff=True), Step(MODULE, present)],
    )
    assert check_create["changed"] is True, check_create
    assert check_create["group_ids"] == {name: "" for name in NAMES}
    assert check_create["groups"][1]["ingress"][0]["group"] == "it-alb"
    assert created["changed"] is True, created
    found = in_vpc(ec2, vpc_id)
    assert set(found) == {"default", "it-other", *NAMES}
    ids = {name: found[name]["GroupId"] for name in NAMES}
    names_by_id = {group_id: name for name, group_id in ids.items()}
    assert created["group_ids"] == ids
    assert [g["name"] for g in created["groups"]] == list(NAMES)
    assert ingress_of(found["it-alb"], names_by_id) == {
        ("tcp", 80, 80, "10.0.0.0/8", "clients"),
        ("tcp", 443, 443, "10.0.0.0/8", "clients"),
    }
    assert ingress_of(found["it-api"], names_by_id) == {
        ("tcp", 8080, 8080, "it-alb", "from the ALB"),
        ("tcp", 9000, 9010, "it-api", "itself"),
    }
    assert ingress_of(found["it-auth"], names_by_id) == {
        ("tcp", 8081, 8081, "it-api", "from api"),
        ("udp", 53, 53, other, "from other"),
        ("icmp", -1, -1, "10.63.0.0/16", ""),
    }
    # Egress is AWS's default for a new group.
    assert found["it-api"]["IpPermissionsEgress"][0]["IpProtocol"] == "-1"
    for want in wanted(other):
        assert tags_of(found[want["name"]]) == want["tags"]
    assert created["groups"][1]["ingress"] == [
        {
            "proto": "tcp",
            "from_port": 8080,
            "to_port": 8080,
            "group_id": ids["it-alb"],
            "group": "it-alb",
            "description": "from the ALB",
        },
        {
            "proto": "tcp",
            "from_port": 9000,
            "to_port": 9010,
            "group_id": ids["it-api"],
            "group": "it-api",
            "description": "itself",
        },
    ]
    assert created["groups"][2]["vpc_id"] == vpc_id
    assert created["diff"]["before"]["groups"] == {}
    assert created["diff"]["after"]["groups"]["it-alb"]["tags"] == {"Env": "it", "Name": "it-alb"}
    assert rerun["changed"] is False, rerun
    assert rerun["groups"] == created["groups"]

    changed_groups = wanted(other)
    changed_groups[0]["ingress"][0]["ports"] = [443]  # 80 revoked
    changed_groups[0]["tags"] = {"Name": "it-alb", "Owner": "team-f"}  # Env removed, Owner added
    changed_groups[1]["ingress"][0]["description"] = "from the load balancer"  # a group rule re-described
    changed_groups[2]["ingress"][2]["description"] = "pings"  # a CIDR rule re-described
    changed_groups[2]["ingress"].append({"proto": "-1", "group": "it-alb", "description": "all from the ALB"})
    changed = dict(present, groups=changed_groups)
    check = run_module(emulator, MODULE, changed, check=True, diff=True)
    assert check["changed"] is True, check
    assert check["diff"]["before"]["groups"]["it-alb"]["tags"] == {"Env": "it", "Name": "it-alb"}
    assert check["diff"]["after"]["groups"]["it-alb"]["tags"] == {"Name": "it-alb", "Owner": "team-f"}
    assert [r["from_port"] for r in check["diff"]["before"]["groups"]["it-alb"]["ingress"]] == [80, 443]
    assert [r["from_port"] for r in check["diff"]["after"]["groups"]["it-alb"]["ingress"]] == [443]
    assert check["groups"][1]["ingress"][0]["description"] == "from the load balancer"
    assert check["group_ids"] == ids
    assert in_vpc(ec2, vpc_id) == found, "check mode changed EC2"

    applied, again = run_steps(emulator, [Step(MODULE, changed), Step(MODULE, changed)])
    assert applied["changed"] is True, applied
    found = in_vpc(ec2, vpc_id)
    assert ingress_of(found["it-alb"], names_by_id) == {("tcp", 443, 443, "10.0.0.0/8", "clients")}
    assert tags_of(found["it-alb"]) == {"Name": "it-alb", "Owner": "team-f"}
    assert ingress_of(found["it-api"], names_by_id) == {
        ("tcp", 8080, 8080, "it-alb", "from the load balancer"),
        ("tcp", 9000, 9010, "it-api", "itself"),
    }
    assert ingress_of(found["it-auth"], names_by_id) == {
        ("tcp", 8081, 8081, "it-api", "from api"),
        ("udp", 53, 53, other, "from other"),
        ("icmp", -1, -1, "10.63.0.0/16", "pings"),
        ("-1", None, None, "it-alb", "all from the ALB"),
    }
    assert applied["groups"][2]["ingress"] == check["groups"][2]["ingress"]
    assert again["changed"] is False, again

    # Only names are needed; it-alb, referenced by both others, is listed first.
    absent = {"vpc_id": vpc_id, "groups": [{"name": name} for name in NAMES], "state": "absent"}
    check_absent, removed, removed_again = run_steps(
        emulator, [Step(MODULE, absent, check=True), Step(MODULE, absent), Step(MODULE, absent)]
    )
    assert check_absent["changed"] is True
    assert sorted(check_absent["deleted"]) == sorted(ids.values())
    assert removed["changed"] is True, removed
    assert removed_again["changed"] is False, removed_again
    assert removed_again["deleted"] == []
    # Only the listed groups went; the one the module was not given stays.
    assert set(in_vpc(ec2, vpc_id)) == {"default", "it-other"}
    assert other in {g["GroupId"] for g in in_vpc(ec2, vpc_id).values()}


def test_bad_input_names_the_field(emulator, vpc):
    ec2, vpc_id, _ = vpc
    before = in_vpc(ec2, vpc_id)
    ok = {
        "name": "it-ok",
        "description": "fine",
        "ingress": [{"proto": "tcp", "ports": [80], "cidr_ip": ["10.0.0.0/8"]}],
    }

    def rule(**fields):
        return {"vpc_id": vpc_id, "groups": [ok, {"name": "it-bad", "description": "bad", "ingress": [fields]}]}

    unknown, both, neither, bad_cidr, bad_ports, duplicate, described = run_steps(
        emulator,
        [
            Step(MODULE, rule(proto="tcp", ports=[80], group="it-missing")),
            Step(MODULE, rule(proto="tcp", ports=[80], group="it-ok", cidr_ip=["10.0.0.0/8"])),
            Step(MODULE, rule(proto="tcp", ports=[80])),
            Step(MODULE, rule(proto="tcp", ports=[80], cidr_ip=["10.0.0.1/8"])),
            Step(MODULE, rule(proto="tcp", ports=["90-80", 70000], group="it-ok")),
            Step(MODULE, {"vpc_id": vpc_id, "groups": [ok, ok]}),
            # Exists with another description, which AWS cannot change: refused after the one read.
            Step(MODULE, {"vpc_id": vpc_id, "groups": [ok, {"name": "it-other", "description": "changed"}]}),
        ],
    )
    for result in (unknown, both, neither, bad_cidr, bad_ports, duplicate, described):
        assert result["failed"] is True, result
    assert "groups[1].ingress[0].group=it-missing is neither a group of this list (it-ok, it-bad)" in unknown["msg"]
    assert "groups[1].ingress[0]: give exactly one of cidr_ip" in both["msg"]
    assert "groups[1].ingress[0]: give exactly one of cidr_ip" in neither["msg"]
    assert "groups[1].ingress[0].cidr_ip[0]='10.0.0.1/8' is not an IPv4 network" in bad_cidr["msg"]
    assert "groups[1].ingress[0].ports[0]='90-80' starts above its end" in bad_ports["msg"]
    assert "groups[1].ingress[0].ports[1]=70000 is outside 0-65535" in bad_ports["msg"]
    assert "groups[1].name=it-ok is listed again (first as groups[0].name)" in duplicate["msg"]
    assert "groups[1].description='changed'" in described["msg"]
    assert "AWS cannot change a group's description" in described["msg"]
    assert in_vpc(ec2, vpc_id) == before


def test_aws_error_names_the_rule(emulator, vpc):
    _, vpc_id, _ = vpc
    result = run_module(
        emulator,
        MODULE,
        {
            "vpc_id": vpc_id,
            "groups": [
                {
                    "name": "it-refused",
                    "description": "references a group that does not exist",
                    "ingress": [
                        {"proto": "tcp", "ports": [80], "cidr_ip": ["10.0.0.0/8"]},
                        {"proto": "tcp", "ports": [81], "group": "sg-0123456789abcdef0"},
                    ],
                }
            ],
        },
    )
    assert result["failed"] is True
    assert "groups[0].ingress[1]" in result["msg"], result["msg"]
    assert "InvalidGroup.NotFound" in result["msg"] or "does not exist" in result["msg"], result["msg"]
