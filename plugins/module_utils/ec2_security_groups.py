# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2 security group calls and the planner of the ec2_security_groups module (a set of groups in one run).

amazon.aws.ec2_security_group converges one group per process, describes it again after each step
and sleeps after a create; a set of groups that reference each other needs several tasks in order.
Here one DescribeSecurityGroups (filtered by ``vpc-id`` and the listed ``group-name``s; rules and tags
come with it) gives the state of the whole set, the missing groups are created first (so a rule can
name any group of the set), and ``plan`` says per group which ingress permissions to authorize, revoke
or re-describe and which tags to set or unset.

Rules are compared as AWS keeps them: one rule per protocol, port range and source (a CIDR block or a
security group). ``IpPermissions`` groups several sources under one protocol and port range;
``flatten`` takes them apart, ``permission`` builds the one-source permission a call sends.

``client`` is ``PlatformAWSModule.client("ec2")`` (module_utils/retries.py): single calls pass
``aws_retry=True``, the paginated listing retries as a whole (``@retry_listing``). AWS errors are
raised as AnsibleEC2SecurityGroupsError for the module to report once.

AWS documentation followed:
- CreateSecurityGroup ``TagSpecifications``; a group's description cannot be changed; names may not
  start with ``sg-``: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
- DescribeSecurityGroups filters ``vpc-id``, ``group-name``:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html
- IpPermission (``IpProtocol`` ``tcp``/``udp``/``icmp``/``-1``; ``FromPort``/``ToPort`` are the ICMP type and
  code for ICMP, -1 for all; ports are omitted for ``-1``):
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
- AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress, UpdateSecurityGroupRuleDescriptionsIngress:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UpdateSecurityGroupRuleDescriptionsIngress.html
- A new group's default egress rule allows all traffic:
  https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
- Eventual consistency of the EC2 API (a resource just created may not be found yet):
  https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
"""

from __future__ import annotations

import ipaddress
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    boto3_tag_list_to_ansible_dict,
    boto3_tag_specifications,
    compare_aws_tags,
)
from ansible_collections.teamf.platform.plugins.module_utils import ec2_tags
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing

try:
    from botocore.exceptions import ClientError
except ImportError:  # AnsibleAWSModule reports the missing botocore
    ClientError = type("NeverRaised", (Exception,), {})

PROTOCOLS = ("tcp", "udp", "icmp", "-1")
# The id a group of the list stands for while it does not exist (check mode): no AWS id looks like it.
PLANNED = "planned:"
# A group just created can be unknown to the next call for a moment (eventual consistency): calls on
# it are tried again after these pauses when EC2 answers InvalidGroup.NotFound.
NOT_FOUND_PAUSES = (1, 2, 4, 8)


class AnsibleEC2SecurityGroupsError(AnsibleAWSError):
    pass


class EC2SecurityGroupsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2SecurityGroupsError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("InvalidGroup.NotFound")


# --- AWS calls ----------------------------------------------------------------------------------


@EC2SecurityGroupsErrorHandler.list_error_handler("describe security groups", default_value=[])
@retry_listing
def describe_groups(client, vpc_id, names):
    """The groups of ``vpc_id`` named in ``names``, as DescribeSecurityGroups answers (rules and tags included)."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": sorted(names)}]
    pages = client.get_paginator("describe_security_groups").paginate(Filters=filters)
    return pages.build_full_result().get("SecurityGroups", [])


def _while_not_found(call, group_id, fresh, sleep=time.sleep):
    """``call()``, tried again after NOT_FOUND_PAUSES while EC2 does not know the ``fresh`` group
    ``group_id`` yet (InvalidGroup.NotFound naming it; naming another group, the request is wrong)."""
    for pause in NOT_FOUND_PAUSES if fresh else ():
        try:
            return call()
        except ClientError as error:
            details = error.response.get("Error", {})
            if details.get("Code") != "InvalidGroup.NotFound" or group_id not in (details.get("Message") or ""):
                raise
        sleep(pause)
    return call()


@EC2SecurityGroupsErrorHandler.common_error_handler("create security group")
def create_group(client, vpc_id, name, description, tags):
    kwargs = dict(VpcId=vpc_id, GroupName=name, Description=description)
    if tags:
        kwargs["TagSpecifications"] = boto3_tag_specifications(tags, types="security-group")
    return client.create_security_group(**kwargs, aws_retry=True)["GroupId"]


