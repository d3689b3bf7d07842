"""EKS access entries and access policies.

What moto 5.2.5 does: none of CreateAccessEntry, DescribeAccessEntry, ListAccessEntries,
UpdateAccessEntry, DeleteAccessEntry, AssociateAccessPolicy, DisassociateAccessPolicy,
ListAssociatedAccessPolicies or ListAccessPolicies exist (404), and CreateCluster ignores
``accessConfig``.

What AWS documents:
https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_AccessEntry.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateAccessEntry.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_DeleteAccessEntry.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_AssociateAccessPolicy.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_DisassociateAccessPolicy.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAssociatedAccessPolicies.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAccessPolicies.html
https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html and
https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html: access entries
need authentication mode API or API_AND_CONFIG_MAP (InvalidRequestException otherwise); the
username defaults to the user ARN, or to ``arn:aws:sts::<account>:assumed-role/<role>/{{SessionName}}``
for a role; node types (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX) take neither username
nor groups and cannot have access policies; with ``bootstrapClusterCreatorAdminPermissions`` (default
true) CreateCluster gives its caller an access entry with AmazonEKSClusterAdminPolicy.

What the fix changes: adds the routes and operations, storing entries on their cluster (so tags and
deletion follow the cluster), and wraps CreateCluster to create the creator's entry when the cluster
is created with access entries enabled. moto's caller is represented by the account root
``arn:aws:iam::<account>:root``.
"""

from __future__ import annotations

import re
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.eks.exceptions import InvalidRequestException, ResourceInUseException, ResourceNotFoundException
from moto.eks.responses import EKSResponse
from moto.moto_api._internal import mock_random as random

from emulator.fixes.eks_updates import (
    add_actions,
    add_routes,
    backend,
    get_cluster,
    invalid_parameter,
    state,
    wrap,
)

ROUTES = [
    "/clusters/(?P<name>[^/]+)/access-entries$",
    # principalArn contains "/" (sent as %2F, decoded before Flask routes): one greedy route
    # serves the entry, its access-policies list and a single association.
    "/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$",
    "/access-policies$",
]

POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/{}"
ACCESS_POLICIES = [
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSViewPolicy",
]
NODE_TYPES = {"EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX", "HYPERPOD_LINUX", "EC2"}
ENTRY_TYPES = NODE_TYPES | {"STANDARD"}
PRINCIPAL = re.compile(r"arn:(?P<partition>[^:]+):iam::(?P<account>\d{12}):(?P<kind>role|user|root)(?:/(?P<path>.+))?$")
ENTRY_ARN = "arn:{partition}:eks:{region}:{account}:access-entry/{cluster}/{kind}/{principal_account}/{name}/{uuid}"

MODE_MESSAGE = (
    "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."
)
NOT_FOUND_MESSAGE = (
    "The specified principalArn could not be found. You can view your available access entries "
    "with 'list-access-entries'."
)


class AccessEntry:
    def __init__(self, cluster, principal_arn: str, entry_type: str, account: str, region: str, partition: str):
        match = PRINCIPAL.match(principal_arn)
        kind = match.group("kind")
        name = (match.group("path") or "root").split("/")[-1]
        self.cluster_name = cluster.name
        self.principal_arn = principal_arn
        self.type = entry_type
        self.access_entry_arn = ENTRY_ARN.format(
            partition=partition,
            region=region,
            account=account,
            cluster=cluster.name,
            kind=kind,
            principal_account=match.group("account"),
            name=name,
            uuid=random.uuid4(),
        )
        if entry_type in NODE_TYPES:
            self.username = "system:node:{{EC2PrivateDNSName}}"
            if entry_type == "FARGATE_LINUX":
                self.username = "system:node:{{SessionName}}"
            self.kubernetes_groups = ["system:nodes"]
        else:
            self.username = (
                f"arn:{partition}:sts::{match.group('account')}:assumed-role/{name}/{{{{SessionName}}}}"
                if kind == "role"
                else principal_arn
            )
            self.kubernetes_groups = []
        self.created_at = self.modified_at = utcnow()
        self.tags: dict[str, str] = {}
        self.policies: dict[str, dict[str, Any]] = {}

    @property
    def arn(self) -> str:
        return self.access_entry_arn

    def describe(self) -> dict[str, Any]:
        return {
            "clusterName": self.cluster_name,
            "principalArn": self.principal_arn,
            "kubernetesGroups": list(self.kubernetes_groups),
            "accessEntryArn": self.access_entry_arn,
            "createdAt": self.created_at,
            "modifiedAt": self.modified_at,
            "tags": dict(self.tags),
            "username": self.username,
            "type": self.type,
        }


