#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: eks_access_entry
short_description: Manage an EKS access entry and its access policies
version_added: 0.2.0
description:
  - Creates, updates and deletes the access entry of an IAM principal in an EKS cluster, and
    associates EKS access policies with it, cluster-wide or for namespaces.
  - The cluster's authentication mode must be V(API) or V(API_AND_CONFIG_MAP)
    (O(teamf.platform.eks_cluster#module:authentication_mode)).
author: teamf platform engineers (@teamf)
options:
  cluster_name:
    description:
      - Name of the EKS cluster.
    type: str
    required: true
  principal_arn:
    description:
      - ARN of the IAM role or user the entry is for.
    type: str
    required: true
  type:
    description:
      - Kind of entry. Node types (V(EC2_LINUX), V(EC2_WINDOWS), V(FARGATE_LINUX), V(HYBRID_LINUX), ...)
        take neither O(kubernetes_groups), O(username) nor O(access_policies).
      - AWS cannot change the type of an entry; a different type fails (delete the entry first).
    type: str
    choices: [STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, HYPERPOD_LINUX, EC2]
    default: STANDARD
  kubernetes_groups:
    description:
      - Kubernetes groups the principal belongs to (for RBAC bindings).
      - When not set the entry's groups are left as they are; V([]) removes them.
    type: list
    elements: str
  username:
    description:
      - Kubernetes username of the principal. When not set, EKS picks one at creation and it is left
        as it is afterwards.
    type: str
  access_policies:
    description:
      - EKS access policies to associate with the entry.
      - When not set the entry's associations are left as they are.
    type: list
    elements: dict
    suboptions:
      policy:
        description:
          - Short name such as V(AmazonEKSClusterAdminPolicy) or V(AmazonEKSViewPolicy), or the policy ARN.
        type: str
        required: true
      access_scope:
        description:
          - Where the policy applies.
        type: dict
        default: {type: cluster}
        suboptions:
          type:
            description:
              - V(cluster) for the whole cluster, V(namespace) for O(access_policies[].access_scope.namespaces).
            type: str
            choices: [cluster, namespace]
            default: cluster
          namespaces:
            description:
              - Namespaces, for a V(namespace) scope only.
            type: list
            elements: str
            default: []
  purge_access_policies:
    description:
      - Disassociate the policies that are not in O(access_policies).
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the entry; V(absent) deletes it with its associations.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Supports check mode and diff mode. In check mode nothing is created, changed or deleted.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Platform admins get cluster admin
  teamf.platform.eks_access_entry:
    cluster_name: teamf-staging
    principal_arn: arn:aws:iam::123456789012:role/teamf-platform-admin
    access_policies:
      - policy: AmazonEKSClusterAdminPolicy

- name: Developers may edit their namespaces, and belong to a group for extra RBAC
  teamf.platform.eks_access_entry:
    cluster_name: teamf-staging
    principal_arn: arn:aws:iam::123456789012:role/teamf-developer
    kubernetes_groups: [developers]
    access_policies:
      - policy: AmazonEKSEditPolicy
        access_scope:
          type: namespace
          namespaces: [shop, shop-jobs]
      - policy: AmazonEKSViewPolicy

- name: Self-managed Linux nodes
  teamf.platform.eks_access_entry:
    cluster_name: teamf-staging
    principal_arn: arn:aws:iam::123456789012:role/teamf-staging-node
    type: EC2_LINUX
"""

RETURN = r"""
access_entry:
  description:
    - The entry as C(DescribeAccessEntry) returns it, keys in snake case (tags as they are).
    - Empty when absent, and in check mode when it would be created.
  returned: always
  type: dict
  contains:
    principal_arn:
      description: ARN of the IAM principal.
      type: str
    access_entry_arn:
      description: ARN of the access entry.
      type: str
    type:
      description: Kind of entry.
      type: str
      sample: STANDARD
    kubernetes_groups:
      description: Kubernetes groups of the principal.
      type: list
      elements: str
    username:
      description: Kubernetes username of the principal.
      type: str
    tags:
      description: Tags of the entry.
      type: dict
associated_access_policies:
  description: The associated access policies (C(ListAssociatedAccessPolicies)), keys in snake case.
  returned: always
  type: list
  elements: dict
  sample:
    - policy_arn: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy
      access_scope: {type: cluster, namespaces: []}
diff:
  description: Groups, username, access policies and tags before and after the run.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.teamf.platform.plugins.module_utils.eks import (
    NODE_ACCESS_ENTRY_TYPES,
    EKSConfigError,
    access_scope,
    arn_partition,
    associate_access_policy,
    compare_access_entry,
    compare_access_policies,
    create_access_entry,
    delete_access_entry,
    describe_access_entry,
    disassociate_access_policy,
    list_associated_access_policies,
    tag_resource,
    untag_resource,
    update_access_entry,
    wanted_access_policies,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def settings(entry, policies):
    if not entry:
        return {}
    return {
        "type": entry.get("type"),
        "kubernetes_groups": sorted(entry.get("kubernetesGroups") or []),
        "username": entry.get("username"),
        "access_policies": {p["policyArn"]: access_scope(p.get("accessScope")) for p in sorted_policies(policies)},
        "tags": dict(sorted((entry.get("tags") or {}).items())),
    }


def sorted_policies(policies):
    return sorted(policies or [], key=lambda policy: policy["policyArn"])


class AccessEntryManager:
    def __init__(self, module, client, wanted_policies):
        self.module = module
        self.client = client
        self.params = module.params
        self.cluster_name = module.params["cluster_name"]
        self.principal_arn = module.params["principal_arn"]
        self.wanted_policies = wanted_policies
        self.result = {"changed": False, "access_entry": {}, "associated_access_policies": []}

    def found(self, entry, policies):
        self.result["access_entry"] = camel_dict_to_snake_dict(entry or {}, ignore_list=["tags"])
        self.result["associated_access_policies"] = [
            camel_dict_to_snake_dict(policy) for policy in sorted_policies(policies)
        ]

    def diff(self, before, after):
        if self.module._diff:
            self.result["diff"] = {"before": before, "after": after}

    def read(self):
        entry = describe_access_entry(self.client, self.cluster_name, self.principal_arn)
        policies = list_associated_access_policies(self.client, self.cluster_name, self.principal_arn) if entry else []
        return entry, policies

    def ensure_present(self):
        entry, policies = self.read()
        if entry is None:
            self.create()
            return
        if entry.get("type") != self.params["type"]:
            raise EKSConfigError(
                f"type: the access entry of {self.principal_arn} is {entry.get('type')}; AWS cannot change the "
                f"type of an entry to {self.params['type']} (delete it first with state=absent)"
            )
        changes = compare_access_entry(entry, self.params["kubernetes_groups"], self.params["username"])
        to_associate, to_disassociate = {}, []
        if self.wanted_policies is not None:
            to_associate, to_disassociate = compare_access_policies(
                policies, self.wanted_policies, self.params["purge_access_policies"]
            )
        tags_to_set, tags_to_unset = {}, []
        if self.params["tags"] is not None:
            tags_to_set, tags_to_unset = compare_aws_tags(
                entry.get("tags") or {}, self.params["tags"], self.params["purge_tags"]
            )
        before = settings(entry, policies)
        after = dict(before)
        if "kubernetesGroups" in changes:
            after["kubernetes_groups"] = sorted(changes["kubernetesGroups"])
        after["username"] = changes.get("username", before["username"])
        after["access_policies"] = {
            arn: scope for arn, scope in before["access_policies"].items() if arn not in to_disassociate
        } | to_associate
        after["access_policies"] = dict(sorted(after["access_policies"].items()))
        after["tags"] = dict(
            sorted(({k: v for k, v in before["tags"].items() if k not in tags_to_unset} | tags_to_set).items())
        )
        self.diff(before, after)
        self.result["changed"] = bool(changes or to_associate or to_disassociate or tags_to_set or tags_to_unset)
        if self.module.check_mode or not self.result["changed"]:
            self.found(entry, policies)
            return
        if changes:
            update_access_entry(self.client, self.cluster_name, self.principal_arn, changes)
        if tags_to_unset:
            untag_resource(self.client, entry["accessEntryArn"], tags_to_unset)
        if tags_to_set:
            tag_resource(self.client, entry["accessEntryArn"], tags_to_set)
        self.apply_policies(to_associate, to_disassociate)
        self.found(*self.read())

    def apply_policies(self, to_associate, to_disassociate):
        for policy_arn in to_disassociate:
            disassociate_access_policy(self.client, self.cluster_name, self.principal_arn, policy_arn)
        for policy_arn, scope in to_associate.items():
            associate_access_policy(self.client, self.cluster_name, self.principal_arn, policy_arn, scope)

    def create(self):
        params = self.params
        self.result["changed"] = True
        self.diff(
            {},
            {
                "type": params["type"],
                "kubernetes_groups": sorted(params["kubernetes_groups"] or []),
                "username": params["username"],
                "access_policies": dict(sorted((self.wanted_policies or {}).items())),
                "tags": dict(sorted((params["tags"] or {}).items())),
            },
        )
        if self.module.check_mode:
            return
        request = {"clusterName": self.cluster_name, "principalArn": self.principal_arn, "type": params["type"]}
        if params["kubernetes_groups"]:
            request["kubernetesGroups"] = list(params["kubernetes_groups"])
        if params["username"]:
            request["username"] = params["username"]
        if params["tags"]:
            request["tags"] = dict(params["tags"])
        create_access_entry(self.client, request)
        self.apply_policies(self.wanted_policies or {}, [])
        self.found(*self.read())

    def ensure_absent(self):
        entry, policies = self.read()
        if entry is None:
            return
        self.result["changed"] = True
        self.diff(settings(entry, policies), {})
        self.found(entry, policies)
        if not self.module.check_mode:
            delete_access_entry(self.client, self.cluster_name, self.principal_arn)
            self.found(None, [])


def validate(module):
    """Wanted ``{policy ARN: scope}`` (None when access_policies is unset); fails before any AWS call."""
    params = module.params
    if not params["principal_arn"].startswith("arn:"):
        module.fail_json(msg=f"principal_arn: {params['principal_arn']!r} is not an IAM role or user ARN")
    if params["state"] == "absent":
        return None
    if params["type"] in NODE_ACCESS_ENTRY_TYPES:
        given = [option for option in ("kubernetes_groups", "username", "access_policies") if params[option]]
        if given:
            module.fail_json(msg=f"{', '.join(given)}: not allowed for an access entry of type {params['type']}")
    if params["access_policies"] is None:
        return None
    try:
        return wanted_access_policies(params["access_policies"], arn_partition(params["principal_arn"]))
    except EKSConfigError as exc:
        module.fail_json(msg=str(exc))


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        principal_arn=dict(type="str", required=True),
        type=dict(
            type="str",
            choices=["STANDARD", *NODE_ACCESS_ENTRY_TYPES],
            default="STANDARD",
        ),
        kubernetes_groups=dict(type="list", elements="str"),
        username=dict(type="str"),
        access_policies=dict(
            type="list",
            elements="dict",
            options=dict(
                policy=dict(type="str", required=True),
                access_scope=dict(
                    type="dict",
                    default={"type": "cluster"},
                    options=dict(
                        type=dict(type="str", choices=["cluster", "namespace"], default="cluster"),
                        namespaces=dict(type="list", elements="str", default=[]),
                    ),
                ),
            ),
        ),
        purge_access_policies=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    wanted_policies = validate(module)
    client = module.client("eks")
    manager = AccessEntryManager(module, client, wanted_policies)
    try:
        if module.params["state"] == "present":
            manager.ensure_present()
        else:
            manager.ensure_absent()
    except EKSConfigError as exc:
        module.fail_json(msg=str(exc))
    except AnsibleAWSError as exc:
        entry = f"access entry of {module.params['principal_arn']} in cluster {module.params['cluster_name']}"
        fail_with_context(module, exc, entry)
    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
