# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2 subnet calls and the planner of the ec2_vpc_subnets module (every subnet of a VPC in one run).

amazon.aws.ec2_vpc_subnet converges one subnet per process: it describes the subnet again after
each step and waits five seconds between polls. Here one DescribeSubnets (filtered by ``vpc-id``;
the tags come with it) gives the state of the whole list, ``plan`` says per subnet what to create,
tag, untag or modify, and the module makes only those calls.

``client`` is ``PlatformAWSModule.client("ec2")`` (module_utils/retries.py): single calls pass
``aws_retry=True``, the paginated listing retries as a whole (``@retry_listing``), the waiter retries
each poll. AWS errors are raised as AnsibleEC2SubnetsError for the module to report once.

AWS documentation followed:
- CreateSubnet ``TagSpecifications`` (tags from the subnet's first moment, no CreateTags):
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html
- DescribeSubnets filter ``vpc-id``, ``Tags`` in the answer:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html
- ModifySubnetAttribute ``MapPublicIpOnLaunch`` (one attribute per call):
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySubnetAttribute.html
- A subnet's CIDR block and Availability Zone cannot be changed after it is created:
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
"""

from __future__ import annotations

import ipaddress

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    boto3_tag_specifications,
    compare_aws_tags,
)
from ansible_collections.amazon.aws.plugins.module_utils.transformation import camel_dict_to_snake_dict
from ansible_collections.teamf.platform.plugins.module_utils import ec2_tags
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing, wait_fast_first

# botocore's subnet_available delay; wait_fast_first polls after 1, 2, 4 and 8 s before settling on it,
# so a subnet available at once is seen at once.
WAIT_DELAY = 15


class AnsibleEC2SubnetsError(AnsibleAWSError):
    pass


class EC2SubnetsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2SubnetsError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("InvalidSubnetID.NotFound")


# --- AWS calls ----------------------------------------------------------------------------------


@EC2SubnetsErrorHandler.list_error_handler("describe subnets", default_value=[])
@retry_listing
def describe_vpc_subnets(client, vpc_id):
    """Every subnet of ``vpc_id``, as DescribeSubnets answers (tags included)."""
    pages = client.get_paginator("describe_subnets").paginate(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return pages.build_full_result().get("Subnets", [])


@EC2SubnetsErrorHandler.common_error_handler("create subnet")
def create_subnet(client, vpc_id, cidr, az, tags):
    kwargs = dict(VpcId=vpc_id, CidrBlock=cidr)
    if az:
        kwargs["AvailabilityZone"] = az
    if tags:
        kwargs["TagSpecifications"] = boto3_tag_specifications(tags, types="subnet")
    return client.create_subnet(**kwargs, aws_retry=True)["Subnet"]


@EC2SubnetsErrorHandler.common_error_handler("wait for subnets to be available")
def wait_available(client, subnet_ids, timeout):
    wait_fast_first(client.get_waiter("subnet_available"), timeout, WAIT_DELAY, SubnetIds=list(subnet_ids))


tag_subnet = EC2SubnetsErrorHandler.common_error_handler("tag subnet")(ec2_tags.create_tags)
untag_subnet = EC2SubnetsErrorHandler.common_error_handler("untag subnet")(ec2_tags.delete_tags)


@EC2SubnetsErrorHandler.common_error_handler("set MapPublicIpOnLaunch")
def set_map_public(client, subnet_id, value):
    client.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": value}, aws_retry=True)


@EC2SubnetsErrorHandler.deletion_error_handler("delete subnet")
def delete_subnet(client, subnet_id):
    client.delete_subnet(SubnetId=subnet_id, aws_retry=True)
    return True


# --- validation, translation and planning (no AWS calls) ------------------------------------------


def validation_errors(subnets):
    """Messages naming each bad field of ``subnets`` (``subnets[2].cidr``), its value and the fix."""
    errors = []
    seen = {}
    for index, subnet in enumerate(subnets):
        field = f"subnets[{index}].cidr"
        cidr = subnet.get("cidr")
        if not cidr:
            errors.append(f"{field} is missing: give each subnet its IPv4 CIDR block, for example 10.0.1.0/24")
            continue
        try:
            network = ipaddress.IPv4Network(cidr)
        except ValueError as error:
            errors.append(f"{field}={cidr!r} is not an IPv4 network ({error}): give a block like 10.0.1.0/24")
            continue
        if not 16 <= network.prefixlen <= 28:
            errors.append(f"{field}={cidr} is a /{network.prefixlen}: AWS subnets are /16 to /28")
        canonical = str(network)
        if canonical in seen:
            errors.append(f"{field}={cidr} is listed again (first as subnets[{seen[canonical]}].cidr): list it once")
        seen.setdefault(canonical, index)
    return errors


def subnet_info(subnet):
    """A DescribeSubnets/CreateSubnet subnet shaped as amazon.aws.ec2_vpc_subnet returns ``subnet``."""
    info = camel_dict_to_snake_dict(subnet)
    info["tags"] = boto3_tag_list_to_ansible_dict(subnet.get("Tags") or [])
    if "subnet_id" in info:
        info["id"] = info.pop("subnet_id")
    info["ipv6_cidr_block"] = ""
    info["ipv6_association_id"] = ""
    for association in info.get("ipv6_cidr_block_association_set") or []:
        if association.get("ipv6_cidr_block_state", {}).get("state") in ("associated", "associating"):
            info["ipv6_cidr_block"] = association["ipv6_cidr_block"]
            info["ipv6_association_id"] = association["association_id"]
    return info


def by_cidr(subnets):
    """DescribeSubnets subnets keyed by their canonical CIDR block."""
    return {str(ipaddress.IPv4Network(s["CidrBlock"])): s for s in subnets}


def canonical_cidr(cidr):
    return str(ipaddress.IPv4Network(cidr))


def plan(wanted, current, purge_tags):
    """What to do for each of ``wanted`` (the module's ``subnets``), given ``current`` (``by_cidr``).

    Returns one dict per wanted subnet, in order: ``index``, ``cidr``, ``subnet`` (the current AWS
    subnet or None), ``create`` (bool), ``tags_to_set`` (dict), ``tags_to_unset`` (list),
    ``map_public`` (the value to set, or None when it is right). A subnet's tags are left alone when
    its ``tags`` is None. Raises ValueError naming the field when a listed subnet exists in another
    Availability Zone (AWS cannot move a subnet).
    """
    steps = []
    for index, want in enumerate(wanted):
        cidr = canonical_cidr(want["cidr"])
        subnet = current.get(cidr)
        step = dict(index=index, cidr=cidr, subnet=subnet, create=subnet is None, tags_to_set={}, tags_to_unset=[])
        step["map_public"] = None
        if subnet is None:
            step["map_public"] = True if want.get("map_public") else None
            steps.append(step)
            continue
        if want.get("az") and want["az"] != subnet.get("AvailabilityZone"):
            raise ValueError(
                f"subnets[{index}].az={want['az']}: subnet {subnet['SubnetId']} ({cidr}) is in"
                f" {subnet.get('AvailabilityZone')} and AWS cannot move a subnet; delete it first or ask for"
                f" {subnet.get('AvailabilityZone')}"
            )
        if want.get("tags") is not None:
            current_tags = boto3_tag_list_to_ansible_dict(subnet.get("Tags") or [])
            to_set, to_unset = compare_aws_tags(current_tags, want["tags"], purge_tags)
            step["tags_to_set"], step["tags_to_unset"] = to_set, sorted(to_unset)
        if bool(want.get("map_public")) != bool(subnet.get("MapPublicIpOnLaunch")):
            step["map_public"] = bool(want.get("map_public"))
        steps.append(step)
    return steps


def step_changes(step):
    """True when ``step`` (one element of ``plan``) calls AWS."""
    return bool(step["create"] or step["tags_to_set"] or step["tags_to_unset"] or step["map_public"] is not None)


def diff_view(subnet):
    """What the diff shows of one subnet (AWS shape): zone, public IPs, tags."""
    return {
        "availability_zone": subnet.get("AvailabilityZone"),
        "map_public_ip_on_launch": bool(subnet.get("MapPublicIpOnLaunch")),
        "tags": dict(sorted(boto3_tag_list_to_ansible_dict(subnet.get("Tags") or []).items())),
    }


def predicted(step, want, vpc_id):
    """The subnet (AWS shape) ``step`` leaves behind: for check mode and the diff's ``after``."""
    subnet = dict(step["subnet"] or {"CidrBlock": step["cidr"], "VpcId": vpc_id})
    if step["create"]:
        subnet["AvailabilityZone"] = want.get("az")
        subnet["MapPublicIpOnLaunch"] = bool(want.get("map_public"))
        subnet["Tags"] = ansible_dict_to_boto3_tag_list(want.get("tags") or {})
        return subnet
    tags = boto3_tag_list_to_ansible_dict(subnet.get("Tags") or [])
    tags = {k: v for k, v in tags.items() if k not in step["tags_to_unset"]}
    tags.update(step["tags_to_set"])
    subnet["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    if step["map_public"] is not None:
        subnet["MapPublicIpOnLaunch"] = step["map_public"]
    return subnet
