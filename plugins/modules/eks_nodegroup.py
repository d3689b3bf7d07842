#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: eks_nodegroup
short_description: Manage an EKS managed nodegroup, converging it in place where AWS allows
version_added: 0.2.0
description:
  - Creates, updates and deletes an Amazon EKS managed nodegroup.
  - An existing nodegroup is converged in place with the calls AWS offers for it. Labels, taints,
    scaling and O(update_config) go through one C(UpdateNodegroupConfig); O(version),
    O(release_version) and the launch template version through one C(UpdateNodegroupVersion);
    tags through C(TagResource) and C(UntagResource). Updates run one at a time, each waited
    for until C(DescribeUpdate) reports it C(Successful).
  - Settings AWS sets only when a nodegroup is created (O(node_role_arn), O(subnet_ids),
    O(instance_types), O(capacity_type), O(ami_type), O(disk_size), the launch template id or
    name) are compared too. A difference fails the task before anything is changed, naming the
    option, the current and the wanted value; the way forward is to create a nodegroup under a new
    name with the new value, move workloads, then remove the old one.
  - Options left out (or V(null)) are not managed, except O(capacity_type) and O(ami_type), which
    have defaults.
  - The parameters are validated before any AWS call.
author: teamf platform engineers (@teamf)
options:
  cluster_name:
    description:
      - Name of the EKS cluster the nodegroup belongs to.
    type: str
    required: true
  name:
    description:
      - Name of the nodegroup.
    type: str
    required: true
  state:
    description:
      - V(present) creates or converges the nodegroup; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  node_role_arn:
    description:
      - ARN of the IAM role the nodes run with.
      - Required to create the nodegroup; cannot change afterwards.
    type: str
  subnet_ids:
    description:
      - Subnets the nodes are launched in, compared as a set.
      - Required to create the nodegroup; cannot change afterwards.
    type: list
    elements: str
  instance_types:
    description:
      - Instance types, in order of preference. AWS uses C(t3.medium) when neither this nor the
        launch template names one.
      - Cannot change after creation.
    type: list
    elements: str
  capacity_type:
    description:
      - Whether the nodes are On-Demand or Spot instances. Cannot change after creation.
    type: str
    choices: [ON_DEMAND, SPOT]
    default: ON_DEMAND
  ami_type:
    description:
      - The AMI family of the nodes, for example V(AL2023_x86_64_STANDARD), V(AL2023_ARM_64_STANDARD),
        V(BOTTLEROCKET_x86_64) or V(CUSTOM) (the AMI comes from O(launch_template)).
      - Cannot change after creation.
    type: str
    default: AL2023_x86_64_STANDARD
  disk_size:
    description:
      - Root volume size of the nodes in GiB. Cannot change after creation.
      - Only without O(launch_template); with one, the launch template sets the volume size.
    type: int
  launch_template:
    description:
      - The EC2 launch template the nodes are launched from.
      - Its id or name cannot change after creation; its O(launch_template.version) is updated in place.
    type: dict
    suboptions:
      id:
        description:
          - ID of the launch template. Exactly one of O(launch_template.id) and O(launch_template.name).
        type: str
      name:
        description:
          - Name of the launch template.
        type: str
      version:
        description:
          - Version number of the launch template. A changed number rolls the nodes through
            C(UpdateNodegroupVersion).
          - V($Latest) and V($Default) are rejected because EKS records the number it resolves
            them to; pass the number, for example the C(latest_version_number) that
            M(community.aws.ec2_launch_template) returns.
          - Omitted, the template's default version is used at creation and not managed later.
        type: str
  scaling:
    description:
      - Size of the nodegroup. Required to create it.
      - V(min_size <= desired_size <= max_size) is checked before any AWS call.
    type: dict
    suboptions:
      min_size:
        description: Minimum number of nodes.
        type: int
        required: true
      max_size:
        description: Maximum number of nodes, at least 1.
        type: int
        required: true
      desired_size:
        description:
          - Number of nodes wanted now. Defaults to O(scaling.min_size) at creation.
          - What happens to it later depends on O(desired_size_policy).
        type: int
  desired_size_policy:
    description:
      - V(enforce) converges O(scaling.desired_size) on every run; it is then required.
      - V(initial) uses O(scaling.desired_size) only when creating the nodegroup and afterwards
        leaves the desired size to the cluster autoscaler, converging only O(scaling.min_size) and
        O(scaling.max_size). A desired size outside the new range is moved to its nearest bound,
        because AWS rejects a scaling configuration where it lies outside.
    type: str
    choices: [enforce, initial]
    default: initial
  labels:
    description:
      - Kubernetes labels of the nodes. Labels not listed are removed; V(null) leaves labels alone.
    type: dict
  taints:
    description:
      - Kubernetes taints of the nodes. A taint is identified by its key and effect; taints not
        listed are removed, V(null) leaves taints alone.
    type: list
    elements: dict
    suboptions:
      key:
        description: Taint key.
        type: str
        required: true
      value:
        description: Taint value.
        type: str
      effect:
        description:
          - Taint effect, in the EKS API's spelling (Kubernetes' C(NoSchedule) is V(NO_SCHEDULE)).
        type: str
        required: true
        choices: [NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE]
  update_config:
    description:
      - How many nodes a version update may take out of service at once, as exactly one of
        O(update_config.max_unavailable) and O(update_config.max_unavailable_percentage).
      - AWS uses one node when this is not given at creation.
    type: dict
    suboptions:
      max_unavailable:
        description: Number of nodes, 1 to 100.
        type: int
      max_unavailable_percentage:
        description: Percentage of the nodes, 1 to 100.
        type: int
  version:
    description:
      - Kubernetes version of the nodes, for example V(1.31). Defaults to the cluster's version at
        creation. A changed version is applied with C(UpdateNodegroupVersion); AWS allows only the
        cluster's version.
      - Not with O(ami_type=CUSTOM), where the launch template's AMI decides.
    type: str
  release_version:
    description:
      - AMI release version of the EKS optimized AMI, for example V(1.31.7-20250505). Defaults to the
        newest release for O(version). Updated in place.
      - Not with O(ami_type=CUSTOM).
    type: str
  wait:
    description:
      - Wait until the nodegroup is C(ACTIVE) after creation and updates, and until it is gone after
        deletion.
      - With nothing to change, a nodegroup that is still C(CREATING) or C(UPDATING) (started by an
        earlier call with O(wait=false), or by a run that was interrupted) is waited for too.
      - Consecutive updates are always waited for, because AWS accepts one update at a time.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each create, update or delete.
    type: int
    default: 1800
