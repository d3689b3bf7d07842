#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ec2_vpc_route_tables
short_description: Converge every route table of a VPC in one call
version_added: 0.4.0
description:
  - Creates, tags, routes and associates each route table of O(route_tables) (found by its C(Name) tag
    within O(vpc_id)), writing only the difference with one C(DescribeRouteTables) of the VPC.
  - Unlike M(amazon.aws.ec2_vpc_route_table), which converges one table per run, re-reads it and
    sleeps 5 seconds after every change, it converges the whole set in one run, does not sleep and
    returns what it wrote.
  - O(state=absent) disassociates the named tables' subnets and deletes the tables; a table that does
    not exist is fine.
author: teamf platform engineers (@teamf)
options:
  vpc_id:
    description: The VPC of the route tables.
    type: str
    required: true
  route_tables:
    description:
      - The route tables, each found by its C(Name) tag within the VPC (as
        M(amazon.aws.ec2_vpc_route_table) does with C(lookup=tag)). Missing ones are created with
        their tags.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The table's C(Name) tag.
        type: str
        required: true
      tags:
        description:
          - The table's tags. C(Name) is O(route_tables[].name) whether given or not; a different
            C(Name) is refused. With O(purge_tags=true) other tags are removed.
        type: dict
        default: {}
      subnets:
        description:
          - Ids of the subnets associated with the table. Other subnets' associations with it are
            removed. A subnet associated with another table (of the set or not) moves to this one
            with C(ReplaceRouteTableAssociation).
        type: list
        elements: str
        default: []
      routes:
        description:
          - The table's routes, each C(dest) and exactly one of C(gateway_id), C(nat_gateway_id).
            Routes not listed are deleted, except the C(local) route, propagated routes and
            gateway endpoint (prefix list) routes.
        type: list
        elements: dict
        default: []
        suboptions:
          dest:
            description: Destination IPv4 or IPv6 CIDR block.
            type: str
            required: true
          gateway_id:
            description: An internet gateway id (C(igw-...)).
            type: str
          nat_gateway_id:
            description: A NAT gateway id (C(nat-...)).
            type: str
  purge_tags:
    description: Remove tags of the tables that O(route_tables[].tags) does not list.
    type: bool
    default: true
  state:
    description: V(present) converges the tables; V(absent) deletes the named tables.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Supports check mode and diff mode. In check mode nothing is created, changed or deleted; a table
    that would be created is returned with RV(route_tables[].id=null) and only its wanted routes.
  - In check mode the ids of subnets, gateways and NAT gateways the same run would create may be
    placeholders (for example C(subnet-checkmode)); they are compared as given, and a subnet listed
    in several tables is only refused outside check mode.
  - Gateway (edge) associations are left alone by O(state=present); O(state=absent) removes them with
    the table.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Route public subnets through the internet gateway and the private ones through a NAT gateway
  teamf.platform.ec2_vpc_route_tables:
    vpc_id: "{{ vpc_id }}"
    route_tables:
      - name: dev-public
        tags: {Environment: dev}
        subnets: [subnet-0a1, subnet-0b1]
        routes:
          - dest: 0.0.0.0/0
            gateway_id: igw-0123
      - name: dev-private-a
        tags: {Environment: dev}
        subnets: [subnet-0a2]
        routes:
          - dest: 0.0.0.0/0
            nat_gateway_id: nat-0123
  register: dev_routes

- name: Delete them (their subnets are disassociated first)
  teamf.platform.ec2_vpc_route_tables:
    vpc_id: "{{ vpc_id }}"
    route_tables: [{name: dev-public}, {name: dev-private-a}]
    state: absent
