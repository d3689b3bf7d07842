# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2 calls and the pure planner behind ec2_vpc_route_tables: every route table of a VPC in one run.

``client`` is ``PlatformAWSModule.client("ec2")`` (module_utils/retries.py): single calls pass
``aws_retry=True``; the listing retries as a whole (``@retry_listing``). Errors are raised as
AnsibleEC2RouteTablesError for the module to report once.

The planner reads one DescribeRouteTables of the VPC (tags, routes and associations come with it) and
returns, per wanted table, what to create, tag, route and associate, so the module writes exactly the
difference and reports what it wrote without reading it back.
"""

from __future__ import annotations

import ipaddress
import uuid

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)
from ansible_collections.teamf.platform.plugins.module_utils import ec2_tags
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing

# The route targets the module manages, option name → the EC2 API's member name.
TARGETS = {"gateway_id": "GatewayId", "nat_gateway_id": "NatGatewayId"}
# Every target member DescribeRouteTables can report, to show a route it did not create.
REPORTED_TARGETS = (
    "GatewayId",
    "NatGatewayId",
    "InstanceId",
    "TransitGatewayId",
    "NetworkInterfaceId",
    "VpcPeeringConnectionId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "EgressOnlyInternetGatewayId",
    "CoreNetworkArn",
)
DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock")


class AnsibleEC2RouteTablesError(AnsibleAWSError):
    pass


class RouteTablesConfigError(ValueError):
    """Bad input, found before any AWS call; the message names the field and the fix."""


class EC2RouteTablesErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2RouteTablesError


# --- AWS calls ----------------------------------------------------------------------------------


@retry_listing
def _route_tables(client, vpc_id):
    pages = client.get_paginator("describe_route_tables").paginate(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return pages.build_full_result().get("RouteTables", [])


@EC2RouteTablesErrorHandler.list_error_handler("describe route tables", default_value=[])
def describe_route_tables(client, vpc_id):
    """Every route table of ``vpc_id`` with its tags, routes and associations: the one read of a run."""
    return _route_tables(client, vpc_id)


@EC2RouteTablesErrorHandler.common_error_handler("create route table")
def create_route_table(client, vpc_id, tags):
    spec = [{"ResourceType": "route-table", "Tags": ansible_dict_to_boto3_tag_list(tags)}]
    # One token for every attempt: a retried create whose first attempt reached EC2 makes no second table
    # (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html).
    token = str(uuid.uuid4())
    return client.create_route_table(VpcId=vpc_id, TagSpecifications=spec, ClientToken=token, aws_retry=True)[
        "RouteTable"
    ]


@EC2RouteTablesErrorHandler.common_error_handler("delete route table")
def delete_route_table(client, table_id):
    client.delete_route_table(RouteTableId=table_id, aws_retry=True)


tag_route_table = EC2RouteTablesErrorHandler.common_error_handler("tag route table")(ec2_tags.create_tags)
untag_route_table = EC2RouteTablesErrorHandler.common_error_handler("untag route table")(ec2_tags.delete_tags)


@EC2RouteTablesErrorHandler.common_error_handler("create route")
def create_route(client, table_id, route):
    client.create_route(RouteTableId=table_id, **route_request(route), aws_retry=True)


@EC2RouteTablesErrorHandler.common_error_handler("replace route")
def replace_route(client, table_id, route):
    client.replace_route(RouteTableId=table_id, **route_request(route), aws_retry=True)


@EC2RouteTablesErrorHandler.common_error_handler("delete route")
def delete_route(client, table_id, route):
    destination = {key: route[key] for key in DESTINATIONS if route.get(key)}
    client.delete_route(RouteTableId=table_id, **destination, aws_retry=True)


@EC2RouteTablesErrorHandler.common_error_handler("associate subnet")
def associate_subnet(client, table_id, subnet_id):
    return client.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id, aws_retry=True)["AssociationId"]


@EC2RouteTablesErrorHandler.common_error_handler("move subnet association")
def replace_association(client, association_id, table_id):
    return client.replace_route_table_association(AssociationId=association_id, RouteTableId=table_id, aws_retry=True)[
        "NewAssociationId"
    ]


@EC2RouteTablesErrorHandler.common_error_handler("disassociate subnet")
def disassociate(client, association_id):
    client.disassociate_route_table(AssociationId=association_id, aws_retry=True)


# --- validation and planning (no AWS calls) -----------------------------------------------------


def destination_key(dest):
    """The EC2 member a destination CIDR goes in: DestinationCidrBlock or DestinationIpv6CidrBlock."""
    network = ipaddress.ip_network(dest)
    return "DestinationCidrBlock" if network.version == 4 else "DestinationIpv6CidrBlock"


def route_request(route):
    """The CreateRoute/ReplaceRoute members of a wanted route (``{"dest", "gateway_id"|"nat_gateway_id"}``)."""
    [(option, target)] = [(option, route[option]) for option in TARGETS if route.get(option)]
    return {destination_key(route["dest"]): route["dest"], TARGETS[option]: target}


def validate(route_tables, check_mode=False):
    """The wanted tables, normalised (tags carry Name, lists default to []); raises RouteTablesConfigError.

    In check mode the ids of subnets the same run would create are placeholders (the vpc role passes
    ``subnet-checkmode`` for each), so a subnet listed twice is only refused outside check mode.
    """
    wanted = []
    names = {}
    owners = {}
    for index, table in enumerate(route_tables):
        where = f"route_tables[{index}]"
        name = table.get("name")
        if not name:
            raise RouteTablesConfigError(f"{where}.name is required: the route table's Name tag")
        if name in names:
            raise RouteTablesConfigError(
                f"{where}.name: {name} is also route_tables[{names[name]}].name; give each table its own name"
            )
        names[name] = index
        tags = dict(table.get("tags") or {})
        if tags.setdefault("Name", name) != name:
            raise RouteTablesConfigError(
                f"{where}.tags.Name: {tags['Name']} differs from {where}.name {name}; the table is found by its"
                " Name tag, leave tags.Name out or make it equal to name"
            )
        subnets = list(table.get("subnets") or [])
        for position, subnet in enumerate(subnets):
            if not subnet:
                raise RouteTablesConfigError(f"{where}.subnets[{position}] is empty: give a subnet id")
            if subnet in owners and not check_mode:
                raise RouteTablesConfigError(
                    f"{where}.subnets[{position}]: {subnet} is also listed at {owners[subnet]}; a subnet is"
                    " associated with one route table, list it once"
                )
            owners.setdefault(subnet, f"{where}.subnets[{position}]")
        routes = []
        destinations = {}
        for position, route in enumerate(table.get("routes") or []):
            at = f"{where}.routes[{position}]"
            dest = route.get("dest")
            try:
                destination_key(dest or "")
            except ValueError:
                raise RouteTablesConfigError(
                    f"{at}.dest: {dest!r} is not a CIDR block; give one such as 0.0.0.0/0"
                ) from None
            if dest in destinations:
                raise RouteTablesConfigError(
                    f"{at}.dest: {dest} is also {destinations[dest]}.dest; one route per destination"
                )
            destinations[dest] = at
            given = [option for option in TARGETS if route.get(option)]
            if len(given) != 1:
                raise RouteTablesConfigError(
                    f"{at}: give exactly one of gateway_id, nat_gateway_id (got {', '.join(given) or 'none'})"
                )
            routes.append({"dest": dest, given[0]: route[given[0]]})
        wanted.append({"name": name, "tags": tags, "subnets": subnets, "routes": routes})
    return wanted


def tables_by_name(described, names):
    """The described tables whose Name tag is one of ``names``, by name; two tables with one name are refused."""
    found = {}
    for table in described:
        name = boto3_tag_list_to_ansible_dict(table.get("Tags") or []).get("Name")
        if name not in names:
            continue
        if name in found:
            raise RouteTablesConfigError(
                f"route_tables: {found[name]['RouteTableId']} and {table['RouteTableId']} both carry the tag"
                f" Name={name}; delete or rename one of them"
            )
        found[name] = table
    return found


def route_target(route):
    """(member, id) of a described route's target, e.g. ("NatGatewayId", "nat-0123")."""
    for member in REPORTED_TARGETS:
        if route.get(member):
            return member, route[member]
    return None, None


