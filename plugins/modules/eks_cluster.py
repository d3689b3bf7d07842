#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: eks_cluster
short_description: Manage an EKS cluster, its endpoint access, logging, encryption, access mode and version
version_added: 0.2.0
description:
  - Creates, updates in place and deletes an Amazon EKS cluster (the control plane).
  - Unlike M(community.aws.eks_cluster) it manages endpoint access and public CIDRs, subnets and
    security groups, control plane logging, secrets encryption, the authentication mode, tags and
    Kubernetes version upgrades of an existing cluster.
  - AWS runs one update of a cluster at a time. The module starts the updates it needs one after the
    other and waits for each to be C(Successful) (C(DescribeUpdate)) before it starts the next.
  - Changes AWS cannot make fail before any change, such as a version jump of more than one minor version or
    a downgrade, an authentication mode going backwards, a different secrets encryption key.
author: teamf platform engineers (@teamf)
options:
  name:
    description:
      - Name of the cluster.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the cluster; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  version:
    description:
      - Kubernetes version of the control plane, a minor version such as V(1.32).
      - Required to create the cluster.
      - On an existing cluster a newer version is reached one minor version per run (EKS upgrades the
        control plane one minor version at a time); a larger jump or a downgrade fails.
    type: str
  role_arn:
    description:
      - ARN of the IAM role the control plane uses.
      - Required to create the cluster; AWS cannot change it later, so a different value on an
        existing cluster only warns.
    type: str
  subnet_ids:
    description:
      - Subnets for the cluster's network interfaces (at least two availability zones).
      - Required to create the cluster; a different set on an existing cluster is a C(VpcConfigUpdate).
    type: list
    elements: str
  security_group_ids:
    description:
      - Additional security groups for the cluster's network interfaces.
      - Groups of the cluster that are not listed are removed.
    type: list
    elements: str
    default: []
  endpoint_public_access:
    description:
      - Whether the Kubernetes API endpoint is reachable from the internet.
    type: bool
    default: true
  endpoint_private_access:
    description:
      - Whether the Kubernetes API endpoint is reachable from inside the VPC.
    type: bool
    default: true
  public_access_cidrs:
    description:
      - CIDR blocks allowed to reach the public endpoint; ignored when O(endpoint_public_access=false).
    type: list
    elements: str
    default: ["0.0.0.0/0"]
  logging:
    description:
      - Control plane log types to send to CloudWatch Logs; the types not listed are disabled.
    type: list
    elements: str
    choices: [api, audit, authenticator, controllerManager, scheduler]
    default: []
  encryption_kms_key_arn:
    description:
      - ARN of the KMS key that encrypts Kubernetes secrets (envelope encryption).
      - Set at creation, or associated later with C(AssociateEncryptionConfig). AWS cannot change or
        remove the key of an encrypted cluster, so a different key fails.
      - When not set, the cluster's encryption is left as it is.
    type: str
  authentication_mode:
    description:
      - How the cluster authenticates IAM principals, V(CONFIG_MAP) (the C(aws-auth) ConfigMap),
        V(API) (access entries) or both.
      - AWS only moves forward, V(CONFIG_MAP) -> V(API_AND_CONFIG_MAP) -> V(API); the module makes each
        step in turn, and going back fails.
    type: str
    choices: [CONFIG_MAP, API_AND_CONFIG_MAP, API]
    default: API_AND_CONFIG_MAP
  bootstrap_cluster_creator_admin:
    description:
      - Whether the principal that creates the cluster gets a cluster-admin access entry.
      - Only used at creation; a different value on an existing cluster warns.
    type: bool
    default: true
  wait:
    description:
      - Wait for the cluster to be C(ACTIVE) after creation and after each update, and for the deletion
        to finish.
      - Successive updates always wait for the previous one, as AWS requires.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each create, update or delete.
    type: int
    default: 1800
