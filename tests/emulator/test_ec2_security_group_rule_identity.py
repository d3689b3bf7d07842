"""emulator.fixes.ec2_security_group_rule_identity, over HTTP."""

import pytest
from botocore.exceptions import ClientError


def group_rules(ec2, group_id):
    permissions = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"]
    return sorted(
        (p["FromPort"], pair["GroupId"], pair.get("Description")) for p in permissions for pair in p["UserIdGroupPairs"]
    )


def test_a_rule_that_references_a_group_is_found_without_its_description(aws, clean_emulator):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    api = ec2.create_security_group(GroupName="api", Description="api", VpcId=vpc)["GroupId"]
    alb = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]

    def rule(port, description=None):
        pair = {"GroupId": alb, **({"Description": description} if description else {})}
        return [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [pair]}]

    ec2.authorize_security_group_ingress(GroupId=api, IpPermissions=rule(80, "from the ALB") + rule(81, "old"))

    # The same protocol, ports and group with another description is the same rule.
    with pytest.raises(ClientError) as duplicate:
        ec2.authorize_security_group_ingress(GroupId=api, IpPermissions=rule(80, "another"))
    assert duplicate.value.response["Error"]["Code"] == "InvalidPermission.Duplicate"

    ec2.update_security_group_rule_descriptions_ingress(GroupId=api, IpPermissions=rule(81, "new"))
    assert group_rules(ec2, api) == [(80, alb, "from the ALB"), (81, alb, "new")]

    ec2.revoke_security_group_ingress(GroupId=api, IpPermissions=rule(80))
    assert group_rules(ec2, api) == [(81, alb, "new")]


def test_bare_moto_cannot_revoke_a_group_rule_without_its_description(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto finds a group-referencing rule by protocol, ports and group itself now: the fix can go."""
    ec2 = bare_moto("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    api = ec2.create_security_group(GroupName="identity-api", Description="api", VpcId=vpc)["GroupId"]
    alb = ec2.create_security_group(GroupName="identity-alb", Description="alb", VpcId=vpc)["GroupId"]
    described = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80}
    pair = {"GroupId": alb, "Description": "from the ALB"}
    ec2.authorize_security_group_ingress(GroupId=api, IpPermissions=[dict(described, UserIdGroupPairs=[pair])])
    with pytest.raises(ClientError) as refused:
        ec2.revoke_security_group_ingress(
            GroupId=api, IpPermissions=[dict(described, UserIdGroupPairs=[{"GroupId": alb}])]
        )
    assert refused.value.response["Error"]["Code"] == "InvalidPermission.NotFound"
