#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ec2_vpc_subnets
short_description: Manage a list of subnets of one VPC in a single run
version_added: 0.4.0
description:
  - Converges every subnet of O(subnets) in one module run, where a loop over
    M(amazon.aws.ec2_vpc_subnet) starts one process per subnet and describes each subnet again after
    every step.
  - Reads the VPC's subnets once (one C(DescribeSubnets) filtered by C(vpc-id), tags included); creates
    the missing ones with their tags in the C(CreateSubnet) call and waits for them (polling every
    second) only when it created some; adds, changes and (with O(purge_tags=true)) removes tags by
    difference; sets C(MapPublicIpOnLaunch) only where it differs.
  - Subnets are matched by CIDR block. Subnets of the VPC that O(subnets) does not list are left alone.
  - O(state=absent) deletes the listed subnets that exist, and nothing else.
author: teamf platform engineers (@teamf)
options:
  vpc_id:
    description: The VPC the subnets belong to.
    type: str
    required: true
  subnets:
    description:
      - The subnets, each identified by its CIDR block.
    type: list
    elements: dict
    required: true
    suboptions:
      cidr:
        description:
          - IPv4 CIDR block of the subnet, inside the VPC's block, V(/16) to V(/28).
          - Every subnet needs one; the module checks that itself, so a missing one is named by its
            position (C(subnets[1].cidr is missing)) before any AWS call.
        type: str
      az:
        description:
          - Availability Zone to create the subnet in; AWS picks one when omitted.
          - A listed subnet that exists in another zone fails the run before any change (AWS cannot
            move a subnet).
        type: str
      tags:
        description:
          - Tags of the subnet. Omitted, an existing subnet's tags are left as they are.
        type: dict
      map_public:
        description: Whether instances launched in the subnet get a public IPv4 address (C(MapPublicIpOnLaunch)).
        type: bool
        default: false
  purge_tags:
    description: Remove tags that a subnet's O(subnets[].tags) does not list.
    type: bool
    default: true
  state:
    description: V(present) creates and updates the listed subnets; V(absent) deletes them.
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description: Seconds to wait for created subnets to become C(available).
    type: int
    default: 300
notes:
  - Supports check mode and diff mode. In check mode nothing is created, tagged, modified or deleted,
    and a subnet that would be created is returned without C(id).
  - The diff shows, per CIDR block, the zone, C(map_public_ip_on_launch) and tags before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Create the subnets
  teamf.platform.ec2_vpc_subnets:
    vpc_id: "{{ vpc_id }}"
    subnets:
      - cidr: 10.0.0.0/24
        az: ap-northeast-2a
        tags: {Name: dev-public-a, Tier: public}
      - cidr: 10.0.1.0/24
        az: ap-northeast-2b
        tags: {Name: dev-public-b, Tier: public}
  register: subnets

- name: Their ids, in the order given
  ansible.builtin.debug:
    msg: "{{ subnets.subnets | map(attribute='id') }}"

- name: Delete them
  teamf.platform.ec2_vpc_subnets:
    vpc_id: "{{ vpc_id }}"
    subnets: [{cidr: 10.0.0.0/24}, {cidr: 10.0.1.0/24}]
    state: absent
"""

RETURN = r"""
subnets:
  description:
    - The subnets of O(subnets), in the same order, each shaped as M(amazon.aws.ec2_vpc_subnet) returns
      its C(subnet).
    - In check mode a subnet that would be created has no C(id) and no C(state).
  returned: when O(state=present)
  type: list
  elements: dict
  contains:
    id:
      description: Subnet id.
      type: str
      sample: subnet-0e9f1a2b3c4d5e6f7
    cidr_block:
      description: IPv4 CIDR block.
      type: str
      sample: 10.0.1.0/24
    availability_zone:
      description: Availability Zone.
      type: str
      sample: ap-northeast-2a
    vpc_id:
      description: The VPC.
      type: str
    tags:
      description: Tags, as a dict.
      type: dict
      sample: {Name: dev-public-a, Tier: public}
    map_public_ip_on_launch:
      description: Whether instances get a public IPv4 address.
      type: bool
    state:
      description: C(available) once usable.
      type: str
      sample: available
