#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: eks_addon
short_description: Manage an Amazon EKS add-on (vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver, ...)
version_added: 0.2.0
description:
  - Installs, updates and removes an EKS add-on of a cluster.
  - The version is resolved against C(DescribeAddonVersions) for the cluster's Kubernetes version, so
    V(latest) and V(default) follow the cluster when it is upgraded.
  - An add-on or version EKS does not offer for the cluster's Kubernetes version fails before any
    change, listing what is available.
author: teamf platform engineers (@teamf)
options:
  cluster_name:
    description:
      - Name of the EKS cluster.
    type: str
    required: true
  name:
    description:
      - Name of the add-on, such as V(vpc-cni), V(coredns), V(kube-proxy) or V(aws-ebs-csi-driver).
    type: str
    required: true
  version:
    description:
      - V(default) is the version EKS marks as default for the cluster's Kubernetes version; an installed
        version newer than that is kept (add-ons are not downgraded).
      - V(latest) is the newest version compatible with the cluster's Kubernetes version.
      - Anything else is an explicit version such as V(v1.19.2-eksbuild.1).
    type: str
    default: default
  configuration_values:
    description:
      - Add-on configuration (it must match the add-on's configuration schema); sent as JSON.
      - Compared as data with what the add-on has, so formatting and key order do not matter.
      - When not set the configuration is left as it is; V({}) removes it.
    type: dict
  service_account_role_arn:
    description:
      - IAM role for the add-on's service account (IRSA).
      - When not set the role is left as it is; an empty string removes it.
    type: str
  resolve_conflicts:
    description:
      - What to do with Kubernetes fields the add-on would overwrite when it is created or updated.
    type: str
    choices: [NONE, OVERWRITE, PRESERVE]
    default: OVERWRITE
  state:
    description:
      - V(present) installs or updates the add-on; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait for the add-on to be C(ACTIVE) after creation or update, and gone after deletion.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait.
    type: int
    default: 1200
notes:
  - Supports check mode and diff mode. In check mode nothing is installed, updated, tagged or removed.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: VPC CNI with prefix delegation and its IRSA role
  teamf.platform.eks_addon:
    cluster_name: teamf-staging
    name: vpc-cni
    version: latest
    service_account_role_arn: "{{ vpc_cni_role_arn }}"
    configuration_values:
      env:
        ENABLE_PREFIX_DELEGATION: "true"

- name: CoreDNS at the default version for the cluster
  teamf.platform.eks_addon:
    cluster_name: teamf-staging
    name: coredns

- name: Remove the EBS CSI driver
  teamf.platform.eks_addon:
    cluster_name: teamf-staging
    name: aws-ebs-csi-driver
    state: absent
"""

RETURN = r"""
addon:
  description:
    - The add-on as C(DescribeAddon) returns it, keys in snake case (tags as they are).
    - Empty when absent, and in check mode when it would be created.
  returned: always
  type: dict
  contains:
    addon_name:
      description: Name of the add-on.
      type: str
      sample: vpc-cni
    addon_version:
      description: Installed version.
      type: str
      sample: v1.19.2-eksbuild.1
    addon_arn:
      description: ARN of the add-on.
      type: str
    status:
      description: C(CREATING), C(ACTIVE), C(UPDATING), C(DEGRADED), C(DELETING), ...
      type: str
      sample: ACTIVE
    configuration_values:
      description: The configuration as AWS stores it (a JSON or YAML string).
      type: str
    service_account_role_arn:
      description: IAM role of the add-on's service account.
      type: str
    tags:
      description: Tags of the add-on.
      type: dict
updates:
  description: IDs of the add-on updates started (none in check mode).
  returned: always
  type: list
  elements: str
diff:
  description: Version, configuration, service account role and tags before and after the run.
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
    EKSConfigError,
    addon_versions,
    compare_addon,
    configuration_json,
    create_addon,
    delete_addon,
    describe_addon,
    describe_addon_versions,
    describe_cluster,
    parse_configuration_values,
    resolve_addon_version,
    tag_resource,
    untag_resource,
    update_addon,
    wait_addon,
    wait_update,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def settings(addon):
    if not addon:
        return {}
    return {
        "version": addon.get("addonVersion"),
        "configuration_values": parse_configuration_values(addon.get("configurationValues")),
        "service_account_role_arn": addon.get("serviceAccountRoleArn") or "",
        "tags": dict(sorted((addon.get("tags") or {}).items())),
    }


class AddonManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.cluster_name = module.params["cluster_name"]
        self.name = module.params["name"]
        self.result = {"changed": False, "addon": {}, "updates": []}

    def found(self, addon):
        self.result["addon"] = camel_dict_to_snake_dict(addon or {}, ignore_list=["tags"])

    def diff(self, before, after):
        if self.module._diff:
            self.result["diff"] = {"before": settings(before), "after": after}

    def wanted_version(self, addon):
        cluster = describe_cluster(self.client, self.cluster_name)
        if cluster is None:
            raise EKSConfigError(f"cluster_name: cluster {self.cluster_name} does not exist")
        kubernetes_version = cluster["version"]
        infos = describe_addon_versions(self.client, kubernetes_version, self.name)
        versions = addon_versions(infos[0] if infos else None, kubernetes_version)
        if not versions:
            available = sorted(info["addonName"] for info in describe_addon_versions(self.client, kubernetes_version))
            raise EKSConfigError(
                f"name: add-on {self.name} is not available for Kubernetes {kubernetes_version}; "
                f"available add-ons: {', '.join(available)}"
            )
        try:
            return resolve_addon_version(self.params["version"], versions, (addon or {}).get("addonVersion"))
        except EKSConfigError as exc:
            raise EKSConfigError(f"{exc} (add-on {self.name}, Kubernetes {kubernetes_version})") from None

    def ensure_present(self):
        addon = describe_addon(self.client, self.cluster_name, self.name)
        version = self.wanted_version(addon)
        values = self.params["configuration_values"]
        role = self.params["service_account_role_arn"]
        tags = self.params["tags"]
        if addon is None:
            self.create(version, values, role, tags)
            return

        changes = compare_addon(addon, version, values, role)
        tags_to_set, tags_to_unset = {}, []
        if tags is not None:
            tags_to_set, tags_to_unset = compare_aws_tags(addon.get("tags") or {}, tags, self.params["purge_tags"])
        after = settings(addon)
        after.update(version=version)
        if values is not None:
            after["configuration_values"] = values
        if role is not None:
            after["service_account_role_arn"] = role
        after["tags"] = dict(
            sorted(({k: v for k, v in after["tags"].items() if k not in tags_to_unset} | tags_to_set).items())
        )
        self.diff(addon, after)
        self.result["changed"] = bool(changes or tags_to_set or tags_to_unset)
        if self.module.check_mode or not self.result["changed"]:
            self.found(addon)
            return
        if tags_to_unset:
            untag_resource(self.client, addon["addonArn"], tags_to_unset)
        if tags_to_set:
            tag_resource(self.client, addon["addonArn"], tags_to_set)
        if changes:
            changes["resolveConflicts"] = self.params["resolve_conflicts"]
            update = update_addon(self.client, self.cluster_name, self.name, changes)
            self.result["updates"].append(update["id"])
            if self.params["wait"]:
                wait_update(self.client, self.cluster_name, update, self.params["wait_timeout"], self.name)
                wait_addon(self.client, self.cluster_name, self.name, "active", self.params["wait_timeout"])
        self.found(describe_addon(self.client, self.cluster_name, self.name))

    def create(self, version, values, role, tags):
        self.result["changed"] = True
        self.diff(
            None,
            {
                "version": version,
                "configuration_values": values or {},
                "service_account_role_arn": role or "",
                "tags": dict(sorted((tags or {}).items())),
            },
        )
        if self.module.check_mode:
            return
        request = {
            "clusterName": self.cluster_name,
            "addonName": self.name,
            "addonVersion": version,
            "resolveConflicts": self.params["resolve_conflicts"],
        }
        if values:
            request["configurationValues"] = configuration_json(values)
        if role:
            request["serviceAccountRoleArn"] = role
        if tags:
            request["tags"] = dict(tags)
        create_addon(self.client, request)
        if self.params["wait"]:
            wait_addon(self.client, self.cluster_name, self.name, "active", self.params["wait_timeout"])
        self.found(describe_addon(self.client, self.cluster_name, self.name))

    def ensure_absent(self):
        addon = describe_addon(self.client, self.cluster_name, self.name)
        if addon is None:
            return
        self.found(addon)
        self.diff(addon, {})
        if addon["status"] != "DELETING":
            self.result["changed"] = True
            if self.module.check_mode:
                return
            delete_addon(self.client, self.cluster_name, self.name)
        if self.params["wait"] and not self.module.check_mode:
            wait_addon(self.client, self.cluster_name, self.name, "deleted", self.params["wait_timeout"])
            self.result["addon"] = {}


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        name=dict(type="str", required=True),
        version=dict(type="str", default="default"),
        configuration_values=dict(type="dict"),
        service_account_role_arn=dict(type="str"),
        resolve_conflicts=dict(type="str", choices=["NONE", "OVERWRITE", "PRESERVE"], default="OVERWRITE"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1200),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    role = module.params["service_account_role_arn"]
    if role and not role.startswith("arn:"):
        module.fail_json(msg=f"service_account_role_arn: {role!r} is not an IAM role ARN")
    client = module.client("eks")
    manager = AddonManager(module, client)
    try:
        if module.params["state"] == "present":
            manager.ensure_present()
        else:
            manager.ensure_absent()
    except EKSConfigError as exc:
        module.fail_json(msg=str(exc))
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"add-on {module.params['name']} of cluster {module.params['cluster_name']}")
    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