notes:
  - Supports check mode and diff mode. In check mode nothing is created, updated, tagged or
    deleted; the diff shows the managed settings before and after.
  - An update for one of O(version), O(release_version) and the launch template version sends the
    current values of the others, because AWS would otherwise move the nodes to the newest AMI of
    the cluster's version.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: General purpose nodes, sized by the cluster autoscaler after creation
  teamf.platform.eks_nodegroup:
    cluster_name: staging
    name: general-v1
    node_role_arn: "{{ node_role.arn }}"
    subnet_ids: "{{ private_subnet_ids }}"
    instance_types: [m6i.large]
    scaling:
      min_size: 2
      max_size: 6
      desired_size: 3
    labels:
      workload: general
    update_config:
      max_unavailable_percentage: 33
    tags:
      Environment: staging

- name: Dedicated CI nodes from a launch template, with a fixed size
  teamf.platform.eks_nodegroup:
    cluster_name: staging
    name: ci-v1
    node_role_arn: "{{ node_role.arn }}"
    subnet_ids: "{{ private_subnet_ids }}"
    capacity_type: SPOT
    launch_template:
      name: staging-ci
      version: "{{ ci_template.latest_version_number | string }}"
    scaling:
      min_size: 1
      max_size: 4
      desired_size: 2
    desired_size_policy: enforce
    taints:
      - key: dedicated
        value: ci
        effect: NO_SCHEDULE

- name: Move the nodes to the cluster's Kubernetes version
  teamf.platform.eks_nodegroup:
    cluster_name: staging
    name: general-v1
    version: "1.32"

- name: Remove a nodegroup
  teamf.platform.eks_nodegroup:
    cluster_name: staging
    name: general-v0
    state: absent
"""

RETURN = r"""
nodegroup:
  description:
    - The nodegroup as C(DescribeNodegroup) reports it after the run, with snake_cased keys; the keys
      of C(tags) and C(labels) are kept as they are.
    - Empty after deletion, and in check mode when the nodegroup would be created.
  returned: always
  type: dict
  contains:
    nodegroup_arn:
      description: ARN of the nodegroup.
      type: str
      sample: arn:aws:eks:ap-northeast-2:123456789012:nodegroup/staging/general-v1/1ab2c3d4-5678-90ab-cdef-1234567890ab
    status:
      description: Status of the nodegroup.
      type: str
      sample: ACTIVE
    scaling_config:
      description: Minimum, maximum and desired size.
      type: dict
      sample: {"min_size": 2, "max_size": 6, "desired_size": 3}
    labels:
      description: Kubernetes labels of the nodes.
      type: dict
      sample: {"workload": "general"}
    taints:
      description: Kubernetes taints of the nodes.
      type: list
      elements: dict
      sample: [{"key": "dedicated", "value": "ci", "effect": "NO_SCHEDULE"}]
    update_config:
      description: The update limit.
      type: dict
      sample: {"max_unavailable_percentage": 33}
    version:
      description: Kubernetes version of the nodes.
      type: str
      sample: "1.31"
    release_version:
      description: AMI release version of the nodes.
      type: str
      sample: 1.31.7-20250505
    launch_template:
      description: Launch template id, name and version, when the nodegroup uses one.
      type: dict
    tags:
      description: Tags of the nodegroup.
      type: dict
