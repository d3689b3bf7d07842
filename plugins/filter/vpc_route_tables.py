# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: vpc_route_tables
short_description: Build the route tables of a subnet plan for teamf.platform.ec2_vpc_route_tables
version_added: 0.4.0
description:
  - Returns the O(teamf.platform.ec2_vpc_route_tables#module:route_tables) of a VPC laid out by
    P(teamf.platform.subnet_plan#filter), that is one C(<name>-public) table for every public subnet, routing
    C(0.0.0.0/0) through O(igw_id), then one C(<name>-private-<zone letter>) table per zone of O(azs) for
    that zone's private subnets, routing C(0.0.0.0/0) through the zone's NAT gateway.
  - A zone without a NAT gateway of its own routes through the first one of O(nat_gateway_ids)
    (C(vpc_nat_mode=single)); with no NAT gateway at all the private tables have no default route.
options:
  _input:
    description: The subnet plan, entries with C(name), C(role) (V(public) or V(private)) and C(az).
    type: list
    elements: dict
    required: true
  name:
    description: The VPC's name, prefix of each table's C(Name) tag.
    type: string
    required: true
  azs:
    description: The zones, in order; one private table each.
    type: list
    elements: string
    required: true
  subnet_ids:
    description: Subnet id by plan entry name (placeholders in check mode are fine).
    type: dict
    required: true
  igw_id:
    description: The internet gateway the public table routes through.
    type: string
    required: true
  nat_gateway_ids:
    description: NAT gateway id by zone, the zone of the first one first.
    type: dict
    default: {}
  tags:
    description: Tags of every table; C(Name) is set per table.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Route tables of dev
  ansible.builtin.debug:
    msg: >-
      {{ vpc__plan | teamf.platform.vpc_route_tables(name='dev', azs=['ap-northeast-2a'],
         subnet_ids={'public-a': 'subnet-1', 'private-app-a': 'subnet-2'}, igw_id='igw-1',
         nat_gateway_ids={'ap-northeast-2a': 'nat-1'}, tags={'Environment': 'dev'}) }}
  # [{"name": "dev-public", "tags": {"Environment": "dev", "Name": "dev-public"}, "subnets": ["subnet-1"],
  #   "routes": [{"dest": "0.0.0.0/0", "gateway_id": "igw-1"}]},
  #  {"name": "dev-private-a", "tags": {"Environment": "dev", "Name": "dev-private-a"}, "subnets": ["subnet-2"],
  #   "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-1"}]}]
"""

RETURN = r"""
_value:
  description: The route tables, the public one first, then one per zone in the order of O(azs).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

FILTER = "vpc_route_tables"
DEFAULT_ROUTE = "0.0.0.0/0"


def _fail(argument, value, problem):
    raise AnsibleFilterError(f"{FILTER}: argument '{argument}' = {value!r}: {problem}")


def _table(name, tags, subnets, route):
    return {
        "name": name,
        "tags": dict(tags, Name=name),
        "subnets": subnets,
        "routes": [dict(route, dest=DEFAULT_ROUTE)] if route else [],
    }


def vpc_route_tables(plan, name, azs, subnet_ids, igw_id, nat_gateway_ids=None, tags=None):
    nat_gateway_ids = dict(nat_gateway_ids or {})
    tags = dict(tags or {})
    for index, entry in enumerate(plan):
        if entry.get("name") not in subnet_ids:
            _fail("subnet_ids", sorted(subnet_ids), f"has no id for plan entry {index} ({entry.get('name')!r})")
    if not igw_id:
        _fail("igw_id", igw_id, "give the internet gateway id the public table routes through")

    def subnets(role, az=None):
        return [subnet_ids[e["name"]] for e in plan if e["role"] == role and (az is None or e["az"] == az)]

    fallback = next(iter(nat_gateway_ids.values()), None)
    tables = [_table(f"{name}-public", tags, subnets("public"), {"gateway_id": igw_id})]
    for az in azs:
        nat = nat_gateway_ids.get(az, fallback)
        tables.append(
            _table(f"{name}-private-{az[-1]}", tags, subnets("private", az), {"nat_gateway_id": nat} if nat else None)
        )
    return tables


class FilterModule:
    def filters(self):
        return {"vpc_route_tables": vpc_route_tables}
