# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2 NAT gateway and Elastic IP calls and the planner of the ec2_vpc_nat_gateways module.

amazon.aws converges one NAT gateway per process (``ec2_vpc_nat_gateway``), and its address in
another (``ec2_eip``), after a third module looked the addresses up by tag. Here one
DescribeNatGateways (filtered by ``vpc-id`` and the live states) and one DescribeAddresses (filtered
by the gateways' ``Name`` tags) give the state of the whole list; ``plan`` says per gateway what to
allocate, create, tag or untag; only those calls are made, and the module waits only for gateways
that are not ``available`` yet.

Gateways and addresses are found by their ``Name`` tag, which AllocateAddress and CreateNatGateway
set in the same call (``TagSpecifications``), so a run killed between two calls leaves nothing a
rerun cannot find: an address without its gateway is reused, a gateway still ``pending`` is waited
for. A gateway without a ``Name`` tag in the listed subnet (made by hand, or by an older release) is
adopted and tagged rather than doubled.

``client`` is ``PlatformAWSModule.client("ec2")`` (module_utils/retries.py): single calls pass
``aws_retry=True``, listings retry as a whole (``@retry_listing``), the waiters retry each poll.

AWS documentation followed:
- CreateNatGateway (``AllocationId``, ``TagSpecifications``, ``ClientToken``):
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNatGateway.html
- NAT gateway states (pending, failed, available, deleting, deleted):
  https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html
- AllocateAddress ``TagSpecifications`` (resource type ``elastic-ip``), ReleaseAddress:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AllocateAddress.html
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    boto3_tag_specifications,
    compare_aws_tags,
)
from ansible_collections.teamf.platform.plugins.module_utils import ec2_tags
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing, wait_fast_first

# botocore's nat_gateway_available delay; wait_fast_first polls after 1, 2, 4 and 8 s first.
WAIT_DELAY = 15
LIVE_STATES = ["pending", "available"]


class AnsibleEC2NatGatewaysError(AnsibleAWSError):
    pass


class EC2NatGatewaysErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2NatGatewaysError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["NatGatewayNotFound", "InvalidAllocationID.NotFound"])


# --- AWS calls ----------------------------------------------------------------------------------


@EC2NatGatewaysErrorHandler.list_error_handler("describe NAT gateways", default_value=[])
@retry_listing
def describe_vpc_nat_gateways(client, vpc_id):
    """The VPC's NAT gateways that are pending or available (deleted ones stay listed for an hour)."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "state", "Values": LIVE_STATES}]
    return client.get_paginator("describe_nat_gateways").paginate(Filter=filters).build_full_result()["NatGateways"]


@EC2NatGatewaysErrorHandler.list_error_handler("describe addresses", default_value=[])
def describe_vpc_addresses(client):
    """The account's VPC Elastic IPs, tags included (DescribeAddresses is not paginated)."""
    filters = [{"Name": "domain", "Values": ["vpc"]}]
    return client.describe_addresses(Filters=filters, aws_retry=True)["Addresses"]


@EC2NatGatewaysErrorHandler.common_error_handler("allocate address")
def allocate_address(client, tags):
    answer = client.allocate_address(
        Domain="vpc", TagSpecifications=boto3_tag_specifications(tags, types="elastic-ip"), aws_retry=True
    )
    return {
        "AllocationId": answer["AllocationId"],
        "PublicIp": answer["PublicIp"],
        "Tags": ansible_dict_to_boto3_tag_list(tags),
    }


@EC2NatGatewaysErrorHandler.common_error_handler("create NAT gateway")
def create_nat_gateway(client, subnet_id, allocation_id, tags, token):
    return client.create_nat_gateway(
        SubnetId=subnet_id,
        AllocationId=allocation_id,
        TagSpecifications=boto3_tag_specifications(tags, types="natgateway"),
        ClientToken=token,
        aws_retry=True,
    )["NatGateway"]


@EC2NatGatewaysErrorHandler.common_error_handler("wait for NAT gateways")
def wait_available(client, nat_gateway_ids, timeout):
    wait_fast_first(
        client.get_waiter("nat_gateway_available"), timeout, WAIT_DELAY, NatGatewayIds=list(nat_gateway_ids)
    )


@EC2NatGatewaysErrorHandler.common_error_handler("delete NAT gateway")
def delete_nat_gateway(client, nat_gateway_id):
    client.delete_nat_gateway(NatGatewayId=nat_gateway_id, aws_retry=True)


@EC2NatGatewaysErrorHandler.common_error_handler("wait for NAT gateways to be deleted")
def wait_deleted(client, nat_gateway_ids, timeout):
    wait_fast_first(client.get_waiter("nat_gateway_deleted"), timeout, WAIT_DELAY, NatGatewayIds=list(nat_gateway_ids))


