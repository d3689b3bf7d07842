"""EKS cluster configuration: CreateCluster defaults, UpdateClusterConfig, AssociateEncryptionConfig.

What moto 5.2.5 does:
- CreateCluster stores ``resourcesVpcConfig`` exactly as sent (no ``vpcId``, endpoint access flags,
  ``publicAccessCidrs`` or cluster security group) and drops ``accessConfig``; every cluster shares
  moto's module-level default logging and network dicts;
- UpdateClusterConfig replaces the whole ``resourcesVpcConfig`` with the partial one sent (the
  next describe has no ``subnetIds``) and answers ``{"cluster": ...}`` instead of an update;
- AssociateEncryptionConfig is not routed (404).

What AWS documents:
https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigResponse.html (vpcId,
clusterSecurityGroupId, endpointPublicAccess default true, endpointPrivateAccess default false,
publicAccessCidrs default 0.0.0.0/0),
https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html
(authenticationMode defaults to CONFIG_MAP through the API, bootstrapClusterCreatorAdminPermissions
to true),
https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html (one kind of
update per call, answered with an Update: EndpointAccessUpdate, VpcConfigUpdate, LoggingUpdate or
AccessConfigUpdate; settings not sent stay as they are),
https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateAccessConfigRequest.html and
https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html (the mode only moves
CONFIG_MAP -> API_AND_CONFIG_MAP -> API, never back),
https://docs.aws.amazon.com/eks/latest/APIReference/API_AssociateEncryptionConfig.html (only for a
cluster without encryption; Update of type AssociateEncryptionConfig).

What the fix changes: CreateCluster fills the documented defaults (vpcId looked up from the first
subnet in moto's EC2, a generated cluster security group) and stores ``accessConfig``.
UpdateClusterConfig merges the sent fields into the stored configuration, refuses requests that
mix kinds of update or change nothing (InvalidParameterException, as AWS does), enforces the
authentication mode order and returns and records an Update. AssociateEncryptionConfig is added.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.eks.exceptions import InvalidRequestException
from moto.eks.responses import EKSResponse
from moto.moto_api._internal import mock_random as random

from emulator.fixes.eks_updates import (
    add_actions,
    add_routes,
    backend,
    get_cluster,
    invalid_parameter,
    record_update,
    update_param,
    wrap,
)

ROUTES = ["/clusters/(?P<name>[^/]+)/encryption-config/associate$"]

LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
ENDPOINT_FIELDS = {
    "endpointPublicAccess": "EndpointPublicAccess",
    "endpointPrivateAccess": "EndpointPrivateAccess",
    "publicAccessCidrs": "PublicAccessCidrs",
}
VPC_FIELDS = {"subnetIds": "Subnets", "securityGroupIds": "SecurityGroups"}
AUTHENTICATION_MODE_STEPS = {("CONFIG_MAP", "API_AND_CONFIG_MAP"), ("API_AND_CONFIG_MAP", "API")}


def access_config_from_request(response: EKSResponse) -> dict[str, Any]:
    requested = response._get_param("accessConfig") or {}
    return {
        "bootstrapClusterCreatorAdminPermissions": requested.get("bootstrapClusterCreatorAdminPermissions", True),
        "authenticationMode": requested.get("authenticationMode", "CONFIG_MAP"),
    }


def _vpc_id(response: EKSResponse, subnet_ids: list[str]) -> str | None:
    if not subnet_ids:
        return None
    ec2 = ec2_backends[response.current_account][response.region]
    try:
        return ec2.get_subnet(subnet_ids[0]).vpc_id
    except Exception:  # a subnet moto does not know: AWS would refuse, moto always accepted it
        return None


def _create_cluster(original):
    def create_cluster(self: EKSResponse) -> ActionResult:
        result = original(self)
        cluster = result.result["cluster"]
        requested = self._get_param("resourcesVpcConfig") or {}
        vpc = {
            "subnetIds": list(requested.get("subnetIds") or []),
            "securityGroupIds": list(requested.get("securityGroupIds") or []),
            "clusterSecurityGroupId": "sg-" + random.get_random_hex(17),
            "vpcId": _vpc_id(self, requested.get("subnetIds") or []),
            "endpointPublicAccess": requested.get("endpointPublicAccess", True),
            "endpointPrivateAccess": requested.get("endpointPrivateAccess", False),
            "publicAccessCidrs": list(requested.get("publicAccessCidrs") or ["0.0.0.0/0"]),
        }
        cluster.resources_vpc_config = {k: v for k, v in vpc.items() if v is not None}
        cluster.kubernetes_network_config = {"ipFamily": "ipv4", **copy.deepcopy(cluster.kubernetes_network_config)}
        cluster.logging = {"clusterLogging": _logging_groups(_enabled_log_types(copy.deepcopy(cluster.logging)))}
        cluster.tags = dict(cluster.tags)
        cluster.access_config = access_config_from_request(self)
        return result

    return create_cluster


def _enabled_log_types(logging: dict[str, Any], enabled: set[str] | None = None) -> set[str]:
    enabled = set(enabled or ())
    for group in logging.get("clusterLogging") or []:
        for log_type in group.get("types") or []:
            if group.get("enabled"):
                enabled.add(log_type)
            else:
                enabled.discard(log_type)
    return enabled


def _logging_groups(enabled: set[str]) -> list[dict[str, Any]]:
    groups = []
    on = [t for t in LOG_TYPES if t in enabled]
    off = [t for t in LOG_TYPES if t not in enabled]
    if on:
        groups.append({"types": on, "enabled": True})
    if off:
        groups.append({"types": off, "enabled": False})
    return groups


def _update_vpc(cluster, requested: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    current = cluster.resources_vpc_config
    vpc_keys = [k for k in VPC_FIELDS if k in requested]
    endpoint_keys = [k for k in ENDPOINT_FIELDS if k in requested]
    if vpc_keys and endpoint_keys:
        raise invalid_parameter("Only one type of update can be allowed.")
    keys, names = (vpc_keys, VPC_FIELDS) if vpc_keys else (endpoint_keys, ENDPOINT_FIELDS)
    if not keys:
        raise invalid_parameter("No changes needed for the VPC configuration provided")
    merged = {**current, **{k: requested[k] for k in keys}}
    if endpoint_keys:
        if all(merged.get(k) == current.get(k) for k in ENDPOINT_FIELDS):
            raise invalid_parameter(
                "Cluster is already at the desired configuration with "
                f"endpointPrivateAccess: {str(current.get('endpointPrivateAccess')).lower()} , "
                f"endpointPublicAccess: {str(current.get('endpointPublicAccess')).lower()}, and "
                f"Public Endpoint Restrictions: [{', '.join(current.get('publicAccessCidrs') or [])}]"
            )
        if not merged.get("endpointPublicAccess") and not merged.get("endpointPrivateAccess"):
            raise invalid_parameter("Private and public endpoint access cannot both be disabled.")
        if not merged.get("endpointPublicAccess") and "publicAccessCidrs" in requested:
            raise invalid_parameter("Public access CIDRs can only be set when public endpoint access is enabled.")
    elif all(merged.get(k) == current.get(k) for k in VPC_FIELDS):
        raise invalid_parameter("No changes needed for the VPC configuration provided")
    cluster.resources_vpc_config = merged
    params = [update_param(names[k], merged[k]) for k in keys]
    return ("VpcConfigUpdate" if vpc_keys else "EndpointAccessUpdate"), params


def _update_logging(cluster, logging: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    before = _enabled_log_types(cluster.logging)
    after = _enabled_log_types(logging, before)
    if after == before:
        raise invalid_parameter("No changes needed for the logging config provided")
    cluster.logging = {"clusterLogging": _logging_groups(after)}
    return "LoggingUpdate", [update_param("ClusterLogging", logging)]


def _update_access(cluster, access: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    config = cluster.__dict__.setdefault(
        "access_config", {"bootstrapClusterCreatorAdminPermissions": True, "authenticationMode": "CONFIG_MAP"}
    )
    wanted = access.get("authenticationMode")
    current = config["authenticationMode"]
    if not wanted:
        raise invalid_parameter("No changes needed for the access config provided")
    if (current, wanted) not in AUTHENTICATION_MODE_STEPS:
        raise invalid_parameter(f"Unsupported authentication mode update from {current} to {wanted}")
    config["authenticationMode"] = wanted
    return "AccessConfigUpdate", [update_param("AuthenticationMode", wanted)]


def update_cluster_config(self: EKSResponse) -> ActionResult:
    cluster = get_cluster(backend(self), self._get_param("name"))
    requested = {
        key: self._get_param(key)
        for key in (
            "resourcesVpcConfig",
            "logging",
            "accessConfig",
            "kubernetesNetworkConfig",
            "remoteNetworkConfig",
            "upgradePolicy",
            "zonalShiftConfig",
        )
        if self._get_param(key) is not None
    }
    if len(requested) != 1:
        raise invalid_parameter("Only one type of update can be allowed." if requested else "No changes needed")
    ((key, value),) = requested.items()
    if key == "resourcesVpcConfig":
        update_type, params = _update_vpc(cluster, value)
    elif key == "logging":
        update_type, params = _update_logging(cluster, value)
    elif key == "accessConfig":
        update_type, params = _update_access(cluster, value)
    else:
        raise invalid_parameter(f"Updating {key} is not supported by this emulator")
    if self._get_param("clientRequestToken"):
        cluster.client_request_token = self._get_param("clientRequestToken")
    return ActionResult({"update": record_update(cluster, update_type, params)})


def associate_encryption_config(self: EKSResponse) -> ActionResult:
    cluster = get_cluster(backend(self), self._get_param("name"))
    encryption = self._get_param("encryptionConfig")
    if cluster.encryption_config:
        raise InvalidRequestException(message="Encryption is already enabled on the cluster")
    if not encryption or not all(e.get("resources") == ["secrets"] and e.get("provider") for e in encryption):
        raise invalid_parameter('encryptionConfig must name resources ["secrets"] and a KMS key provider')
    cluster.encryption_config = copy.deepcopy(encryption)
    params = [update_param("EncryptionConfig", encryption)]
    return ActionResult({"update": record_update(cluster, "AssociateEncryptionConfig", params)})


def apply() -> None:
    wrap(EKSResponse, "create_cluster", _create_cluster)
    if EKSResponse.update_cluster_config is update_cluster_config:
        return
    add_routes(ROUTES)
    add_actions(
        {"update_cluster_config": update_cluster_config, "associate_encryption_config": associate_encryption_config}
    )
