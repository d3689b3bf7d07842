#!/usr/bin/python
# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: eks_cluster_info
short_description: Read an EKS cluster with its add-ons, access entries, nodegroups and OIDC provider
version_added: 0.2.0
author: teamf platform engineers (@teamf)
description:
  - Reads one cluster, or every cluster in the region, as AWS reports it. Nothing is changed.
  - For each cluster also lists its managed add-ons, access entries with their associated access
    policies, managed nodegroups and the IAM OIDC provider registered for its issuer (if any).
options:
  name:
    description: Cluster name. Omit to read every cluster in the region.
    type: str
  details:
    description: Also read add-ons, access entries, nodegroups and the OIDC provider.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Read the production cluster
  teamf.platform.eks_cluster_info:
    name: teamf-prod
  register: prod

- name: Show its endpoint and add-on versions
  ansible.builtin.debug:
    msg: >-
      {{ prod.clusters[0].endpoint }}
      {{ prod.clusters[0].addons | items2dict(key_name='addon_name', value_name='addon_version') }}
"""

RETURN = r"""
clusters:
  description: The clusters found (empty when O(name) does not exist).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Cluster name.
      type: str
    status:
      description: C(CREATING), C(ACTIVE), C(UPDATING), C(DELETING) or C(FAILED).
      type: str
    endpoint:
      description: API server endpoint.
      type: str
    identity:
      description: Contains C(oidc.issuer).
      type: dict
    addons:
      description: Managed add-ons (DescribeAddon), when O(details=true).
      type: list
      elements: dict
    access_entries:
      description: Access entries, each with C(associated_access_policies), when O(details=true).
      type: list
      elements: dict
    nodegroups:
      description: Managed nodegroups (DescribeNodegroup), when O(details=true).
      type: list
      elements: dict
    oidc_provider_arn:
      description: ARN of the IAM OIDC provider for the cluster's issuer, or an empty string.
      type: str
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.eks_info import list_clusters, read_cluster
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def main():
    module = PlatformAWSModule(
        argument_spec=dict(name=dict(type="str"), details=dict(type="bool", default=True)),
        supports_check_mode=True,
    )
    eks = module.client("eks")
    iam = module.client("iam")
    try:
        names = [module.params["name"]] if module.params["name"] else list_clusters(eks)
        clusters = [read_cluster(eks, iam, name, module.params["details"]) for name in names]
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, clusters=[cluster for cluster in clusters if cluster is not None])


if __name__ == "__main__":
    main()
