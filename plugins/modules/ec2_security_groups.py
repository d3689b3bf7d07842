#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ec2_security_groups
short_description: Manage a set of security groups of one VPC, and their ingress rules, in a single run
version_added: 0.5.0
description:
  - Converges every security group of O(groups) in one module run, where a loop over
    M(amazon.aws.ec2_security_group) starts one process per group, describes it again after each step,
    and needs the groups that others reference to exist (a task of their own) first.
  - Reads the groups once (one C(DescribeSecurityGroups) filtered by C(vpc-id) and the listed
    C(group-name)s; rules and tags included); creates the missing groups first, with their tags in the
    C(CreateSecurityGroup) call, so that a rule can name any group of the list (itself included); then,
    per group, authorizes the missing ingress rules, revokes the ones O(groups[].ingress) does not list,
    updates the descriptions that differ (C(UpdateSecurityGroupRuleDescriptionsIngress)), and sets and
    (with O(purge_tags=true)) removes tags by difference.
  - Groups are matched by name within O(vpc_id). Groups of the VPC that O(groups) does not list are left alone.
  - Rules are compared as AWS keeps them, one per protocol, port range and source (a CIDR block or a
    group), whatever way the input groups them.
  - Egress is not managed; a created group keeps the rule AWS gives every new group (all traffic to
    V(0.0.0.0/0)) and a group's egress rules are left as they are.
  - O(state=absent) deletes the listed groups that exist, and nothing else; rules by which they
    reference each other are revoked first, so a set that references itself can be deleted.
author: teamf platform engineers (@teamf)
options:
  vpc_id:
    description: The VPC the groups belong to.
    type: str
    required: true
  groups:
    description:
      - The security groups, each identified by its name.
      - Every group needs O(groups[].name) and O(groups[].description); the module checks them itself, so a
        missing one is named by its position (C(groups[1].description is missing)) before any AWS call.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the group, unique in the list; not starting with C(sg-).
        type: str
      description:
        description:
          - Description of the group. AWS cannot change it; a listed group that exists with another
            description fails the run before any change.
        type: str
      tags:
        description: Tags of the group. Omitted, an existing group's tags are left as they are.
        type: dict
      ingress:
        description:
          - The whole ingress of the group; rules the group has that this does not list are revoked.
            Omitted or empty, the group has no ingress rule.
        type: list
        elements: dict
        suboptions:
          proto:
            description: V(tcp), V(udp), V(icmp), or V(-1) for every protocol (and then no O(groups[].ingress[].ports)).
            type: str
            choices: [tcp, udp, icmp, '-1']
            required: true
          ports:
            description:
              - Ports (integers) or port ranges (strings like V(8000-8099)); required for V(tcp) and V(udp)
                (V(0-65535) for all).
              - For V(icmp), an integer is an ICMP type (every code) and V(type-code) a type and code;
                omitted, every type.
            type: list
            elements: raw
          cidr_ip:
            description:
              - IPv4 CIDR blocks the traffic may come from.
              - Exactly one of O(groups[].ingress[].cidr_ip) or O(groups[].ingress[].group).
            type: list
            elements: str
          group:
            description:
              - The group the traffic may come from, by the O(groups[].name) of a group of this list (the
                group itself included), or by the C(sg-) id of an existing group.
            type: str
          description:
            description: Description of the rule(s).
            type: str
  purge_tags:
    description: Remove tags that a group's O(groups[].tags) does not list.
    type: bool
    default: true
  state:
    description: V(present) creates and updates the listed groups; V(absent) deletes them.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Supports check mode and diff mode. In check mode nothing is created, authorized, revoked, tagged or
    deleted; a group that would be created is returned with an empty C(group_id), and so are the rules
    that reference it.
  - The diff shows, per group name, the description, tags and normalised ingress before and after.
  - Input errors (a missing name or description, a name listed twice, a rule with both or neither of
    O(groups[].ingress[].cidr_ip) and O(groups[].ingress[].group), an unknown group name, a bad CIDR
    block or port) fail the run before any AWS call, naming the field, for example
    C(groups[2].ingress[0].group).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Create the groups of an ALB and of the service behind it
  teamf.platform.ec2_security_groups:
    vpc_id: "{{ vpc_id }}"
    groups:
      - name: dev-alb
        description: ALB of dev
        tags: {Name: dev-alb}
        ingress:
          - {proto: tcp, ports: [80, 443], cidr_ip: [0.0.0.0/0], description: clients}
      - name: dev-api
        description: ECS service api of dev
        tags: {Name: dev-api}
        ingress:
          - {proto: tcp, ports: [8080], group: dev-alb, description: from the ALB}
          - {proto: tcp, ports: ["9000-9010"], group: dev-api, description: from its own tasks}
  register: sgs

