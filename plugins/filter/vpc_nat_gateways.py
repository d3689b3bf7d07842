# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: vpc_nat_gateways
short_description: Build the NAT gateways of a subnet plan for teamf.platform.ec2_vpc_nat_gateways
version_added: 0.4.0
description:
  - Returns the O(teamf.platform.ec2_vpc_nat_gateways#module:nat_gateways) of a VPC laid out by
    P(teamf.platform.subnet_plan#filter), that is one C(<name>-nat-<zone letter>) gateway per zone of
    O(azs), in that zone's first public subnet.
options:
  _input:
    description: The subnet plan, entries with C(name), C(role) (V(public) or V(private)) and C(az).
    type: list
    elements: dict
    required: true
  name:
    description: The VPC's name, prefix of each gateway's C(Name) tag.
    type: string
    required: true
  azs:
    description: The zones that get a gateway, in order (all of them, the first only, or none).
    type: list
    elements: string
    required: true
  subnet_ids:
    description: Subnet id by plan entry name (placeholders in check mode are fine).
    type: dict
    required: true
  tags:
    description: Tags of every gateway and its address; C(Name) is set per gateway.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: NAT gateways of dev
  ansible.builtin.debug:
    msg: >-
      {{ vpc__plan | teamf.platform.vpc_nat_gateways(name='dev', azs=['ap-northeast-2a'],
         subnet_ids={'public-a': 'subnet-1', 'private-app-a': 'subnet-2'}, tags={'Environment': 'dev'}) }}
  # [{"name": "dev-nat-a", "subnet_id": "subnet-1", "tags": {"Environment": "dev", "Name": "dev-nat-a"}}]
"""

RETURN = r"""
_value:
  description: The gateways, one per zone of O(azs), in that order.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

FILTER = "vpc_nat_gateways"


def vpc_nat_gateways(plan, name, azs, subnet_ids, tags=None):
    gateways = []
    for az in azs:
        public = [e["name"] for e in plan if e.get("role") == "public" and e.get("az") == az]
        if not public:
            raise AnsibleFilterError(f"{FILTER}: zone {az!r} has no public subnet in the plan for its NAT gateway")
        if public[0] not in subnet_ids:
            raise AnsibleFilterError(
                f"{FILTER}: argument 'subnet_ids' = {sorted(subnet_ids)!r}: has no id for {public[0]!r}"
            )
        gateway = f"{name}-nat-{az[-1]}"
        gateways.append({"name": gateway, "subnet_id": subnet_ids[public[0]], "tags": dict(tags or {}, Name=gateway)})
    return gateways


class FilterModule:
    def filters(self):
        return {"vpc_nat_gateways": vpc_nat_gateways}
