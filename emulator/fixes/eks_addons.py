"""EKS add-ons: CreateAddon, DescribeAddon, ListAddons, UpdateAddon, DeleteAddon, DescribeAddonVersions.

What moto 5.2.5 does: none of the add-on operations exist (no routes, 404).

What AWS documents:
https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAddon.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddon.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAddons.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateAddon.html (answers an Update of type
AddonUpdate with AddonVersion, ServiceAccountRoleArn, ResolveConflicts, ConfigurationValues)
https://docs.aws.amazon.com/eks/latest/APIReference/API_DeleteAddon.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html and
https://docs.aws.amazon.com/eks/latest/APIReference/API_Addon.html /
https://docs.aws.amazon.com/eks/latest/APIReference/API_AddonInfo.html. Without ``addonVersion``
CreateAddon installs the version marked ``defaultVersion`` for the cluster's Kubernetes version;
an add-on or version AWS does not offer for that version is an InvalidParameterException.

What the fix changes: adds the routes and operations on a small built-in catalogue (``CATALOGUE``:
vpc-cni, coredns, kube-proxy and aws-ebs-csi-driver for Kubernetes 1.28-1.34). Add-ons are stored
on their cluster, reach ACTIVE at once, keep serviceAccountRoleArn, configurationValues and tags,
and are deleted immediately (the DeleteAddon answer shows DELETING, as AWS does). Updates are
recorded for DescribeUpdate/ListUpdates with ``addonName`` (see eks_updates). ``resolveConflicts``
is not part of AWS's Addon shape, so it is only echoed in the update parameters.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.eks.exceptions import ResourceInUseException, ResourceNotFoundException
from moto.eks.responses import EKSResponse
from moto.moto_api._internal import mock_random as random

from emulator.fixes.eks_updates import (
    add_actions,
    add_routes,
    backend,
    get_cluster,
    invalid_parameter,
    record_update,
    state,
    update_param,
)

ROUTES = [
    "/clusters/(?P<name>[^/]+)/addons$",
    "/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$",
    "/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)/update$",
    "/addons/supported-versions$",
]

ADDON_ARN = "arn:{partition}:eks:{region}:{account}:addon/{cluster}/{addon}/{uuid}"
KUBERNETES_VERSIONS = ["1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34"]

# addon name -> type, whether it needs an IAM role, and version -> {Kubernetes version: default?}.
CATALOGUE: dict[str, dict[str, Any]] = {
    "vpc-cni": {
        "type": "networking",
        "requiresIamPermissions": True,
        "versions": {
            "v1.20.1-eksbuild.1": dict.fromkeys(KUBERNETES_VERSIONS, False),
            "v1.19.6-eksbuild.1": dict.fromkeys(KUBERNETES_VERSIONS, False),
            "v1.19.2-eksbuild.1": dict.fromkeys(KUBERNETES_VERSIONS, True),
        },
    },
    "coredns": {
        "type": "networking",
        "requiresIamPermissions": False,
        "versions": {
            "v1.12.2-eksbuild.4": {"1.33": False, "1.34": True},
            "v1.12.1-eksbuild.2": {"1.32": False, "1.33": True},
            "v1.11.4-eksbuild.2": {"1.29": False, "1.30": False, "1.31": False, "1.32": True},
            "v1.11.3-eksbuild.1": {"1.29": False, "1.30": False, "1.31": True},
            "v1.11.1-eksbuild.9": {"1.28": False, "1.29": True, "1.30": True},
            "v1.10.1-eksbuild.11": {"1.28": True},
        },
    },
    "kube-proxy": {
        "type": "networking",
        "requiresIamPermissions": False,
        "versions": {
            **{f"v{k}.3-eksbuild.2": {k: False} for k in KUBERNETES_VERSIONS},
            **{f"v{k}.0-eksbuild.1": {k: True} for k in KUBERNETES_VERSIONS},
        },
    },
    "aws-ebs-csi-driver": {
        "type": "storage",
        "requiresIamPermissions": True,
        "versions": {
            "v1.45.0-eksbuild.2": dict.fromkeys(KUBERNETES_VERSIONS, False),
            "v1.44.0-eksbuild.1": dict.fromkeys(KUBERNETES_VERSIONS, True),
            "v1.40.0-eksbuild.1": dict.fromkeys(KUBERNETES_VERSIONS[:-1], False),
        },
    },
}


class Addon:
    def __init__(self, cluster, name: str, version: str, account: str, region: str, partition: str):
        self.addon_name = name
        self.cluster_name = cluster.name
        self.addon_version = version
        self.addon_arn = ADDON_ARN.format(
            partition=partition,
            region=region,
            account=account,
            cluster=cluster.name,
            addon=name,
            uuid=random.uuid4(),
        )
        self.status = "ACTIVE"
        self.health = {"issues": []}
        self.created_at = self.modified_at = utcnow()
        self.service_account_role_arn: str | None = None
        self.configuration_values: str | None = None
        self.resolve_conflicts: str | None = None
        self.tags: dict[str, str] = {}
        self.publisher = "eks"
        self.owner = "aws"

    @property
    def arn(self) -> str:
        return self.addon_arn

    def describe(self) -> dict[str, Any]:
        shape = {
            "addonName": self.addon_name,
            "clusterName": self.cluster_name,
            "status": self.status,
            "addonVersion": self.addon_version,
            "health": self.health,
            "addonArn": self.addon_arn,
            "createdAt": self.created_at,
            "modifiedAt": self.modified_at,
            "serviceAccountRoleArn": self.service_account_role_arn,
            "tags": dict(self.tags),
            "publisher": self.publisher,
            "owner": self.owner,
            "configurationValues": self.configuration_values,
        }
        return {k: v for k, v in shape.items() if v is not None}


def check_addon_version(name: str, version: str | None, kubernetes_version: str) -> str:
    """The version to install; InvalidParameterException for what AWS would not offer."""
    if name not in CATALOGUE:
        raise invalid_parameter(f"Addon {name} specified is not supported")
    versions = CATALOGUE[name]["versions"]
    if version is None:
        defaults = [v for v, compat in versions.items() if compat.get(kubernetes_version)]
        if not defaults:
            raise invalid_parameter(
                f"Addon {name} specified is not supported for Kubernetes version {kubernetes_version}"
            )
        return defaults[0]
    if kubernetes_version not in versions.get(version, {}):
        raise invalid_parameter(f"Addon version {version} specified is not supported")
    return version


def check_configuration_values(values: str | None) -> None:
    """AWS validates against the add-on's JSON schema; the emulator only insists on a JSON/YAML object."""
    if values is None or values == "":
        return
    try:
        parsed = json.loads(values)
    except ValueError:
        try:
            import yaml

            parsed = yaml.safe_load(values)
        except Exception:
            parsed = None
    if not isinstance(parsed, dict):
        raise invalid_parameter(
            "ConfigurationValue provided in request is not supported: Json schema validation failed"
        )