def _access_cluster(response: EKSResponse):
    cluster = get_cluster(backend(response), response._get_param("name"))
    mode = (cluster.__dict__.get("access_config") or {}).get("authenticationMode", "CONFIG_MAP")
    if mode not in ("API", "API_AND_CONFIG_MAP"):
        raise InvalidRequestException(message=MODE_MESSAGE)
    return cluster


def _entry(response: EKSResponse) -> tuple[Any, AccessEntry]:
    cluster = _access_cluster(response)
    # the greedy route may have captured ".../access-policies[/<policyArn>]" too; the botocore
    # router has already split the path correctly into uri parameters
    principal = response.uri_match.get("principalArn") or response._get_param("principalArn")
    entry = state(cluster, "access_entries", dict).get(principal)
    if entry is None:
        raise ResourceNotFoundException(clusterName=cluster.name, message=NOT_FOUND_MESSAGE)
    return cluster, entry


def add_access_entry(
    eks, cluster, principal_arn: str, entry_type: str = "STANDARD", username=None, groups=None, tags=None
) -> AccessEntry:
    if not PRINCIPAL.match(principal_arn or ""):
        raise invalid_parameter(f"The specified principalArn is invalid: {principal_arn}")
    if entry_type not in ENTRY_TYPES:
        raise invalid_parameter(f"The specified type {entry_type} is invalid")
    if entry_type in NODE_TYPES and (username or groups):
        raise invalid_parameter(
            f"Username and kubernetesGroups cannot be specified for access entries of type {entry_type}"
        )
    entries = state(cluster, "access_entries", dict)
    if principal_arn in entries:
        raise ResourceInUseException(
            clusterName=cluster.name, message="The specified access entry resource is already in use on this cluster."
        )
    entry = AccessEntry(cluster, principal_arn, entry_type, eks.account_id, eks.region_name, eks.partition)
    if username:
        entry.username = username
    if groups:
        entry.kubernetes_groups = list(groups)
    entry.tags = dict(tags or {})
    entries[principal_arn] = entry
    return entry


def associate_policy(entry: AccessEntry, policy_arn: str, scope: dict[str, Any]) -> dict[str, Any]:
    if policy_arn not in [POLICY_ARN.format(name) for name in ACCESS_POLICIES]:
        raise invalid_parameter(f"The specified policyArn is invalid: {policy_arn}")
    if entry.type != "STANDARD":
        raise invalid_parameter(f"Access policies cannot be associated with access entries of type {entry.type}")
    scope_type = (scope or {}).get("type")
    namespaces = list((scope or {}).get("namespaces") or [])
    if scope_type not in ("cluster", "namespace"):
        raise invalid_parameter("accessScope type must be cluster or namespace")
    if scope_type == "namespace" and not namespaces:
        raise invalid_parameter("At least one namespace must be specified for an access scope of type namespace")
    if scope_type == "cluster" and namespaces:
        raise invalid_parameter("Namespaces cannot be specified for an access scope of type cluster")
    now = utcnow()
    previous = entry.policies.get(policy_arn)
    entry.policies[policy_arn] = {
        "policyArn": policy_arn,
        "accessScope": {"type": scope_type, "namespaces": namespaces},
        "associatedAt": previous["associatedAt"] if previous else now,
        "modifiedAt": now,
    }
    return entry.policies[policy_arn]


