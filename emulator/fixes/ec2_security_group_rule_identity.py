"""EC2 security group rules: a rule that references a group is the same rule whatever its description.

moto compares rules (``SecurityGroupRule.__eq__``) by their whole source-group entry, description
included, where for CIDR ranges it compares only the range. So for a rule whose source is a security
group:

- RevokeSecurityGroupIngress/Egress without repeating the rule's description fails with
  ``InvalidPermission.NotFound``;
- UpdateSecurityGroupRuleDescriptionsIngress/Egress with a new description finds no rule and changes
  nothing (and answers success);
- AuthorizeSecurityGroupIngress of the same protocol, ports and group with another description adds a
  second rule instead of failing with ``InvalidPermission.Duplicate``.

AWS identifies a rule by its protocol, port range and source; the description is not part of it.
RevokeSecurityGroupIngress: "If the security group rule has a description, you do not need to specify
the description to revoke the rule"
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html);
UpdateSecurityGroupRuleDescriptionsIngress updates the description of the rule the permission names
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UpdateSecurityGroupRuleDescriptionsIngress.html).

The fix compares source groups without their ``Description``, as moto already compares CIDR ranges.
"""

from moto.ec2.models.security_groups import SecurityGroupRule

from emulator.fixes import require


def _identity(source_group):
    return {key: value for key, value in (source_group or {}).items() if key != "Description"}


def __eq__(self, other):
    """moto 5.2.5's SecurityGroupRule.__eq__, with the source groups compared without their description."""
    if not isinstance(other, SecurityGroupRule):
        return NotImplemented
    if self.ip_protocol != other.ip_protocol:
        return False
    for key in ("CidrIp", "CidrIpv6"):
        if key in self.ip_range and self.ip_range.get(key) != other.ip_range.get(key):
            return False
    if _identity(self.source_group) != _identity(other.source_group):
        return False
    if self.prefix_list_id != other.prefix_list_id:
        return False
    return self.ip_protocol == "-1" or (self.from_port, self.to_port) == (other.from_port, other.to_port)


__eq__._teamf_fixed = True


def apply() -> None:
    require(SecurityGroupRule, "__eq__")
    if getattr(SecurityGroupRule.__eq__, "_teamf_fixed", False):
        return
    SecurityGroupRule.__eq__ = __eq__