- name: The id of each group
  ansible.builtin.debug:
    msg: "{{ sgs.group_ids['dev-api'] }}"

- name: Delete them (the reference from dev-api to dev-alb is revoked first)
  teamf.platform.ec2_security_groups:
    vpc_id: "{{ vpc_id }}"
    groups:
      - {name: dev-alb, description: ALB of dev}
      - {name: dev-api, description: ECS service api of dev}
    state: absent
"""

RETURN = r"""
groups:
  description:
    - The groups of O(groups), in the same order, as AWS has them after the run (or, in check mode, as
      they would be).
  returned: when O(state=present)
  type: list
  elements: dict
  contains:
    name:
      description: Group name.
      type: str
      sample: dev-alb
    group_id:
      description: Group id; empty in check mode for a group that would be created.
      type: str
      sample: sg-0e9f1a2b3c4d5e6f7
    vpc_id:
      description: The VPC.
      type: str
    description:
      description: Group description.
      type: str
    tags:
      description: Tags, as a dict.
      type: dict
      sample: {Name: dev-alb}
    ingress:
      description:
        - The ingress rules, one per protocol, port range and source, sorted.
        - Each has C(proto), C(from_port) and C(to_port) (null for V(-1); ICMP type and code for V(icmp)),
          C(description) (empty when none), and either C(cidr_ip), or C(group_id) with C(group) (the
          name of the group when it is one of O(groups), else its id).
      type: list
      elements: dict
      sample:
        - proto: tcp
          from_port: 8080
          to_port: 8080
          group_id: sg-0e9f1a2b3c4d5e6f7
          group: dev-alb
          description: from the ALB
group_ids:
  description: The id of each group of O(groups) by name; empty in check mode for a group that would be created.
  returned: when O(state=present)
  type: dict
  sample: {dev-alb: sg-0e9f1a2b3c4d5e6f7, dev-api: sg-0a1b2c3d4e5f60718}