@EC2SecurityGroupsErrorHandler.common_error_handler("authorize security group ingress")
def authorize_ingress(client, group_id, permissions, fresh=False):
    _while_not_found(
        lambda: client.authorize_security_group_ingress(GroupId=group_id, IpPermissions=permissions, aws_retry=True),
        group_id,
        fresh,
    )


@EC2SecurityGroupsErrorHandler.common_error_handler("revoke security group ingress")
def revoke_ingress(client, group_id, permissions):
    client.revoke_security_group_ingress(GroupId=group_id, IpPermissions=permissions, aws_retry=True)


@EC2SecurityGroupsErrorHandler.common_error_handler("revoke security group egress")
def revoke_egress(client, group_id, permissions):
    client.revoke_security_group_egress(GroupId=group_id, IpPermissions=permissions, aws_retry=True)


@EC2SecurityGroupsErrorHandler.common_error_handler("update security group rule descriptions")
def update_descriptions(client, group_id, permissions):
    client.update_security_group_rule_descriptions_ingress(GroupId=group_id, IpPermissions=permissions, aws_retry=True)


tag_group = EC2SecurityGroupsErrorHandler.common_error_handler("tag security group")(ec2_tags.create_tags)

untag_group = EC2SecurityGroupsErrorHandler.common_error_handler("untag security group")(ec2_tags.delete_tags)


@EC2SecurityGroupsErrorHandler.deletion_error_handler("delete security group")
def delete_group(client, group_id):
    client.delete_security_group(GroupId=group_id, aws_retry=True)
    return True


# --- validation and translation (no AWS calls) ---------------------------------------------------


def _port_range(proto, port):
    """(from, to) of one ``ports`` entry (an int or a "from-to" string); ValueError saying why not."""
    if isinstance(port, bool):
        raise ValueError("is not a port")
    if isinstance(port, int):
        low, high = port, (-1 if proto == "icmp" else port)
    else:
        text = str(port).strip()
        low_text, dash, high_text = text.partition("-")
        try:
            low = int(low_text)
            high = int(high_text) if dash else (-1 if proto == "icmp" else low)
        except ValueError:
            raise ValueError("is neither a port nor a range like 8000-8099") from None
    if proto == "icmp":
        if not (-1 <= low <= 255 and -1 <= high <= 255):
            raise ValueError("is not an ICMP type-code pair (each -1 to 255)")
        return low, high
    if not (0 <= low <= 65535 and 0 <= high <= 65535):
        raise ValueError("is outside 0-65535")
    if low > high:
        raise ValueError("starts above its end")
    return low, high


def validation_errors(groups):
    """Messages naming each bad field of ``groups`` (``groups[2].ingress[0].group``), its value and the fix."""
    errors = []
    names = {}
    for index, group in enumerate(groups):
        name = group.get("name")
        if not name:
            errors.append(f"groups[{index}].name is missing: give each group its name")
            continue
        if name.lower().startswith("sg-"):
            errors.append(f"groups[{index}].name={name}: AWS refuses names starting with sg- (they read as ids)")
        if name in names:
            errors.append(
                f"groups[{index}].name={name} is listed again (first as groups[{names[name]}].name): list it once"
            )
        names.setdefault(name, index)
    for index, group in enumerate(groups):
        if not group.get("description"):
            errors.append(f"groups[{index}].description is missing: AWS needs one for every group")
        for number, rule in enumerate(group.get("ingress") or []):
            field = f"groups[{index}].ingress[{number}]"
            proto = rule.get("proto")
            if proto not in PROTOCOLS:
                errors.append(f"{field}.proto={proto!r} is not one of {', '.join(PROTOCOLS)}")
                continue
            ports = rule.get("ports") or []
            if proto == "-1" and ports:
                errors.append(f"{field}.ports: proto -1 means every protocol and port; leave ports out")
            if proto in ("tcp", "udp") and not ports:
                errors.append(f"{field}.ports is missing: give the ports of {proto} (0-65535 for all)")
            for slot, port in enumerate(ports):
                try:
                    _port_range(proto, port)
                except ValueError as error:
                    errors.append(f"{field}.ports[{slot}]={port!r} {error}")
            cidrs, source = rule.get("cidr_ip"), rule.get("group")
            if bool(cidrs) == bool(source):
                errors.append(f"{field}: give exactly one of cidr_ip (CIDR blocks) or group (a group's name or id)")
            for slot, cidr in enumerate(cidrs or []):
                try:
                    ipaddress.IPv4Network(cidr)
                except ValueError as error:
                    errors.append(
                        f"{field}.cidr_ip[{slot}]={cidr!r} is not an IPv4 network ({error}): like 10.0.0.0/16"
                    )
            if source and not source.startswith("sg-") and source not in names:
                listed = ", ".join(names) or "none"
                errors.append(f"{field}.group={source} is neither a group of this list ({listed}) nor an sg- id")
    return errors