notes:
  - Supports check mode and diff mode. In check mode nothing is created, updated, tagged or deleted;
    C(changed) predicts whether the run would change something.
  - Managed node groups and Fargate profiles must be deleted before the cluster.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Staging cluster with a private and a restricted public endpoint
  teamf.platform.eks_cluster:
    name: teamf-staging
    version: "1.32"
    role_arn: "{{ eks_cluster_role_arn }}"
    subnet_ids: "{{ eks_private_subnet_ids }}"
    endpoint_public_access: true
    endpoint_private_access: true
    public_access_cidrs: [203.0.113.0/24]
    logging: [api, audit, authenticator]
    encryption_kms_key_arn: "{{ eks_secrets_key_arn }}"
    authentication_mode: API
    tags:
      Environment: staging
  register: staging_cluster

- name: Upgrade the control plane by one minor version
  teamf.platform.eks_cluster:
    name: teamf-staging
    version: "1.33"

- name: Delete the cluster (its node groups must be gone)
  teamf.platform.eks_cluster:
    name: teamf-staging
    state: absent
"""

RETURN = r"""
cluster:
  description:
    - The cluster as C(DescribeCluster) returns it, keys in snake case (tags as they are).
    - Empty when the cluster is absent, and in check mode when it would be created.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the cluster.
      type: str
      sample: arn:aws:eks:ap-northeast-2:123456789012:cluster/teamf-staging
    name:
      description: Name of the cluster.
      type: str
    version:
      description: Kubernetes version of the control plane.
      type: str
      sample: "1.32"
    status:
      description: C(CREATING), C(ACTIVE), C(UPDATING), C(DELETING) or C(FAILED).
      type: str
      sample: ACTIVE
    endpoint:
      description: URL of the Kubernetes API server.
      type: str
    certificate_authority:
      description: The cluster's certificate authority; C(data) is the base64 PEM certificate.
      type: dict
    identity:
      description: The cluster's OIDC issuer in C(oidc.issuer), for IRSA.
      type: dict
      sample: {"oidc": {"issuer": "https://oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLE"}}
    resources_vpc_config:
      description:
        - Subnets, security groups, VPC, endpoint access and public CIDRs.
        - C(cluster_security_group_id) is the security group EKS created for the cluster.
      type: dict
    logging:
      description: Enabled and disabled control plane log types.
      type: dict
    encryption_config:
      description: Secrets encryption configuration.
      type: list
      elements: dict
    access_config:
      description: C(authentication_mode) and C(bootstrap_cluster_creator_admin_permissions).
      type: dict
    tags:
      description: Tags of the cluster.
      type: dict
