"""EC2 DescribeNatGateways: honour ``tag:<key>`` and ``tag-key`` filters.

moto filters NAT gateways only by id, VPC, subnet and state and silently ignores tag filters, so a
lookup by tag returns every NAT gateway in the region. AWS documents ``tag:<key>`` and ``tag-key``
as filters of DescribeNatGateways:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNatGateways.html

The fix applies those filters after moto's own, with moto's generic tag matcher.
"""

from moto.ec2.models.nat_gateways import NatGatewayBackend
from moto.ec2.utils import tag_filter_matches


def _is_tag_filter(name: str) -> bool:
    return name.startswith("tag:") or name in ("tag-key", "tag-value")


def apply() -> None:
    original = NatGatewayBackend.describe_nat_gateways
    if getattr(original, "_teamf_fixed", False):
        return

    def describe_nat_gateways(self, filters, nat_gateway_ids):
        nat_gateways = original(self, filters, nat_gateway_ids)
        for name, values in (filters or {}).items():
            if _is_tag_filter(name):
                nat_gateways = [nat for nat in nat_gateways if tag_filter_matches(nat, name, values)]
        return nat_gateways

    describe_nat_gateways._teamf_fixed = True
    NatGatewayBackend.describe_nat_gateways = describe_nat_gateways
