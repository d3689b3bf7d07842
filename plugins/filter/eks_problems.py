# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: eks_problems
short_description: Every problem of an EKS cluster definition, before any AWS call
version_added: 0.4.0
description:
  - Checks the P(teamf.platform.eks#role) role's inputs against what C(CreateCluster),
    C(CreateAccessEntry) and IAM accept, so a mistake fails in validation, not after the VPC and roles
    were built.
  - The cluster name (1 to 100 letters, digits, C(-), C(_), starting with a letter or digit), the
    Kubernetes version (a quoted string such as V("1.32"); YAML reads an unquoted V(1.30) as the number
    V(1.3)), public access CIDRs, log types, the KMS key ARN, access entries (principal ARNs, access
    policies and scopes) and IRSA roles (names that fit IAM's 64 characters).
  - Returns every message at once (empty when all is well); each names the variable, the value and the fix.
options:
  _input:
    description: The role's variables, as a mapping (C(eks_cluster_name), C(eks_version), ...).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Refuse what EKS would refuse, before anything is created
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: "{{ {'eks_cluster_name': eks_cluster_name, 'eks_version': eks_version} | teamf.platform.eks_problems }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the definition is valid.
  type: list
  elements: string
"""

import ipaddress
import re

CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
VERSION = re.compile(r"^1\.\d{1,2}$")
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")
PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)/.+$")
# EKS access policies (ListAccessPolicies).
ACCESS_POLICIES = (
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSViewPolicy",
)
POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:eks::aws:cluster-access-policy/\w+$")
IAM_ROLE_NAME_MAX = 64


def _access_entry_problems(entries):
    if not isinstance(entries, list):
        return [f"eks_access_entries: {entries!r} must be a list of {{principal_arn, ...}}"]
    problems = []
    for index, entry in enumerate(entries):
        where = f"eks_access_entries[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: {entry!r} must be a mapping with principal_arn")
            continue
        arn = entry.get("principal_arn")
        if not isinstance(arn, str) or not PRINCIPAL_ARN.match(arn):
            problems.append(
                f"{where}.principal_arn: {arn!r} must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)"
            )
        for position, policy in enumerate(entry.get("access_policies", [])):
            name = policy.get("policy") if isinstance(policy, dict) else None
            if name not in ACCESS_POLICIES and not POLICY_ARN.match(str(name)):
                problems.append(
                    f"{where}.access_policies[{position}].policy: {name!r} must be one of {', '.join(ACCESS_POLICIES)} "
                    "(or its arn:aws:eks::aws:cluster-access-policy/ ARN)"
                )
            scope = (policy.get("access_scope") if isinstance(policy, dict) else None) or {"type": "cluster"}
            if scope.get("type") not in ("cluster", "namespace"):
                problems.append(
                    f"{where}.access_policies[{position}].access_scope.type: {scope.get('type')!r} "
                    "must be 'cluster' or 'namespace'"
                )
            elif scope["type"] == "namespace" and not scope.get("namespaces"):
                problems.append(
                    f"{where}.access_policies[{position}].access_scope: a namespace scope needs namespaces: [...]"
                )
    return problems


def _irsa_problems(cluster, roles):
    if not isinstance(roles, list):
        return [f"eks_irsa_roles: {roles!r} must be a list of {{name, namespace, service_account}}"]
    problems = []
    for index, role in enumerate(roles):
        where = f"eks_irsa_roles[{index}]"
        if not isinstance(role, dict):
            problems.append(f"{where}: {role!r} must be a mapping with name, namespace and service_account")
            continue
        missing = [key for key in ("name", "namespace", "service_account") if not role.get(key)]
        if missing:
            problems.append(f"{where}: set {', '.join(missing)}")
            continue
        role_name = f"{cluster}-{role['name']}"
        if len(role_name) > IAM_ROLE_NAME_MAX:
            problems.append(
                f"{where}.name: the IAM role {role_name!r} is {len(role_name)} characters, IAM allows "
                f"{IAM_ROLE_NAME_MAX}; shorten the name (or eks_cluster_name)"
            )
    return problems


def eks_problems(definition):
    problems = []
    name = definition.get("eks_cluster_name")
    if not isinstance(name, str) or not CLUSTER_NAME.match(name):
        problems.append(
            f"eks_cluster_name: {name!r} must be 1 to 100 letters, digits, '-' or '_', starting with a letter or digit"
        )
    version = definition.get("eks_version")
    if isinstance(version, float):
        problems.append(f'eks_version: {version!r} was read as a number; quote it, e.g. eks_version: "{version}"')
    elif version is not None and (not isinstance(version, str) or not VERSION.match(version)):
        problems.append(f'eks_version: {version!r} must be a Kubernetes minor version such as "1.32"')
    for cidr in definition.get("eks_public_access_cidrs") or []:
        try:
            ipaddress.IPv4Network(str(cidr))
        except ValueError:
            problems.append(f"eks_public_access_cidrs: {cidr!r} is not an IPv4 CIDR such as 203.0.113.0/24")
    unknown_logs = [log for log in definition.get("eks_logging") or [] if log not in LOG_TYPES]
    if unknown_logs:
        problems.append(f"eks_logging: {', '.join(map(str, unknown_logs))} unknown; choose from {', '.join(LOG_TYPES)}")
    key = definition.get("eks_kms_key_arn") or ""
    if key and not KMS_ARN.match(str(key)):
        problems.append(f"eks_kms_key_arn: {key!r} must be a KMS key ARN, or empty to let the role create one")
    for arn in definition.get("eks_admin_principals") or []:
        if not PRINCIPAL_ARN.match(str(arn)):
            problems.append(f"eks_admin_principals: {arn!r} must be an IAM role or user ARN")
    problems += _access_entry_problems(definition.get("eks_access_entries") or [])
    problems += _irsa_problems(name, definition.get("eks_irsa_roles") or [])
    return problems


class FilterModule:
    def filters(self):
        return {"eks_problems": eks_problems}