deleted:
  description: Ids of the groups deleted (or that would be, in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.teamf.platform.plugins.module_utils.ec2_security_groups import (
    authorize_ingress,
    create_group,
    cross_references,
    delete_group,
    describe_groups,
    diff_view,
    group_view,
    permission,
    plan,
    planned_id,
    predicted,
    revoke_egress,
    revoke_ingress,
    step_changes,
    tag_group,
    untag_group,
    update_descriptions,
    validation_errors,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule
from ansible_collections.teamf.platform.plugins.module_utils.set_manager import VpcSetManager


class SecurityGroupsManager(VpcSetManager):
    items = "groups"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.names = [group["name"] for group in self.wanted]

    def current(self):
        self.field = "vpc_id"
        return {group["GroupName"]: group for group in describe_groups(self.client, self.vpc_id, self.names)}

    def plan(self, current, ids):
        try:
            return plan(self.wanted, current, ids, self.params["purge_tags"])
        except ValueError as error:
            self.module.fail_json(msg=str(error))

    def returned(self, views):
        self.result["groups"] = views
        self.result["group_ids"] = {view["name"]: view["group_id"] for view in views}

    def ensure_present(self, current):
        ids = {name: current[name]["GroupId"] if name in current else planned_id(name) for name in self.names}
        names_by_id = {group_id: name for name, group_id in ids.items()}
        steps = self.plan(current, ids)
        for step in steps:
            want = self.wanted[step["index"]]
            if step["group"] is not None:
                self.before[step["name"]] = diff_view(group_view(step["group"], names_by_id))
            self.after[step["name"]] = diff_view(predicted(step, want, self.vpc_id, names_by_id))
        self.result["changed"] = any(step_changes(step) for step in steps)
        if self.module.check_mode or not self.result["changed"]:
            self.returned([predicted(step, self.wanted[step["index"]], self.vpc_id, names_by_id) for step in steps])
            return

        # Every missing group first: rules may name any group of the list.
        created = set()
        for step in steps:
            if step["create"]:
                want = self.wanted[step["index"]]
                self.field = f"groups[{step['index']}].name {step['name']}"
                ids[step["name"]] = create_group(
                    self.client, self.vpc_id, step["name"], want["description"], want.get("tags")
                )
                created.add(step["name"])
        # The same plan with the new ids in the rules that name the created groups.
        for step in self.plan(current, ids) if created else steps:
            self.apply(step, ids[step["name"]], fresh=step["name"] in created)

        names_by_id = {group_id: name for name, group_id in ids.items()}
        current = self.current()
        self.returned([group_view(current[name], names_by_id) for name in self.names])

    def apply(self, step, group_id, fresh):
        field = f"groups[{step['index']}]"
        if step["revoke"]:
            self.field = f"{field}.ingress (revoking rules it does not list)"
            revoke_ingress(self.client, group_id, [permission(key) for key in step["revoke"]])
        # One call per ingress entry, so that an error names the entry.
        by_entry = {}
        for key in step["authorize"]:
            by_entry.setdefault(step["origins"][key], []).append(permission(key, step["rules"][key]))
        for number, permissions in sorted(by_entry.items()):
            self.field = f"{field}.ingress[{number}]"
            authorize_ingress(self.client, group_id, permissions, fresh=fresh)
        for key, description in sorted(step["describe"].items(), key=lambda item: step["origins"][item[0]]):
            self.field = f"{field}.ingress[{step['origins'][key]}].description"
            update_descriptions(self.client, group_id, [permission(key, description)])
        self.field = f"{field}.tags"
        if step["tags_to_unset"]:
            untag_group(self.client, group_id, step["tags_to_unset"])
        if step["tags_to_set"]:  # a created group got its tags in CreateSecurityGroup
            tag_group(self.client, group_id, step["tags_to_set"])

    def ensure_absent(self, current):
        doomed = [(index, current[name]) for index, name in enumerate(self.names) if name in current]
        names_by_id = {group["GroupId"]: group["GroupName"] for _, group in doomed}
        for _, group in doomed:
            self.before[group["GroupName"]] = diff_view(group_view(group, names_by_id))
        self.result["changed"] = bool(doomed)
        self.result["deleted"] = [group["GroupId"] for _, group in doomed]
        if self.module.check_mode:
            return
        index_of = {group["GroupId"]: index for index, group in doomed}
        for group_id, (ingress, egress) in cross_references([group for _, group in doomed]).items():
            self.field = f"groups[{index_of[group_id]}] (revoking its rules that name groups being deleted)"
            if ingress:
                revoke_ingress(self.client, group_id, ingress)
            if egress:
                revoke_egress(self.client, group_id, egress)
        for index, group in doomed:
            self.field = f"groups[{index}].name {group['GroupName']}"
            delete_group(self.client, group["GroupId"])


def main():
    rule = dict(
        proto=dict(type="str", required=True, choices=["tcp", "udp", "icmp", "-1"]),
        ports=dict(type="list", elements="raw"),
        cidr_ip=dict(type="list", elements="str"),
        group=dict(type="str"),
        description=dict(type="str"),
    )
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        groups=dict(
            type="list",
            elements="dict",
            required=True,
            # name and description are checked by validation_errors, whose message names the element.
            options=dict(
                name=dict(type="str"),
                description=dict(type="str"),
                tags=dict(type="dict"),
                ingress=dict(type="list", elements="dict", options=rule),
            ),
        ),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    groups = module.params["groups"]
    if module.params["state"] == "absent":
        # Only the names matter to delete.
        errors = [f"groups[{index}].name is missing" for index, group in enumerate(groups) if not group.get("name")]
    else:
        errors = validation_errors(groups)
    SecurityGroupsManager(module, module.client("ec2")).run(errors)


if __name__ == "__main__":
    main()