updates:
  description: IDs of the cluster updates started (none in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["0f0ab0b2-4cbb-3f3b-8f8e-0d1e9d1c1b2a"]
diff:
  description: The managed settings before and after the run.
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
    cluster_fields,
    create_cluster,
    create_cluster_request,
    delete_cluster,
    describe_cluster,
    kubernetes_minor,
    plan_cluster_updates,
    start_cluster_update,
    tag_resource,
    untag_resource,
    wait_cluster,
    wait_update,
    wanted_cluster_fields,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule

REQUIRED_TO_CREATE = ("version", "role_arn", "subnet_ids")


class ClusterManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.name = module.params["name"]
        self.result = {"changed": False, "cluster": {}, "updates": []}

    def wait_active(self):
        wait_cluster(self.client, self.name, "active", self.params["wait_timeout"])

    def found(self, cluster):
        self.result["cluster"] = camel_dict_to_snake_dict(cluster or {}, ignore_list=["tags"])

    def diff(self, current, after):
        if self.module._diff:
            self.result["diff"] = {"before": cluster_fields(current), "after": after}

    def ensure_present(self):
        cluster = describe_cluster(self.client, self.name)
        if cluster is None:
            self.create()
            return
        if self.params["wait"] and cluster["status"] in ("CREATING", "UPDATING"):
            self.wait_active()
            cluster = describe_cluster(self.client, self.name)
        self.warn_create_only(cluster)
        updates = plan_cluster_updates(cluster, self.params)
        tags_to_set, tags_to_unset = {}, []
        if self.params["tags"] is not None:
            tags_to_set, tags_to_unset = compare_aws_tags(
                cluster.get("tags") or {}, self.params["tags"], self.params["purge_tags"]
            )
        self.diff(cluster, wanted_cluster_fields(self.params, cluster_fields(cluster)))
        self.result["changed"] = bool(updates or tags_to_set or tags_to_unset)
        if self.module.check_mode or not self.result["changed"]:
            self.found(cluster)
            return
        if tags_to_unset:
            untag_resource(self.client, cluster["arn"], tags_to_unset)
        if tags_to_set:
            tag_resource(self.client, cluster["arn"], tags_to_set)
        for index, (update_type, kwargs) in enumerate(updates):
            update = start_cluster_update(self.client, self.name, update_type, kwargs)
            self.result["updates"].append(update["id"])
            # AWS refuses an update while another one runs: always wait, except after the last one.
            if self.params["wait"] or index < len(updates) - 1:
                wait_update(self.client, self.name, update, self.params["wait_timeout"])
                self.wait_active()
        self.found(describe_cluster(self.client, self.name))

    def warn_create_only(self, cluster):
        if self.params["role_arn"] and self.params["role_arn"] != cluster.get("roleArn"):
            self.module.warn(
                f"role_arn: the cluster runs with {cluster.get('roleArn')}; AWS cannot change the role of an "
                f"existing cluster, so {self.params['role_arn']} is ignored"
            )
        bootstrap = (cluster.get("accessConfig") or {}).get("bootstrapClusterCreatorAdminPermissions")
        if bootstrap is not None and bootstrap != self.params["bootstrap_cluster_creator_admin"]:
            self.module.warn(
                f"bootstrap_cluster_creator_admin: the cluster was created with {bootstrap}; it only applies "
                "at creation (manage the creator's access with teamf.platform.eks_access_entry)"
            )

    def create(self):
        missing = [option for option in REQUIRED_TO_CREATE if not self.params[option]]
        if missing:
            self.module.fail_json(msg=f"cluster {self.name} does not exist; {', '.join(missing)} required to create it")
        self.result["changed"] = True
        self.diff(None, wanted_cluster_fields(self.params, {}))
        if self.module.check_mode:
            return
        create_cluster(self.client, create_cluster_request(self.params))
        if self.params["wait"]:
            self.wait_active()
        self.found(describe_cluster(self.client, self.name))

    def ensure_absent(self):
        cluster = describe_cluster(self.client, self.name)
        if cluster is None:
            return
        self.diff(cluster, {})
        self.found(cluster)
        if cluster["status"] != "DELETING":
            self.result["changed"] = True
            if self.module.check_mode:
                return
            delete_cluster(self.client, self.name)
        if self.params["wait"] and not self.module.check_mode:
            wait_cluster(self.client, self.name, "deleted", self.params["wait_timeout"])
            self.result["cluster"] = {}


def validate(module):
    """Refuse malformed input before any AWS call."""
    version = module.params["version"]
    if version is not None and kubernetes_minor(version) is None:
        module.fail_json(msg=f"version: {version!r} is not a Kubernetes minor version such as '1.32'")
    if module.params["state"] == "present" and not (
        module.params["endpoint_public_access"] or module.params["endpoint_private_access"]
    ):
        module.fail_json(msg="endpoint_public_access, endpoint_private_access: at least one endpoint must be enabled")
    if module.params["subnet_ids"] is not None and len(module.params["subnet_ids"]) < 2:
        module.fail_json(msg="subnet_ids: EKS needs subnets in at least two availability zones")


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        version=dict(type="str"),
        role_arn=dict(type="str"),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str", default=[]),
        endpoint_public_access=dict(type="bool", default=True),
        endpoint_private_access=dict(type="bool", default=True),
        public_access_cidrs=dict(type="list", elements="str", default=["0.0.0.0/0"]),
        logging=dict(
            type="list",
            elements="str",
            choices=["api", "audit", "authenticator", "controllerManager", "scheduler"],
            default=[],
        ),
        encryption_kms_key_arn=dict(type="str", no_log=False),
        authentication_mode=dict(
            type="str", choices=["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"], default="API_AND_CONFIG_MAP"
        ),
        bootstrap_cluster_creator_admin=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("eks")
    manager = ClusterManager(module, client)
    try:
        if module.params["state"] == "present":
            manager.ensure_present()
        else:
            manager.ensure_absent()
    except EKSConfigError as exc:
        module.fail_json(msg=f"cluster {module.params['name']}: {exc}")
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"cluster {module.params['name']}")
    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
