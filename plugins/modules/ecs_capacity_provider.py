#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ecs_capacity_provider
short_description: Manage an ECS Auto Scaling group capacity provider
version_added: 0.2.0
description:
  - Creates, updates in place and deletes an ECS capacity provider backed by an EC2 Auto Scaling group.
  - Managed scaling, managed termination protection and managed draining are updated in place with
    C(UpdateCapacityProvider); only the options given are compared, so AWS defaults are left alone.
  - The Auto Scaling group cannot change after creation. A different O(auto_scaling_group_arn) fails
    the task; create a new capacity provider for the new group, move the clusters to it, then delete
    the old one.
  - Associating the provider with clusters is the job of M(community.aws.ecs_cluster)
    (O(community.aws.ecs_cluster#module:capacity_providers)).
author: teamf platform engineers (@teamf)
options:
  name:
    description:
      - Name of the capacity provider.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the provider; V(absent) deletes it.
      - A provider that a cluster still uses cannot be deleted; the task then fails naming the cluster.
    type: str
    choices: [present, absent]
    default: present
  auto_scaling_group_arn:
    description:
      - ARN (or name) of the Auto Scaling group the provider scales.
      - Required to create the provider; it cannot be changed afterwards.
    type: str
  managed_scaling:
    description:
      - Managed scaling of the Auto Scaling group by ECS. Only the sub-options given are managed.
    type: dict
    suboptions:
      status:
        description: Whether ECS scales the group.
        type: str
        choices: [ENABLED, DISABLED]
      target_capacity:
        description: Target utilisation of the group's capacity, in percent.
        type: int
      minimum_scaling_step_size:
        description: Minimum number of instances ECS adds or removes at a time.
        type: int
      maximum_scaling_step_size:
        description: Maximum number of instances ECS adds or removes at a time.
        type: int
      instance_warmup_period:
        description: Seconds a new instance needs before it counts towards the group's metrics.
        type: int
  managed_termination_protection:
    description:
      - Whether ECS protects instances running tasks from scale-in. Needs managed scaling V(ENABLED)
        and instance scale-in protection on the Auto Scaling group.
    type: str
    choices: [ENABLED, DISABLED]
  managed_draining:
    description:
      - Whether ECS drains the tasks of instances the group terminates. AWS enables it by default.
    type: str
    choices: [ENABLED, DISABLED]
notes:
  - Supports check mode and diff mode. In check mode nothing is created, updated, tagged or deleted.
  - On AWS, updates and deletions complete asynchronously (C(update_status)); the module does not wait.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Capacity provider for the dev cluster's instances
  teamf.platform.ecs_capacity_provider:
    name: teamf-dev-ec2
    auto_scaling_group_arn: "{{ dev_asg.auto_scaling_group_arn }}"
    managed_scaling:
      status: ENABLED
      target_capacity: 90
      maximum_scaling_step_size: 2
    managed_termination_protection: ENABLED
    tags:
      Environment: dev
  register: dev_capacity_provider

- name: Remove it (after taking it off the cluster with community.aws.ecs_cluster)
  teamf.platform.ecs_capacity_provider:
    name: teamf-dev-ec2
    state: absent
"""

RETURN = r"""
capacity_provider:
  description:
    - The capacity provider as ECS describes it, in snake_case, with tags as a dict.
    - Null after deletion, and in check mode when it would be created.
  returned: always
  type: dict
  contains:
    capacity_provider_arn:
      description: ARN of the capacity provider.
      type: str
      sample: arn:aws:ecs:ap-northeast-2:123456789012:capacity-provider/teamf-dev-ec2
    name:
      description: Name of the capacity provider.
      type: str
      sample: teamf-dev-ec2
    status:
      description: C(ACTIVE) or C(INACTIVE).
      type: str
      sample: ACTIVE
    auto_scaling_group_provider:
      description: The Auto Scaling group, managed scaling, termination protection and draining settings.
      type: dict
      sample:
        auto_scaling_group_arn: "arn:aws:autoscaling:ap-northeast-2:123456789012:autoScalingGroup:1a2b:\
          autoScalingGroupName/dev"
        managed_scaling:
          status: ENABLED
          target_capacity: 90
          minimum_scaling_step_size: 1
          maximum_scaling_step_size: 2
          instance_warmup_period: 300
        managed_termination_protection: ENABLED
        managed_draining: ENABLED
    update_status:
      description: Status of the last update or deletion, for example C(UPDATE_COMPLETE).
      type: str
      returned: after an update
    tags:
      description: Tags of the capacity provider.
      type: dict
      sample: {Environment: dev}
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.teamf.platform.plugins.module_utils.ecs_capacity_provider import (
    asg_changed,
    asg_provider_update,
    clusters_using,
    create_capacity_provider,
    delete_capacity_provider,
    describe_capacity_provider,
    snake_provider,
    tag_capacity_provider,
    tags_of,
    untag_capacity_provider,
    update_capacity_provider,
    wanted_asg_provider,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


class CapacityProviderManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.name = module.params["name"]
        self.result = {"changed": False, "capacity_provider": None}

    def diff(self, before, after):
        if self.module._diff:
            self.result["diff"] = {"before": _sorted(before), "after": _sorted(after)}

    def ensure_present(self, current):
        params = self.module.params
        wanted = wanted_asg_provider(params)
        if current is None:
            self.create(wanted)
            return

        current_asg = current["autoScalingGroupProvider"]
        if asg_changed(current_asg, params["auto_scaling_group_arn"]):
            self.module.fail_json(
                msg=(
                    f"auto_scaling_group_arn cannot change on capacity provider {self.name}: it uses "
                    f"{current_asg['autoScalingGroupArn']}. Create a new capacity provider for "
                    f"{params['auto_scaling_group_arn']}, move the clusters to it, then delete this one."
                ),
                capacity_provider=snake_provider(current),
            )

        update = asg_provider_update(current_asg, wanted)
        current_tags = tags_of(current)
        to_set, to_unset = (
            compare_aws_tags(current_tags, params["tags"], params["purge_tags"])
            if params["tags"] is not None
            else ({}, [])
        )
        after_tags = dict({k: v for k, v in current_tags.items() if k not in to_unset}, **to_set)
        self.result["changed"] = bool(update or to_set or to_unset)
        self.diff(
            {"auto_scaling_group_provider": current_asg, "tags": current_tags},
            {"auto_scaling_group_provider": dict(current_asg, **update), "tags": after_tags},
        )
        if self.module.check_mode or not self.result["changed"]:
            self.result["capacity_provider"] = snake_provider(current)
            return

        if update:
            update_capacity_provider(self.client, self.name, update)
        if to_unset:
            untag_capacity_provider(self.client, current["capacityProviderArn"], to_unset)
        if to_set:
            tag_capacity_provider(self.client, current["capacityProviderArn"], to_set)
        self.result["capacity_provider"] = snake_provider(describe_capacity_provider(self.client, self.name))

    def create(self, wanted):
        params = self.module.params
        if not params["auto_scaling_group_arn"]:
            self.module.fail_json(msg=f"auto_scaling_group_arn is required to create capacity provider {self.name}")
        self.result["changed"] = True
        self.diff({}, {"auto_scaling_group_provider": wanted, "tags": params["tags"] or {}})
        if self.module.check_mode:
            return
        create_capacity_provider(self.client, self.name, wanted, params["tags"])
        self.result["capacity_provider"] = snake_provider(describe_capacity_provider(self.client, self.name))

    def ensure_absent(self, current):
        if current is None:
            return
        self.result["changed"] = True
        self.diff({"auto_scaling_group_provider": current["autoScalingGroupProvider"], "tags": tags_of(current)}, {})
        if self.module.check_mode:
            self.result["capacity_provider"] = snake_provider(current)
            return
        answer = delete_capacity_provider(self.client, self.name)
        if answer.get("updateStatus") == "DELETE_FAILED":
            self.fail_in_use(current, answer.get("updateStatusReason"))

    def fail_in_use(self, current, reason):
        clusters = clusters_using(self.client, current)
        where = f"cluster {', '.join(clusters)}" if clusters else "a cluster"
        self.module.fail_json(
            msg=(
                f"capacity provider {self.name} cannot be deleted: it is associated with {where}. Remove it "
                f"from the cluster's capacity providers first (AWS: {reason or 'delete failed'})"
            ),
            clusters=clusters,
            capacity_provider=snake_provider(current),
        )


def _sorted(value):
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    return value


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        auto_scaling_group_arn=dict(type="str"),
        managed_scaling=dict(
            type="dict",
            options=dict(
                status=dict(type="str", choices=["ENABLED", "DISABLED"]),
                target_capacity=dict(type="int"),
                minimum_scaling_step_size=dict(type="int"),
                maximum_scaling_step_size=dict(type="int"),
                instance_warmup_period=dict(type="int"),
            ),
        ),
        managed_termination_protection=dict(type="str", choices=["ENABLED", "DISABLED"]),
        managed_draining=dict(type="str", choices=["ENABLED", "DISABLED"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    target_capacity = (module.params["managed_scaling"] or {}).get("target_capacity")
    if target_capacity is not None and not 1 <= target_capacity <= 100:
        module.fail_json(msg=f"managed_scaling.target_capacity must be between 1 and 100, got {target_capacity}")

    client = module.client("ecs")
    manager = CapacityProviderManager(module, client)
    try:
        current = describe_capacity_provider(client, module.params["name"])
        if module.params["state"] == "present":
            manager.ensure_present(current)
        else:
            manager.ensure_absent(current)
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"capacity provider {module.params['name']}")

    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