def planned_id(name):
    return PLANNED + name


def rule_key(proto, low, high, kind, source):
    """The identity of one rule as AWS keeps it: protocol, port range and one source."""
    if proto == "-1":
        low = high = None
    return (proto, low, high, kind, source)


def wanted_rules(group, ids, origins=None):
    """{rule_key: description} of one input group; ``ids`` maps the list's names to group ids (``planned_id``
    for one not created yet, in check mode). ``origins``, when given, receives rule_key → the index of
    the ``ingress`` entry it comes from."""
    rules = {}
    for number, rule in enumerate(group.get("ingress") or []):
        proto = rule["proto"]
        ranges = [_port_range(proto, port) for port in rule.get("ports") or []] or [(-1, -1)]
        if rule.get("cidr_ip"):
            sources = [("cidr", str(ipaddress.IPv4Network(cidr))) for cidr in rule["cidr_ip"]]
        else:
            source = rule["group"]
            sources = [("group", source if source.startswith("sg-") else ids[source])]
        for low, high in ranges:
            for kind, source in sources:
                key = rule_key(proto, low, high, kind, source)
                rules[key] = rule.get("description") or ""
                if origins is not None:
                    origins.setdefault(key, number)
    return rules


def flatten(permissions):
    """{rule_key: description} of DescribeSecurityGroups ``IpPermissions`` (IPv4 CIDRs and groups;
    IPv6 ranges and prefix lists are kept under their own kinds so that purging sees them)."""
    rules = {}
    for permission in permissions or []:
        proto = str(permission.get("IpProtocol"))
        low, high = permission.get("FromPort"), permission.get("ToPort")
        for item in permission.get("IpRanges") or []:
            rules[rule_key(proto, low, high, "cidr", item["CidrIp"])] = item.get("Description") or ""
        for item in permission.get("Ipv6Ranges") or []:
            rules[rule_key(proto, low, high, "cidr_ipv6", item["CidrIpv6"])] = item.get("Description") or ""
        for item in permission.get("PrefixListIds") or []:
            rules[rule_key(proto, low, high, "prefix_list", item["PrefixListId"])] = item.get("Description") or ""
        for item in permission.get("UserIdGroupPairs") or []:
            rules[rule_key(proto, low, high, "group", item["GroupId"])] = item.get("Description") or ""
    return rules


SOURCE_FIELDS = {
    "cidr": ("IpRanges", "CidrIp"),
    "cidr_ipv6": ("Ipv6Ranges", "CidrIpv6"),
    "prefix_list": ("PrefixListIds", "PrefixListId"),
    "group": ("UserIdGroupPairs", "GroupId"),
}


def permission(key, description=None):
    """The one-source IpPermission of ``key``, with ``description`` when given (not for revokes)."""
    proto, low, high, kind, source = key
    entry = {SOURCE_FIELDS[kind][1]: source}
    if description:
        entry["Description"] = description
    result = {"IpProtocol": proto, SOURCE_FIELDS[kind][0]: [entry]}
    if proto != "-1":
        result["FromPort"], result["ToPort"] = low, high
    return result


def rule_view(key, description, names_by_id):
    """One rule as the module returns it (and the diff shows it)."""
    proto, low, high, kind, source = key
    view = {"proto": proto, "from_port": low, "to_port": high}
    if kind == "group":
        # A group of the list that check mode did not create is known by a placeholder (planned_id).
        view["group_id"] = "" if source.startswith(PLANNED) else source
        view["group"] = names_by_id.get(source, source)
    else:
        view[{"cidr": "cidr_ip", "cidr_ipv6": "cidr_ipv6", "prefix_list": "prefix_list_id"}[kind]] = source
    view["description"] = description
    return view


def _sort_key(item):
    proto, low, high, kind, source = item[0]
    return (proto, -2 if low is None else low, -2 if high is None else high, kind, source)


def rules_view(rules, names_by_id):
    return [rule_view(key, description, names_by_id) for key, description in sorted(rules.items(), key=_sort_key)]


# --- planning (no AWS calls) ----------------------------------------------------------------------