def _create_cluster(original):
    def create_cluster(self: EKSResponse) -> ActionResult:
        result = original(self)
        cluster = result.result["cluster"]
        access = self._get_param("accessConfig") or {}
        mode = access.get("authenticationMode", "CONFIG_MAP")
        if access.get("bootstrapClusterCreatorAdminPermissions", True) and mode != "CONFIG_MAP":
            eks = backend(self)
            creator = f"arn:{eks.partition}:iam::{self.current_account}:root"
            entry = add_access_entry(eks, cluster, creator)
            associate_policy(entry, POLICY_ARN.format("AmazonEKSClusterAdminPolicy"), {"type": "cluster"})
        return result

    return create_cluster


def create_access_entry(self: EKSResponse) -> ActionResult:
    cluster = _access_cluster(self)
    entry = add_access_entry(
        backend(self),
        cluster,
        self._get_param("principalArn"),
        self._get_param("type") or "STANDARD",
        self._get_param("username"),
        self._get_param("kubernetesGroups"),
        self._get_param("tags"),
    )
    return ActionResult({"accessEntry": entry.describe()})


def describe_access_entry(self: EKSResponse) -> ActionResult:
    _, entry = _entry(self)
    return ActionResult({"accessEntry": entry.describe()})


def list_access_entries(self: EKSResponse) -> ActionResult:
    cluster = _access_cluster(self)
    policy = self._get_param("associatedPolicyArn")
    entries = state(cluster, "access_entries", dict)
    arns = sorted(arn for arn, entry in entries.items() if not policy or policy in entry.policies)
    return ActionResult({"accessEntries": arns})


def update_access_entry(self: EKSResponse) -> ActionResult:
    _, entry = _entry(self)
    username = self._get_param("username")
    groups = self._get_param("kubernetesGroups")
    if entry.type in NODE_TYPES and (username or groups):
        raise invalid_parameter(
            f"Username and kubernetesGroups cannot be specified for access entries of type {entry.type}"
        )
    if username is not None:
        entry.username = username
    if groups is not None:
        entry.kubernetes_groups = list(groups)
    entry.modified_at = utcnow()
    return ActionResult({"accessEntry": entry.describe()})


def delete_access_entry(self: EKSResponse) -> ActionResult:
    cluster, entry = _entry(self)
    del state(cluster, "access_entries", dict)[entry.principal_arn]
    return ActionResult({})


def associate_access_policy(self: EKSResponse) -> ActionResult:
    cluster, entry = _entry(self)
    association = associate_policy(entry, self._get_param("policyArn"), self._get_param("accessScope"))
    return ActionResult(
        {"clusterName": cluster.name, "principalArn": entry.principal_arn, "associatedAccessPolicy": association}
    )


def disassociate_access_policy(self: EKSResponse) -> ActionResult:
    _, entry = _entry(self)
    policy = self.uri_match.get("policyArn") or self._get_param("policyArn")
    if entry.policies.pop(policy, None) is None:
        raise ResourceNotFoundException(
            clusterName=entry.cluster_name,
            message=f"The access policy {policy} is not associated with this access entry.",
        )
    return ActionResult({})


def list_associated_access_policies(self: EKSResponse) -> ActionResult:
    cluster, entry = _entry(self)
    policies = [entry.policies[arn] for arn in sorted(entry.policies)]
    return ActionResult(
        {"clusterName": cluster.name, "principalArn": entry.principal_arn, "associatedAccessPolicies": policies}
    )


def list_access_policies(self: EKSResponse) -> ActionResult:
    return ActionResult({"accessPolicies": [{"name": n, "arn": POLICY_ARN.format(n)} for n in ACCESS_POLICIES]})


def apply() -> None:
    wrap(EKSResponse, "create_cluster", _create_cluster)
    if getattr(EKSResponse, "create_access_entry", None) is create_access_entry:
        return
    add_routes(ROUTES)
    add_actions(
        {
            "create_access_entry": create_access_entry,
            "describe_access_entry": describe_access_entry,
            "list_access_entries": list_access_entries,
            "update_access_entry": update_access_entry,
            "delete_access_entry": delete_access_entry,
            "associate_access_policy": associate_access_policy,
            "disassociate_access_policy": disassociate_access_policy,
            "list_associated_access_policies": list_associated_access_policies,
            "list_access_policies": list_access_policies,
        }
    )