@EC2NatGatewaysErrorHandler.common_error_handler("release address")
def release_address(client, allocation_id):
    client.release_address(AllocationId=allocation_id, aws_retry=True)


tag_resource = EC2NatGatewaysErrorHandler.common_error_handler("tag")(ec2_tags.create_tags)
untag_resource = EC2NatGatewaysErrorHandler.common_error_handler("untag")(ec2_tags.delete_tags)


# --- planning -----------------------------------------------------------------------------------


def tags_of(resource):
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def validation_errors(gateways):
    """Messages naming each bad entry of the module's ``nat_gateways``, before any AWS call."""
    errors, names, subnets = [], {}, {}
    for index, gateway in enumerate(gateways):
        for key in ("name", "subnet_id"):
            if not gateway.get(key):
                errors.append(f"nat_gateways[{index}].{key} is missing")
        name, subnet = gateway.get("name"), gateway.get("subnet_id")
        if name and name in names:
            errors.append(f"nat_gateways[{index}].name={name} is listed again (first as nat_gateways[{names[name]}])")
        if subnet and subnet in subnets:
            errors.append(
                f"nat_gateways[{index}].subnet_id={subnet} is listed again (first as nat_gateways[{subnets[subnet]}]):"
                " one NAT gateway per public subnet"
            )
        names.setdefault(name, index)
        subnets.setdefault(subnet, index)
    return errors


def match(wanted, gateways, addresses):
    """Pair each wanted gateway with its current NAT gateway and address (either may be None).

    A gateway is found by its ``Name`` tag, else (unnamed, in the wanted subnet) adopted; its address
    is the one it uses, else the free address carrying its name.
    """
    by_name = {tags_of(g).get("Name"): g for g in gateways if tags_of(g).get("Name")}
    unnamed = {g["SubnetId"]: g for g in gateways if not tags_of(g).get("Name")}
    addresses_by_name = {tags_of(a).get("Name"): a for a in addresses}
    by_allocation = {a["AllocationId"]: dict(a, Tags=a.get("Tags") or []) for a in addresses}
    pairs = []
    for want in wanted:
        gateway = by_name.get(want["name"]) or unnamed.get(want["subnet_id"])
        address = None
        if gateway is not None:
            allocation = next((a.get("AllocationId") for a in gateway.get("NatGatewayAddresses", [])), None)
            address = by_allocation.get(allocation) or (
                {"AllocationId": allocation, "PublicIp": _public_ip(gateway), "Tags": None} if allocation else None
            )
        else:
            address = addresses_by_name.get(want["name"])
            if address is not None and address.get("AssociationId"):
                address = None  # in use by something else: never take it over
        pairs.append((gateway, address))
    return pairs


def _public_ip(gateway):
    return next((a.get("PublicIp") for a in gateway.get("NatGatewayAddresses", [])), None)


def plan(want, gateway, address, purge_tags):
    """What to do for one wanted gateway: dict(allocate, create, moved, nat_tags, address_tags).

    ``nat_tags`` and ``address_tags`` are (to_set, to_unset) for an existing resource; ``moved`` is the
    subnet the existing gateway sits in when it is not the wanted one (AWS cannot move a gateway).
    """
    tags = dict(want.get("tags") or {}, Name=want["name"])
    step = dict(allocate=address is None and gateway is None, create=gateway is None, moved=None)
    step["nat_tags"] = ({}, [])
    step["address_tags"] = ({}, [])
    if gateway is not None:
        if gateway["SubnetId"] != want["subnet_id"]:
            step["moved"] = gateway["SubnetId"]
        step["nat_tags"] = compare_aws_tags(tags_of(gateway), tags, purge_tags)
    if address is not None and address.get("Tags") is not None:
        step["address_tags"] = compare_aws_tags(tags_of(address), tags, purge_tags)
    return step


def step_changes(step):
    return bool(step["allocate"] or step["create"] or any(step["nat_tags"]) or any(step["address_tags"]))


def gateway_info(want, gateway, address):
    """One entry of the module's ``nat_gateways``: what AWS has, or predicts, for ``want``."""
    gateway = gateway or {}
    address = address or {}
    return {
        "name": want["name"],
        "nat_gateway_id": gateway.get("NatGatewayId", ""),
        "subnet_id": gateway.get("SubnetId", want["subnet_id"]),
        "state": gateway.get("State", ""),
        "allocation_id": address.get("AllocationId", ""),
        "public_ip": address.get("PublicIp") or _public_ip(gateway) or "",
        "tags": tags_of(gateway) if gateway else dict(want.get("tags") or {}, Name=want["name"]),
    }


def diff_view(gateway, address, tags=None):
    return {
        "subnet_id": (gateway or {}).get("SubnetId"),
        "public_ip": (address or {}).get("PublicIp") or _public_ip(gateway or {}),
        "tags": tags if tags is not None else tags_of(gateway or {}),
    }