def plan(wanted, current, ids, purge_tags):
    """What to do for each of ``wanted`` (the module's ``groups``), given ``current`` (by name).

    ``ids`` maps every listed name to its group id (``planned_id`` for a group not created yet). Returns one dict
    per wanted group, in order: ``index``, ``name``, ``group`` (the current AWS group or None),
    ``create``, ``authorize`` / ``revoke`` (lists of rule keys), ``describe`` (rule key → new
    description), ``tags_to_set`` (dict), ``tags_to_unset`` (list), ``rules`` (the wanted rules) and
    ``origins`` (rule key → index of the ``ingress`` entry that asks for it, for error messages).
    A group's tags are left alone when its ``tags`` is None. Raises ValueError naming the field when
    a listed group exists with another description (AWS cannot change it).
    """
    steps = []
    for index, want in enumerate(wanted):
        group = current.get(want["name"])
        origins = {}
        rules = wanted_rules(want, ids, origins)
        step = dict(index=index, name=want["name"], group=group, create=group is None, rules=rules, origins=origins)
        step.update(tags_to_set={}, tags_to_unset=[], describe={})
        if group is None:
            step["authorize"], step["revoke"] = sorted(rules, key=lambda k: _sort_key((k, ""))), []
            steps.append(step)
            continue
        if want["description"] != group.get("Description"):
            raise ValueError(
                f"groups[{index}].description={want['description']!r}: group {group['GroupId']} ({want['name']}) is"
                f" described {group.get('Description')!r} and AWS cannot change a group's description; give that"
                " one, or delete the group first"
            )
        have = flatten(group.get("IpPermissions"))
        step["authorize"] = sorted((k for k in rules if k not in have), key=lambda k: _sort_key((k, "")))
        step["revoke"] = sorted((k for k in have if k not in rules), key=lambda k: _sort_key((k, "")))
        step["describe"] = {k: d for k, d in rules.items() if k in have and have[k] != d}
        if want.get("tags") is not None:
            current_tags = boto3_tag_list_to_ansible_dict(group.get("Tags") or [])
            to_set, to_unset = compare_aws_tags(current_tags, want["tags"], purge_tags)
            step["tags_to_set"], step["tags_to_unset"] = to_set, sorted(to_unset)
        steps.append(step)
    return steps


def step_changes(step):
    """True when ``step`` (one element of ``plan``) calls AWS."""
    return bool(
        step["create"]
        or step["authorize"]
        or step["revoke"]
        or step["describe"]
        or step["tags_to_set"]
        or step["tags_to_unset"]
    )


def group_view(group, names_by_id):
    """What the module returns (and the diff shows) of one AWS group: its normalised ingress and tags."""
    return {
        "name": group["GroupName"],
        "group_id": group.get("GroupId", ""),
        "vpc_id": group.get("VpcId"),
        "description": group.get("Description"),
        "tags": dict(sorted(boto3_tag_list_to_ansible_dict(group.get("Tags") or []).items())),
        "ingress": rules_view(flatten(group.get("IpPermissions")), names_by_id),
    }


def predicted(step, want, vpc_id, names_by_id):
    """The group ``step`` leaves behind, shaped like ``group_view``: for check mode and the diff's ``after``."""
    group = step["group"] or {}
    tags = boto3_tag_list_to_ansible_dict(group.get("Tags") or [])
    if step["create"]:
        tags = dict(want.get("tags") or {})
    else:
        tags = {k: v for k, v in tags.items() if k not in step["tags_to_unset"]}
        tags.update(step["tags_to_set"])
    return {
        "name": want["name"],
        "group_id": group.get("GroupId", ""),
        "vpc_id": vpc_id,
        "description": want["description"],
        "tags": dict(sorted(tags.items())),
        "ingress": rules_view(step["rules"], names_by_id),
    }


def diff_view(view):
    """The diff's entry of one group (``group_view``/``predicted`` shape), without what cannot change."""
    return {key: view[key] for key in ("description", "tags", "ingress")}


def cross_references(groups):
    """Per doomed group id, the ingress and egress permissions (one source each) that reference one of
    ``groups`` (AWS shape): revoked first, so that deleting a group another listed one names works."""
    doomed = {group["GroupId"] for group in groups}
    revokes = {}
    for group in groups:
        ingress = [permission(k) for k in flatten(group.get("IpPermissions")) if k[3] == "group" and k[4] in doomed]
        egress = [
            permission(k) for k in flatten(group.get("IpPermissionsEgress")) if k[3] == "group" and k[4] in doomed
        ]
        if ingress or egress:
            revokes[group["GroupId"]] = (ingress, egress)
    return revokes
