#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ec2_vpc_nat_gateways
short_description: Manage a list of NAT gateways of one VPC, each with its own Elastic IP, in a single run
version_added: 0.4.0
description:
  - Converges every NAT gateway of O(nat_gateways) and its address in one module run, where amazon.aws
    needs M(amazon.aws.ec2_eip_info), then a loop over M(amazon.aws.ec2_eip) and another over
    M(amazon.aws.ec2_vpc_nat_gateway), one process per gateway and per address.
  - Reads the VPC's live NAT gateways once (C(DescribeNatGateways) filtered by C(vpc-id) and state)
    and the account's VPC addresses once (C(DescribeAddresses)); allocates a missing address and
    creates a missing gateway with their tags in the same call (C(TagSpecifications)); changes tags
    by difference; waits only for gateways that are not C(available) yet.
  - Gateways and addresses are identified by their C(Name) tag (O(nat_gateways[].name)). A gateway
    without a C(Name) tag in a listed subnet is adopted and tagged. A free address carrying a
    gateway's name (left by a run interrupted before C(CreateNatGateway)) is reused, never a second one
    allocated.
  - Gateways of the VPC that O(nat_gateways) does not list are left alone.
  - O(state=absent) deletes the listed gateways that exist, waits for them to be deleted, then releases
    their addresses.
author: teamf platform engineers (@teamf)
options:
  vpc_id:
    description: The VPC the gateways belong to.
    type: str
    required: true
  nat_gateways:
    description: The NAT gateways, each identified by its name.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The C(Name) tag of the gateway and of its Elastic IP.
          - Every gateway needs one; a missing one is named by its position
            (C(nat_gateways[1].name is missing)) before any AWS call.
        type: str
      subnet_id:
        description:
          - The public subnet the gateway sits in; one gateway per subnet.
          - A gateway that exists in another subnet fails the run before any change (AWS cannot move
            a NAT gateway).
        type: str
      tags:
        description: Tags of the gateway and of its address, besides C(Name).
        type: dict
  purge_tags:
    description: Remove tags that O(nat_gateways[].tags) does not list.
    type: bool
    default: true
  state:
    description:
      - V(present) creates and updates the listed gateways.
      - V(absent) deletes them and releases their addresses.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait for the gateways to be C(available) (or deleted, with O(state=absent)).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
notes:
  - Supports check mode and diff mode. In check mode nothing is allocated, created, tagged or deleted,
    and a gateway that would be created is returned with an empty C(nat_gateway_id).
  - The diff shows, per gateway name, its subnet, public IP and tags before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: One NAT gateway per zone, in the public subnets
  teamf.platform.ec2_vpc_nat_gateways:
    vpc_id: "{{ vpc_id }}"
    nat_gateways:
      - name: dev-nat-a
        subnet_id: "{{ public_subnet_ids.a }}"
        tags: {Environment: dev}
      - name: dev-nat-b
        subnet_id: "{{ public_subnet_ids.b }}"
        tags: {Environment: dev}
  register: nat

- name: Their ids by name
  ansible.builtin.debug:
    msg: "{{ nat.nat_gateway_ids }}"

- name: Delete them and release their addresses
  teamf.platform.ec2_vpc_nat_gateways:
    vpc_id: "{{ vpc_id }}"
    nat_gateways:
      - {name: dev-nat-a, subnet_id: "{{ public_subnet_ids.a }}"}
      - {name: dev-nat-b, subnet_id: "{{ public_subnet_ids.b }}"}
    state: absent
"""

RETURN = r"""
nat_gateways:
  description:
    - The gateways of O(nat_gateways), in the same order.
    - In check mode a gateway that would be created has an empty C(nat_gateway_id), C(state) and C(public_ip).
  returned: when O(state=present)
  type: list
  elements: dict
  contains:
    name:
      description: The C(Name) tag.
      type: str
      sample: dev-nat-a
    nat_gateway_id:
      description: NAT gateway id.
      type: str
      sample: nat-0e9f1a2b3c4d5e6f7
    subnet_id:
      description: The subnet it sits in.
      type: str
    state:
      description: C(available) once usable (C(pending) when O(wait=false) and still starting).
      type: str
    allocation_id:
      description: Allocation id of its Elastic IP.
      type: str
    public_ip:
      description: Its public IPv4 address.
      type: str
      sample: 3.36.10.20
    tags:
      description: Tags of the gateway, as a dict.
      type: dict
nat_gateway_ids:
  description: Gateway id by name (empty for a gateway check mode only predicts).
  returned: when O(state=present)
  type: dict
  sample: {dev-nat-a: nat-0e9f1a2b3c4d5e6f7}
