"""EC2 DescribeSecurityGroupRules: report the description of rules that reference a security group.

moto reads a rule's ``Description`` only from its CIDR range, so a rule whose source is another
security group (or the group itself) comes back from DescribeSecurityGroupRules without it, although
DescribeSecurityGroups lists it in the rule's ``UserIdGroupPairs``. AWS reports the description of
every rule: ``SecurityGroupRule.Description``,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRule.html
(and ``UserIdGroupPair.Description`` for the same rule,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html).

Terraform's ``aws_vpc_security_group_ingress_rule`` reads rules this way, so every such rule with a
description planned an update on each run. The fix falls back to the referenced group's description.
"""

from moto.ec2.models.security_groups import SecurityGroupRule


def apply() -> None:
    original = SecurityGroupRule.description
    if getattr(original.fget, "_teamf_fixed", False):
        return

    def description(self):
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    description._teamf_fixed = True
    SecurityGroupRule.description = property(description)