deleted:
  description: Ids of the subnets deleted (or that would be, in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.ec2_subnets import (
    by_cidr,
    canonical_cidr,
    create_subnet,
    delete_subnet,
    describe_vpc_subnets,
    diff_view,
    plan,
    predicted,
    set_map_public,
    step_changes,
    subnet_info,
    tag_subnet,
    untag_subnet,
    validation_errors,
    wait_available,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule
from ansible_collections.teamf.platform.plugins.module_utils.set_manager import VpcSetManager


class SubnetsManager(VpcSetManager):
    items = "subnets"

    def current(self):
        return by_cidr(describe_vpc_subnets(self.client, self.vpc_id))

    def ensure_present(self, current):
        try:
            steps = plan(self.wanted, current, self.params["purge_tags"])
        except ValueError as error:
            self.module.fail_json(msg=str(error))
        for step in steps:
            if step["subnet"] is not None:
                self.before[step["cidr"]] = diff_view(step["subnet"])
            self.after[step["cidr"]] = diff_view(predicted(step, self.wanted[step["index"]], self.vpc_id))
        self.result["changed"] = any(step_changes(step) for step in steps)
        if self.module.check_mode or not self.result["changed"]:
            self.result["subnets"] = [
                subnet_info(predicted(step, self.wanted[step["index"]], self.vpc_id)) for step in steps
            ]
            return

        created = []
        for step in steps:
            want = self.wanted[step["index"]]
            if step["create"]:
                self.field = f"subnets[{step['index']}].cidr {step['cidr']}"
                try:
                    step["subnet"] = create_subnet(
                        self.client, self.vpc_id, step["cidr"], want.get("az"), want.get("tags")
                    )
                except AnsibleAWSError as exc:
                    if "zone" in str(exc.exception or exc.message).lower():
                        self.field = f"subnets[{step['index']}].az {want.get('az')}"
                    raise
                created.append(step["subnet"]["SubnetId"])
        if created:
            self.field = "subnets"
            wait_available(self.client, created, self.params["wait_timeout"])
        for step in steps:
            subnet_id = step["subnet"]["SubnetId"]
            self.field = f"subnets[{step['index']}].tags"
            if step["tags_to_unset"]:
                untag_subnet(self.client, subnet_id, step["tags_to_unset"])
            if step["tags_to_set"]:
                tag_subnet(self.client, subnet_id, step["tags_to_set"])
            if step["map_public"] is not None:
                self.field = f"subnets[{step['index']}].map_public"
                set_map_public(self.client, subnet_id, step["map_public"])
        # One more read returns the subnets as AWS now has them (state, free addresses, ...).
        self.field = "vpc_id"
        current = by_cidr(describe_vpc_subnets(self.client, self.vpc_id))
        self.result["subnets"] = [subnet_info(current[step["cidr"]]) for step in steps]

    def ensure_absent(self, current):
        doomed = []
        for index, want in enumerate(self.wanted):
            subnet = current.get(canonical_cidr(want["cidr"]))
            if subnet is not None:
                doomed.append((index, subnet))
                self.before[subnet["CidrBlock"]] = diff_view(subnet)
        self.result["changed"] = bool(doomed)
        self.result["deleted"] = [subnet["SubnetId"] for _, subnet in doomed]
        if self.module.check_mode:
            return
        for index, subnet in doomed:
            self.field = f"subnets[{index}].cidr {subnet['CidrBlock']}"
            delete_subnet(self.client, subnet["SubnetId"])


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        subnets=dict(
            type="list",
            elements="dict",
            required=True,
            # cidr is checked by validation_errors, whose message names the element (subnets[2].cidr).
            options=dict(
                cidr=dict(type="str"),
                az=dict(type="str"),
                tags=dict(type="dict"),
                map_public=dict(type="bool", default=False),
            ),
        ),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait_timeout=dict(type="int", default=300),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    SubnetsManager(module, module.client("ec2")).run(validation_errors(module.params["subnets"]))


if __name__ == "__main__":
    main()