updates:
  description: IDs of the EKS updates this run started, in order (none in check mode).
  returned: always
  type: list
  elements: str
  sample: ["8f1c4fa6-6a9b-3c4a-a5a4-5c0b8d1a2e3f"]
diff:
  description: The managed settings before and after, with sorted keys.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.transformation import camel_dict_to_snake_dict
from ansible_collections.teamf.platform.plugins.module_utils.eks_nodegroup import (
    AnsibleEKSNodegroupError,
    config_changes,
    create_nodegroup,
    create_request,
    delete_nodegroup,
    describe_nodegroup,
    immutable_change_message,
    immutable_changes,
    missing_for_create,
    nodegroup_view,
    predict,
    tag_changes,
    tag_nodegroup,
    untag_nodegroup,
    update_nodegroup_config,
    update_nodegroup_version,
    validate_params,
    version_changes,
    wait_for_update,
    wait_nodegroup_active,
    wait_nodegroup_deleted,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule

CONFIG_FIELDS = {"labels": "labels", "taints": "taints", "scalingConfig": "scaling", "updateConfig": "update_config"}
VERSION_FIELDS = {
    "launchTemplate": "launch_template.version",
    "version": "version",
    "releaseVersion": "release_version",
}


class NodegroupManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.cluster_name = module.params["cluster_name"]
        self.name = module.params["name"]
        self.step = None  # what the current AWS call changes, for the error message
        self.result = {"changed": False, "nodegroup": {}, "updates": []}

    def fail(self, msg):
        self.module.fail_json(msg=msg, cluster_name=self.cluster_name, name=self.name)

    def diff(self, before, after):
        if self.module._diff:
            self.result["diff"] = {"before": nodegroup_view(before), "after": nodegroup_view(after)}

    def found(self, nodegroup):
        nodegroup = normalize_boto3_result(nodegroup) if nodegroup else {}
        self.result["nodegroup"] = camel_dict_to_snake_dict(nodegroup, ignore_list=["tags", "labels"])

    def describe(self):
        return describe_nodegroup(self.client, self.cluster_name, self.name)

    def ensure_present(self):
        current = self.describe()
        if current is None:
            return self.create()
        if current["status"] == "DELETING":
            self.fail(f"nodegroup {self.name} in cluster {self.cluster_name} is being deleted; rerun once it is gone")

        changes = immutable_changes(current, self.params)
        if changes:
            self.fail(immutable_change_message(changes, self.cluster_name, self.name))
        config = config_changes(current, self.params)
        version = version_changes(current, self.params)
        tags_to_set, tags_to_unset = tag_changes(current, self.params)
        self.diff(current, predict(current, config, version, tags_to_set, tags_to_unset))
        self.result["changed"] = bool(config or version or tags_to_set or tags_to_unset)
        if self.module.check_mode:
            self.found(current)
            return
        if not self.result["changed"]:
            if self.params["wait"] and current["status"] in ("CREATING", "UPDATING"):
                # Started by an earlier call (wait=false, or a run that was interrupted): wait means ACTIVE.
                self.step = "wait for the nodegroup to become ACTIVE"
                wait_nodegroup_active(self.client, self.cluster_name, self.name, self.params["wait_timeout"])
                current = self.describe()
            self.found(current)
            return

        if (config or version) and current["status"] in ("CREATING", "UPDATING"):
            # AWS refuses updates while a create or an earlier update is still running.
            self.step = "wait for the nodegroup to become ACTIVE before updating it"
            wait_nodegroup_active(self.client, self.cluster_name, self.name, self.params["wait_timeout"])
        pending = []
        if config:
            pending.append((update_nodegroup_config, config, [CONFIG_FIELDS[key] for key in config]))
        if version:
            # version and release version may only be pinned to their current values
            moved = [key for key, value in version.items() if key == "launchTemplate" or value != current.get(key)]
            pending.append((update_nodegroup_version, version, [VERSION_FIELDS[key] for key in moved]))
        for index, (update, request, fields) in enumerate(pending):
            self.step = f"change {', '.join(fields)}"
            started = update(self.client, self.cluster_name, self.name, request)
            self.result["updates"].append(started["id"])
            if self.params["wait"] or index < len(pending) - 1:
                wait_for_update(self.client, self.cluster_name, self.name, started["id"], self.params["wait_timeout"])
        if tags_to_unset:
            self.step = f"remove tags {', '.join(sorted(tags_to_unset))}"
            untag_nodegroup(self.client, current["nodegroupArn"], tags_to_unset)
        if tags_to_set:
            self.step = f"set tags {', '.join(sorted(tags_to_set))}"
            tag_nodegroup(self.client, current["nodegroupArn"], tags_to_set)
        if pending and self.params["wait"]:
            self.step = "wait for the nodegroup to become ACTIVE"
            wait_nodegroup_active(self.client, self.cluster_name, self.name, self.params["wait_timeout"])
        self.step = "read the nodegroup back"
        self.found(self.describe())

    def create(self):
        missing = missing_for_create(self.params)
        if missing:
            self.fail(
                f"nodegroup {self.name} does not exist in cluster {self.cluster_name}; "
                f"creating it needs {', '.join(missing)}"
            )
        request = create_request(self.params)
        self.result["changed"] = True
        self.diff(None, {key: value for key, value in request.items() if key not in ("clusterName", "nodegroupName")})
        if self.module.check_mode:
            return
        self.step = "create the nodegroup"
        create_nodegroup(self.client, request)
        if self.params["wait"]:
            self.step = "wait for the new nodegroup to become ACTIVE"
            wait_nodegroup_active(self.client, self.cluster_name, self.name, self.params["wait_timeout"])
        self.found(self.describe())

    def ensure_absent(self):
        current = self.describe()
        if current is None:
            return
        already_deleting = current["status"] == "DELETING"
        self.result["changed"] = not already_deleting
        self.diff(current, None)
        if self.module.check_mode:
            return
        if not already_deleting:
            self.step = "delete the nodegroup"
            delete_nodegroup(self.client, self.cluster_name, self.name)
        if self.params["wait"]:
            self.step = "wait for the nodegroup to be deleted"
            wait_nodegroup_deleted(self.client, self.cluster_name, self.name, self.params["wait_timeout"])


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        node_role_arn=dict(type="str"),
        subnet_ids=dict(type="list", elements="str"),
        instance_types=dict(type="list", elements="str"),
        capacity_type=dict(type="str", choices=["ON_DEMAND", "SPOT"], default="ON_DEMAND"),
        ami_type=dict(type="str", default="AL2023_x86_64_STANDARD"),
        disk_size=dict(type="int"),
        launch_template=dict(
            type="dict",
            options=dict(id=dict(type="str"), name=dict(type="str"), version=dict(type="str")),
        ),
        scaling=dict(
            type="dict",
            options=dict(
                min_size=dict(type="int", required=True),
                max_size=dict(type="int", required=True),
                desired_size=dict(type="int"),
            ),
        ),
        desired_size_policy=dict(type="str", choices=["enforce", "initial"], default="initial"),
        labels=dict(type="dict"),
        taints=dict(
            type="list",
            elements="dict",
            options=dict(
                key=dict(type="str", required=True, no_log=False),
                value=dict(type="str"),
                effect=dict(type="str", required=True, choices=["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]),
            ),
        ),
        update_config=dict(
            type="dict",
            options=dict(max_unavailable=dict(type="int"), max_unavailable_percentage=dict(type="int")),
        ),
        version=dict(type="str"),
        release_version=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    if module.params["state"] == "present":
        errors = validate_params(module.params)
        if errors:
            module.fail_json(
                msg="; ".join(errors), cluster_name=module.params["cluster_name"], name=module.params["name"]
            )

    client = module.client("eks")
    manager = NodegroupManager(module, client)
    try:
        if module.params["state"] == "present":
            manager.ensure_present()
        else:
            manager.ensure_absent()
    except AnsibleEKSNodegroupError as exc:
        step = f" ({manager.step})" if manager.step else ""
        message = f"{exc.message}{step} for nodegroup {manager.name} in cluster {manager.cluster_name}"
        if exc.exception:
            module.fail_json_aws(exc.exception, msg=message, updates=manager.result["updates"])
        module.fail_json(msg=message, updates=manager.result["updates"])

    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
