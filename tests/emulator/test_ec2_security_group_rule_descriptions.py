"""emulator.fixes.ec2_security_group_rule_descriptions, over HTTP."""


def test_rules_that_reference_a_group_report_their_description(aws, clean_emulator):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    nodes = ec2.create_security_group(GroupName="nodes", Description="nodes", VpcId=vpc)["GroupId"]
    plane = ec2.create_security_group(GroupName="plane", Description="plane", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=nodes,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [{"GroupId": plane, "Description": "from the control plane"}],
            },
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": nodes, "Description": "between nodes"}]},
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "ssh"}],
            },
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupId": plane}]},
        ],
    )

    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [nodes]}])["SecurityGroupRules"]
    ingress = {
        (r.get("ReferencedGroupInfo", {}).get("GroupId") or r.get("CidrIpv4"), r["FromPort"]): r.get("Description")
        for r in rules
        if not r["IsEgress"]
    }
    assert ingress == {
        (plane, 443): "from the control plane",
        (nodes, -1): "between nodes",
        ("10.0.0.0/8", 22): "ssh",
        (plane, 80): None,
    }


def test_bare_moto_drops_the_description_of_a_rule_that_references_a_group(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto reports that description itself now: the fix can go."""
    ec2 = bare_moto("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    nodes = ec2.create_security_group(GroupName="nodes", Description="nodes", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=nodes,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": nodes, "Description": "between nodes"}]}],
    )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [nodes]}])["SecurityGroupRules"]
    assert [r.get("Description") for r in rules if not r["IsEgress"]] == [None]