def route_destination(route):
    for member in DESTINATIONS:
        if route.get(member):
            return route[member]
    return route.get("DestinationPrefixListId")


def plan_routes(current_routes, wanted_routes):
    """(to_create, to_replace, to_delete): wanted routes to create or replace, described routes to delete.

    Routes not wanted are deleted when this module's kind of write made them (origin CreateRoute, a CIDR
    destination): the ``local`` route, propagated routes and gateway endpoint routes stay.
    """
    current = {route_destination(route): route for route in current_routes}
    to_create, to_replace = [], []
    for index, route in enumerate(wanted_routes):
        [option] = [option for option in TARGETS if route.get(option)]
        existing = current.get(route["dest"])
        if existing is None:
            to_create.append((index, route))
        elif route_target(existing) != (TARGETS[option], route[option]) or existing.get("State") == "blackhole":
            to_replace.append((index, route))
    wanted = {route["dest"] for route in wanted_routes}
    to_delete = [
        route
        for route in current_routes
        if route.get("Origin") == "CreateRoute"
        and any(route.get(member) for member in DESTINATIONS)
        and route_destination(route) not in wanted
    ]
    return to_create, to_replace, to_delete


def subnet_associations(described):
    """subnet id → (association id, route table id) over every table of the VPC (one table per subnet)."""
    return {
        association["SubnetId"]: (association["RouteTableAssociationId"], table["RouteTableId"])
        for table in described
        for association in table.get("Associations") or []
        if association.get("SubnetId") and not association.get("Main")
    }