"""

RETURN = r"""
route_tables:
  description:
    - The tables in the order of O(route_tables), as the run left them (what it wrote, not a re-read).
    - With O(state=absent), the tables that existed, as they were before they were deleted.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Route table id; null in check mode for a table that would be created.
      type: str
      sample: rtb-0123456789abcdef0
    route_table_id:
      description: The same as RV(route_tables[].id).
      type: str
    name:
      description: The table's C(Name) tag.
      type: str
      sample: dev-public
    vpc_id:
      description: The VPC.
      type: str
    tags:
      description: The table's tags.
      type: dict
      sample: {Name: dev-public, Environment: dev}
    routes:
      description:
        - The table's routes (keys as M(amazon.aws.ec2_vpc_route_table) returns them), the C(local)
          route included.
      type: list
      elements: dict
      sample: [{destination_cidr_block: 0.0.0.0/0, gateway_id: igw-0123, origin: CreateRoute, state: active}]
    associations:
      description:
        - The table's subnet associations; C(route_table_association_id) is null in check mode for an
          association that would be made.
      type: list
      elements: dict
      sample:
        - {route_table_association_id: rtbassoc-0123, route_table_id: rtb-0123, subnet_id: subnet-0a1, main: false}
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.ec2_route_tables import (
    TARGETS,
    RouteTablesConfigError,
    associate_subnet,
    create_route,
    create_route_table,
    delete_route,
    delete_route_table,
    describe_route_tables,
    described_view,
    diff_view,
    disassociate,
    plan,
    plan_absent,
    replace_association,
    replace_route,
    route_destination,
    table_result,
    tag_route_table,
    untag_route_table,
    validate,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


class RouteTablesManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.vpc_id = module.params["vpc_id"]
        # What the call in flight is about, for the error message (the failing field and its value).
        self.context = f"vpc_id: {self.vpc_id}"
        self.result = {"changed": False, "route_tables": []}
        self.before = {}
        self.after = {}

    def finish(self):
        if self.module._diff:
            self.result["diff"] = {"before": self.before, "after": self.after}
        return self.result

    def ensure_present(self, wanted):
        self.context = f"vpc_id: {self.vpc_id} (describe its route tables)"
        plans = plan(wanted, describe_route_tables(self.client, self.vpc_id), self.module.params["purge_tags"])
        self.result["changed"] = any(step["changed"] for step in plans)
        if self.module.check_mode:
            for step in plans:
                associations = [(a["SubnetId"], a["RouteTableAssociationId"]) for a in step["keep"]]
                associations += [(subnet, None) for subnet in step["associate"]]
                associations += [(subnet, None) for subnet, _, _ in step["move"]]
                self.record(
                    step,
                    table_id=step["current"]["RouteTableId"] if step["current"] else None,
                    associations=associations,
                )
            return

        table_ids = [self.converge_table(step, wanted[step["index"]]) for step in plans]
        # Routes first, then associations: a subnet that moves lands on a table that already routes.
        for step, table_id in zip(plans, table_ids, strict=True):
            table = wanted[step["index"]]
            where = f"route_tables[{step['index']}]"
            associations = [(a["SubnetId"], a["RouteTableAssociationId"]) for a in step["keep"]]
            for subnet in step["associate"]:
                self.context = f"{where}.subnets[{table['subnets'].index(subnet)}]: {subnet}"
                associations.append((subnet, associate_subnet(self.client, table_id, subnet)))
            for subnet, association_id, from_table in step["move"]:
                self.context = f"{where}.subnets[{table['subnets'].index(subnet)}]: {subnet} (from {from_table})"
                associations.append((subnet, replace_association(self.client, association_id, table_id)))
            for association in step["disassociate"]:
                self.context = f"{where}: subnet {association['SubnetId']} no longer listed in {where}.subnets"
                disassociate(self.client, association["RouteTableAssociationId"])
            order = {subnet: position for position, subnet in enumerate(table["subnets"])}
            associations.sort(key=lambda pair: order.get(pair[0], len(order)))
            self.record(step, table_id=table_id, associations=associations)

    def converge_table(self, step, table):
        """Create the table if missing, then its tags and routes; return its id."""
        where = f"route_tables[{step['index']}]"
        if step["create"]:
            self.context = f"{where}.name: {step['name']} (create it in vpc_id {self.vpc_id})"
            step["current"] = create_route_table(self.client, self.vpc_id, step["tags"])
        table_id = step["current"]["RouteTableId"]
        if step["tags_to_unset"]:
            self.context = f"{where}.tags (purge {', '.join(sorted(step['tags_to_unset']))})"
            untag_route_table(self.client, table_id, step["tags_to_unset"])
        if step["tags_to_set"]:
            self.context = f"{where}.tags"
            tag_route_table(self.client, table_id, step["tags_to_set"])
        for action, writes in ((replace_route, step["routes_to_replace"]), (create_route, step["routes_to_create"])):
            for index, route in writes:
                [option] = [option for option in TARGETS if route.get(option)]
                self.context = f"{where}.routes[{index}].{option}: {route[option]} (dest {route['dest']})"
                action(self.client, table_id, route)
        for route in step["routes_to_delete"]:
            self.context = f"{where}: route to {route_destination(route)} no longer listed in {where}.routes"
            delete_route(self.client, table_id, route)
        return table_id

    def record(self, step, table_id, associations):
        entry = table_result(step, table_id, self.vpc_id, associations)
        self.result["route_tables"].append(entry)
        self.before[step["name"]] = described_view(step["current"]) if step["current"] and not step["create"] else None
        self.after[step["name"]] = diff_view(entry)

    def ensure_absent(self, names):
        self.context = f"vpc_id: {self.vpc_id} (describe its route tables)"
        found = plan_absent(names, describe_route_tables(self.client, self.vpc_id))
        for index, (name, table) in enumerate(found):
            if table is None:
                continue
            self.result["changed"] = True
            self.before[name] = described_view(table)
            self.after[name] = None
            associations = [
                (a["SubnetId"], a["RouteTableAssociationId"])
                for a in table.get("Associations") or []
                if a.get("SubnetId")
            ]
            self.result["route_tables"].append(
                table_result(
                    {
                        "name": name,
                        "current": table,
                        "tags": _tags(table),
                        "routes_to_replace": [],
                        "routes_to_delete": [],
                        "routes_to_create": [],
                    },
                    table["RouteTableId"],
                    self.vpc_id,
                    associations,
                )
            )
            if self.module.check_mode:
                continue
            for association in table.get("Associations") or []:
                if association.get("Main"):
                    continue
                self.context = (
                    f"route_tables[{index}].name: {name} (disassociate {association['RouteTableAssociationId']})"
                )
                disassociate(self.client, association["RouteTableAssociationId"])
            self.context = f"route_tables[{index}].name: {name} ({table['RouteTableId']})"
            delete_route_table(self.client, table["RouteTableId"])


def _tags(table):
    return {tag["Key"]: tag["Value"] for tag in table.get("Tags") or []}


def main():
    route_spec = dict(
        dest=dict(type="str", required=True),
        gateway_id=dict(type="str"),
        nat_gateway_id=dict(type="str"),
    )
    table_spec = dict(
        name=dict(type="str", required=True),
        tags=dict(type="dict", default={}),
        subnets=dict(type="list", elements="str", default=[]),
        routes=dict(type="list", elements="dict", default=[], options=route_spec),
    )
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        route_tables=dict(type="list", elements="dict", required=True, options=table_spec),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        wanted = validate(module.params["route_tables"], check_mode=module.check_mode)
    except RouteTablesConfigError as exc:
        module.fail_json(msg=str(exc))

    client = module.client("ec2")
    manager = RouteTablesManager(module, client)
    try:
        if module.params["state"] == "present":
            manager.ensure_present(wanted)
        else:
            manager.ensure_absent([table["name"] for table in wanted])
    except RouteTablesConfigError as exc:
        module.fail_json(msg=str(exc))
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, manager.context)

    module.exit_json(**manager.finish())


if __name__ == "__main__":
    main()