deleted:
  description: Ids of the gateways deleted (or that would be, in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
released:
  description: Allocation ids of the addresses released (or that would be, in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.teamf.platform.plugins.module_utils.ec2_nat_gateways import (
    allocate_address,
    create_nat_gateway,
    delete_nat_gateway,
    describe_vpc_addresses,
    describe_vpc_nat_gateways,
    diff_view,
    gateway_info,
    match,
    plan,
    release_address,
    step_changes,
    tag_resource,
    untag_resource,
    validation_errors,
    wait_available,
    wait_deleted,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule
from ansible_collections.teamf.platform.plugins.module_utils.set_manager import VpcSetManager


class NatGatewaysManager(VpcSetManager):
    items = "nat_gateways"

    def current(self):
        gateways = describe_vpc_nat_gateways(self.client, self.vpc_id)
        return match(self.wanted, gateways, describe_vpc_addresses(self.client))

    def ensure_present(self, pairs):
        steps = []
        for index, want in enumerate(self.wanted):
            gateway, address = pairs[index]
            step = plan(want, gateway, address, self.params["purge_tags"])
            if step["moved"]:
                self.module.fail_json(
                    msg=f"nat_gateways[{index}].subnet_id={want['subnet_id']}: NAT gateway {gateway['NatGatewayId']}"
                    f" ({want['name']}) is in {step['moved']} and AWS cannot move a NAT gateway; delete it first or"
                    " ask for its subnet"
                )
            steps.append(step)
            tags = dict(want.get("tags") or {}, Name=want["name"])
            if gateway is not None:
                self.before[want["name"]] = diff_view(gateway, address)
            self.after[want["name"]] = diff_view(gateway or {"SubnetId": want["subnet_id"]}, address, tags)
        self.result["changed"] = any(step_changes(step) for step in steps)
        waiting = [g["NatGatewayId"] for g, _ in pairs if g is not None and g.get("State") == "pending"]
        if self.module.check_mode:
            self.publish(pairs)
            return

        for index, want in enumerate(self.wanted):
            step, (gateway, address) = steps[index], pairs[index]
            tags = dict(want.get("tags") or {}, Name=want["name"])
            self.field = f"nat_gateways[{index}] {want['name']}"
            if step["allocate"]:
                address = allocate_address(self.client, tags)
            if step["create"]:
                self.field = f"nat_gateways[{index}].subnet_id {want['subnet_id']}"
                token = f"{want['name']}-{address['AllocationId']}"[-64:]
                gateway = create_nat_gateway(self.client, want["subnet_id"], address["AllocationId"], tags, token)
                waiting.append(gateway["NatGatewayId"])
            self.field = f"nat_gateways[{index}].tags"
            for resource_id, (to_set, to_unset) in (
                (gateway["NatGatewayId"], step["nat_tags"]),
                (address["AllocationId"] if address else None, step["address_tags"]),
            ):
                if resource_id and to_unset:
                    untag_resource(self.client, resource_id, to_unset)
                if resource_id and to_set:
                    tag_resource(self.client, resource_id, to_set)
            pairs[index] = (gateway, address)
        if waiting and self.params["wait"]:
            self.field = "nat_gateways (waiting for them to be available)"
            wait_available(self.client, waiting, self.params["wait_timeout"])
        if self.result["changed"] or waiting:
            # One more read returns the gateways as AWS now has them (state, addresses, tags).
            self.field = "vpc_id"
            gateways = describe_vpc_nat_gateways(self.client, self.vpc_id)
            pairs = match(self.wanted, gateways, describe_vpc_addresses(self.client))
        self.publish(pairs)

    def publish(self, pairs):
        infos = [gateway_info(want, *pairs[index]) for index, want in enumerate(self.wanted)]
        self.result["nat_gateways"] = infos
        self.result["nat_gateway_ids"] = {info["name"]: info["nat_gateway_id"] for info in infos}

    def ensure_absent(self, pairs):
        doomed = [(index, gateway) for index, (gateway, _) in enumerate(pairs) if gateway is not None]
        released = [address["AllocationId"] for _, address in pairs if address is not None]
        for index, gateway in doomed:
            self.before[self.wanted[index]["name"]] = diff_view(gateway, pairs[index][1])
        self.result["changed"] = bool(doomed or released)
        self.result["deleted"] = [gateway["NatGatewayId"] for _, gateway in doomed]
        self.result["released"] = released
        if self.module.check_mode:
            return
        for index, gateway in doomed:
            self.field = f"nat_gateways[{index}] {self.wanted[index]['name']}"
            delete_nat_gateway(self.client, gateway["NatGatewayId"])
        if doomed:
            # An address is released once its gateway is gone; AWS refuses while it is associated.
            self.field = "nat_gateways (waiting for them to be deleted)"
            wait_deleted(self.client, self.result["deleted"], self.params["wait_timeout"])
        for allocation_id in released:
            self.field = f"nat_gateways address {allocation_id}"
            release_address(self.client, allocation_id)


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        nat_gateways=dict(
            type="list",
            elements="dict",
            required=True,
            # name and subnet_id are checked by validation_errors, whose message names the element.
            options=dict(name=dict(type="str"), subnet_id=dict(type="str"), tags=dict(type="dict")),
        ),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    NatGatewaysManager(module, module.client("ec2")).run(validation_errors(module.params["nat_gateways"]))


if __name__ == "__main__":
    main()