def plan(wanted, described, purge_tags=True):
    """One plan per wanted table, in input order; nothing is called.

    Each plan: ``index``, ``name``, ``current`` (the described table or None), ``create``, ``tags``
    (the tags after the run), ``tags_to_set``, ``tags_to_unset``, ``routes_to_create``,
    ``routes_to_replace`` (lists of (index, route)), ``routes_to_delete`` (described routes),
    ``associate`` (subnet ids), ``move`` ((subnet id, association id, from table id)), ``disassociate``
    (described associations), ``keep`` (described associations that stay) and ``changed``.
    A subnet associated with any other table of the VPC moves with ReplaceRouteTableAssociation
    (AWS associates a subnet with one table); one associated with a table of the set but wanted by
    none is disassociated from it.
    """
    found = tables_by_name(described, {table["name"] for table in wanted})
    where = subnet_associations(described)
    wanted_anywhere = {subnet for table in wanted for subnet in table["subnets"]}
    plans = []
    for index, table in enumerate(wanted):
        current = found.get(table["name"])
        current_id = current["RouteTableId"] if current else None
        current_tags = boto3_tag_list_to_ansible_dict(current.get("Tags") or []) if current else {}
        if current is None:
            tags_to_set, tags_to_unset = {}, []
            tags = dict(table["tags"])
        else:
            tags_to_set, tags_to_unset = compare_aws_tags(current_tags, table["tags"], purge_tags)
            tags = {k: v for k, v in current_tags.items() if k not in tags_to_unset}
            tags.update(tags_to_set)
        to_create, to_replace, to_delete = plan_routes(current["Routes"] if current else [], table["routes"])
        associate, move = [], []
        for subnet in dict.fromkeys(table["subnets"]):
            if subnet not in where:
                associate.append(subnet)
            elif where[subnet][1] != current_id:
                move.append((subnet, where[subnet][0], where[subnet][1]))
        keep, drop = [], []
        for association in (current.get("Associations") or []) if current else []:
            subnet = association.get("SubnetId")
            if not subnet or association.get("Main"):
                continue
            if subnet in table["subnets"]:
                keep.append(association)
            elif subnet not in wanted_anywhere:
                drop.append(association)
        step = {
            "index": index,
            "name": table["name"],
            "current": current,
            "create": current is None,
            "tags": tags,
            "tags_to_set": tags_to_set,
            "tags_to_unset": list(tags_to_unset),
            "routes_to_create": to_create,
            "routes_to_replace": to_replace,
            "routes_to_delete": to_delete,
            "associate": associate,
            "move": move,
            "disassociate": drop,
            "keep": keep,
        }
        step["changed"] = bool(
            step["create"]
            or tags_to_set
            or tags_to_unset
            or to_create
            or to_replace
            or to_delete
            or associate
            or move
            or drop
        )
        plans.append(step)
    return plans