def _get_addon(response: EKSResponse) -> tuple[Any, Addon]:
    cluster = get_cluster(backend(response), response._get_param("name"))
    name = response._get_param("addonName")
    addon = state(cluster, "addons", dict).get(name)
    if addon is None:
        raise ResourceNotFoundException(
            clusterName=cluster.name, addonName=name, message=f"No addon: {name} found in cluster: {cluster.name}"
        )
    return cluster, addon


def create_addon(self: EKSResponse) -> ActionResult:
    eks = backend(self)
    cluster = get_cluster(eks, self._get_param("name"))
    name = self._get_param("addonName")
    addons = state(cluster, "addons", dict)
    if name in addons:
        raise ResourceInUseException(clusterName=cluster.name, addonName=name, message="Addon already exists.")
    version = check_addon_version(name, self._get_param("addonVersion"), cluster.version)
    check_configuration_values(self._get_param("configurationValues"))
    addon = Addon(cluster, name, version, eks.account_id, eks.region_name, eks.partition)
    addon.service_account_role_arn = self._get_param("serviceAccountRoleArn")
    addon.configuration_values = self._get_param("configurationValues")
    addon.resolve_conflicts = self._get_param("resolveConflicts")
    addon.tags = dict(self._get_param("tags") or {})
    addons[name] = addon
    return ActionResult({"addon": addon.describe()})


def describe_addon(self: EKSResponse) -> ActionResult:
    _, addon = _get_addon(self)
    return ActionResult({"addon": addon.describe()})


def list_addons(self: EKSResponse) -> ActionResult:
    cluster = get_cluster(backend(self), self._get_param("name"))
    return ActionResult({"addons": sorted(state(cluster, "addons", dict))})


def update_addon(self: EKSResponse) -> ActionResult:
    cluster, addon = _get_addon(self)
    params = []
    version = self._get_param("addonVersion")
    if version is not None:
        addon.addon_version = check_addon_version(addon.addon_name, version, cluster.version)
        params.append(update_param("AddonVersion", addon.addon_version))
    role = self._get_param("serviceAccountRoleArn")
    if role is not None:
        addon.service_account_role_arn = role or None
        params.append(update_param("ServiceAccountRoleArn", role))
    resolve = self._get_param("resolveConflicts")
    if resolve is not None:
        addon.resolve_conflicts = resolve
        params.append(update_param("ResolveConflicts", resolve))
    values = self._get_param("configurationValues")
    if values is not None:
        check_configuration_values(values)
        addon.configuration_values = values or None
        params.append(update_param("ConfigurationValues", values))
    addon.modified_at = utcnow()
    update = record_update(cluster, "AddonUpdate", params, addon_name=addon.addon_name)
    return ActionResult({"update": update})


def delete_addon(self: EKSResponse) -> ActionResult:
    cluster, addon = _get_addon(self)
    del state(cluster, "addons", dict)[addon.addon_name]
    addon.status = "DELETING"
    return ActionResult({"addon": addon.describe()})


def _addon_info(name: str, kubernetes_version: str | None) -> dict[str, Any] | None:
    entry = CATALOGUE[name]
    versions = []
    for version, compat in entry["versions"].items():
        if kubernetes_version and kubernetes_version not in compat:
            continue
        versions.append(
            {
                "addonVersion": version,
                "architecture": ["amd64", "arm64"],
                "computeTypes": ["ec2", "hybrid"],
                "compatibilities": [
                    {"clusterVersion": k, "platformVersions": ["*"], "defaultVersion": default}
                    for k, default in compat.items()
                    if not kubernetes_version or k == kubernetes_version
                ],
                "requiresConfiguration": False,
                "requiresIamPermissions": entry["requiresIamPermissions"],
            }
        )
    if not versions:
        return None
    return {
        "addonName": name,
        "type": entry["type"],
        "addonVersions": versions,
        "publisher": "eks",
        "owner": "aws",
        "defaultNamespace": "kube-system",
    }


def describe_addon_versions(self: EKSResponse) -> ActionResult:
    name = self._get_param("addonName")
    kubernetes_version = self._get_param("kubernetesVersion")
    types = self.querystring.get("types") or []
    names = [name] if name else sorted(CATALOGUE)
    addons = []
    for candidate in names:
        if candidate not in CATALOGUE:
            continue  # AWS answers an empty list for an unknown name
        if types and CATALOGUE[candidate]["type"] not in types:
            continue
        info = _addon_info(candidate, kubernetes_version)
        if info:
            addons.append(info)
    return ActionResult({"addons": addons})


def apply() -> None:
    if getattr(EKSResponse, "create_addon", None) is create_addon:
        return
    add_routes(ROUTES)
    add_actions(
        {
            "create_addon": create_addon,
            "describe_addon": describe_addon,
            "list_addons": list_addons,
            "update_addon": update_addon,
            "delete_addon": delete_addon,
            "describe_addon_versions": describe_addon_versions,
        }
    )