def plan_absent(names, described):
    """(name, described table or None) for each name, in order: what state=absent deletes."""
    found = tables_by_name(described, set(names))
    return [(name, found.get(name)) for name in names]


# --- what the module returns --------------------------------------------------------------------


def describe_route(route):
    """A route as the module returns it (amazon.aws's ec2_vpc_route_table keys)."""
    result = {}
    for member, key in (
        ("DestinationCidrBlock", "destination_cidr_block"),
        ("DestinationIpv6CidrBlock", "destination_ipv6_cidr_block"),
        ("DestinationPrefixListId", "destination_prefix_list_id"),
    ):
        if route.get(member):
            result[key] = route[member]
    member, target = route_target(route)
    if member:
        result[_snake(member)] = target
    result["origin"] = route.get("Origin", "CreateRoute")
    result["state"] = route.get("State", "active")
    return result


def written_route(route):
    """The described form of a wanted route once CreateRoute/ReplaceRoute accepted it."""
    request = route_request(route)
    return dict(request, Origin="CreateRoute", State="active")


def routes_after(step):
    """The table's routes after the plan: described ones, less deleted, replaced ones updated, new ones added."""
    replaced = {route["dest"]: route for _, route in step["routes_to_replace"]}
    deleted = {route_destination(route) for route in step["routes_to_delete"]}
    routes = []
    for route in (step["current"] or {}).get("Routes") or []:
        destination = route_destination(route)
        if destination in deleted:
            continue
        routes.append(written_route(replaced[destination]) if destination in replaced else route)
    routes += [written_route(route) for _, route in step["routes_to_create"]]
    return routes


def table_result(step, table_id, vpc_id, associations):
    """The module's entry for one table: what the run wrote (or would write), not a re-read.

    ``step["current"]`` is the described table, or the one CreateRouteTable returned (with its
    ``local`` route); a table check mode would create has only the wanted routes.
    """
    routes = routes_after(step)
    return {
        "id": table_id,
        "route_table_id": table_id,
        "name": step["name"],
        "vpc_id": vpc_id,
        "tags": dict(step["tags"]),
        "routes": [describe_route(route) for route in routes],
        "associations": [
            {
                "route_table_association_id": association_id,
                "route_table_id": table_id,
                "subnet_id": subnet,
                "main": False,
            }
            for subnet, association_id in associations
        ],
    }


def diff_view(table):
    """A table as --diff shows it: tags, routes as ``dest -> target`` and subnets, sorted."""
    if table is None:
        return None
    routes = sorted(f"{_route_destination(route)} -> {_route_target(route)}" for route in table["routes"])
    return {
        "id": table["id"],
        "tags": dict(sorted(table["tags"].items())),
        "routes": routes,
        "subnets": sorted(a["subnet_id"] for a in table["associations"]),
    }


def described_view(table):
    """diff_view of a described table (the state before the run)."""
    return diff_view(
        {
            "id": table["RouteTableId"],
            "tags": boto3_tag_list_to_ansible_dict(table.get("Tags") or []),
            "routes": [describe_route(route) for route in table.get("Routes") or []],
            "associations": [
                {"subnet_id": a["SubnetId"]} for a in table.get("Associations") or [] if a.get("SubnetId")
            ],
        }
    )


def _route_destination(route):
    """The destination of a returned route (describe_route's keys)."""
    for key in ("destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"):
        if route.get(key):
            return route[key]
    return "?"


def _route_target(route):
    """The target id of a returned route (describe_route's keys)."""
    for member in REPORTED_TARGETS:
        if route.get(_snake(member)):
            return route[_snake(member)]
    return "?"


def _snake(member):
    out = []
    for char in member:
        if char.isupper() and out:
            out.append("_")
        out.append(char.lower())
    return "".join(out)
