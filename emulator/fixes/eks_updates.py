"""EKS updates: UpdateClusterVersion, UpdateNodegroupVersion, DescribeUpdate, ListUpdates.

moto 5.2.5 has no update history at all: the four operations answer 404 (no route) or
``NotImplementedError``, and the updates it does return (UpdateNodegroupConfig) cannot be looked up.

AWS keeps every update of a cluster, of its managed node groups and of its add-ons and returns it
by id; ListUpdates lists the ids of one scope (cluster, ``nodegroupName`` or ``addonName``):
https://docs.aws.amazon.com/eks/latest/APIReference/API_Update.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeUpdate.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_ListUpdates.html
UpdateClusterVersion moves the control plane one minor version at a time, and only once every
managed node group runs the control plane's version
(https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html; AWS answers
"Nodegroups <names> must be updated to match cluster version <v> before updating cluster version"):
https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterVersion.html
UpdateNodegroupVersion changes the Kubernetes version, the AMI release version or the launch
template version of a managed node group:
https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupVersion.html

The fix keeps an update log per cluster (the sibling ``eks_*`` fixes record into it through
:func:`record_update`), applies every update at once and reports it ``Successful``, and adds the
missing routes and operations. It also holds the small helpers the other EKS fixes share: route
registration, update parameters and AWS-shaped errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.eks import urls as eks_urls
from moto.eks.exceptions import (
    EKSError,
    InvalidParameterException,
    InvalidRequestException,
    ResourceNotFoundException,
)
from moto.eks.models import CLUSTER_NOT_FOUND_MSG, NODEGROUP_NOT_FOUND_MSG, Cluster, EKSBackend
from moto.eks.responses import EKSResponse
from moto.moto_api._internal import mock_random as random

WRAPPED = "_teamf_wrapped"

ROUTES = [
    "/clusters/(?P<name>[^/]+)/updates$",
    "/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$",
    "/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)/update-version$",
]

# A release version of the EKS optimized AMI for a Kubernetes minor version, e.g. 1.31.7-20250505.
RELEASE_VERSION_DATE = "20250505"


# ---- helpers shared by the eks_* fixes -------------------------------------------------------


class NotFoundException(EKSError):
    """The tag APIs' 404 (the other operations answer ResourceNotFoundException)."""

    TYPE = "NotFoundException"
    STATUS = 404


class BadRequestException(EKSError):
    TYPE = "BadRequestException"
    STATUS = 400


def invalid_parameter(message: str) -> InvalidParameterException:
    return InvalidParameterException(message=message)


def add_routes(paths: list[str]) -> None:
    """Serve ``paths`` (moto url regexes without the ``{0}`` base) with EKSResponse.dispatch.

    moto builds the Flask app from ``moto.eks.urls.url_paths`` on the first EKS request, so this
    must run before the server answers; the botocore model then picks the operation.
    """
    for path in paths:
        eks_urls.url_paths.setdefault("{0}" + path, eks_urls.response.dispatch)


def add_actions(actions: dict[str, Callable[..., Any]]) -> None:
    """Install response methods (snake_case operation names) on EKSResponse."""
    for name, method in actions.items():
        setattr(EKSResponse, name, method)


def wrap(
    owner: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]], parameters: tuple[str, ...] = ()
) -> None:
    """Replace ``owner.name`` by ``make(original)``, once per ``make`` however often it is called.

    Several fixes may wrap the same method; each wrapper remembers which ``make`` functions are
    already in the chain below it. ``parameters``: the ones the wrapper reads (checked, see
    ``emulator.fixes.require``).
    """
    from emulator.fixes import require

    require(owner, name, parameters)
    original = getattr(owner, name)
    applied = getattr(original, WRAPPED, frozenset())
    key = f"{make.__module__}.{make.__qualname__}"
    if key in applied:
        return
    replacement = make(original)
    setattr(replacement, WRAPPED, applied | {key})
    replacement.__wrapped__ = original  # inspect.signature (the guard) sees moto's own parameters
    setattr(owner, name, replacement)


def backend(response: EKSResponse) -> EKSBackend:
    return response.eks_backend


def get_cluster(eks: EKSBackend, name: str) -> Cluster:
    try:
        return eks.clusters[name]
    except KeyError:
        raise ResourceNotFoundException(
            clusterName=name, message=CLUSTER_NOT_FOUND_MSG.format(clusterName=name)
        ) from None


def get_nodegroup(eks: EKSBackend, cluster_name: str, nodegroup_name: str) -> Any:
    cluster = get_cluster(eks, cluster_name)
    try:
        return cluster.nodegroups[nodegroup_name]
    except KeyError:
        raise ResourceNotFoundException(
            clusterName=cluster_name,
            nodegroupName=nodegroup_name,
            message=NODEGROUP_NOT_FOUND_MSG.format(nodegroupName=nodegroup_name),
        ) from None


def state(cluster: Cluster, key: str, factory: Callable[[], Any]) -> Any:
    """Per-cluster state kept on the moto Cluster, so it goes with the cluster and with a reset."""
    attr = f"teamf_{key}"
    if attr not in cluster.__dict__:
        cluster.__dict__[attr] = factory()
    return cluster.__dict__[attr]


def update_param(param_type: str, value: Any) -> dict[str, str]:
    """One entry of Update.params: AWS sends every value as a string, structures as JSON."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = str(value)
    return {"type": param_type, "value": text}


def record_update(
    cluster: Cluster,
    update_type: str,
    params: list[dict[str, str]],
    nodegroup_name: str | None = None,
    addon_name: str | None = None,
) -> dict[str, Any]:
    """Log an update that has already been applied and return it shaped like AWS's Update."""
    update = {
        "id": str(random.uuid4()),
        "status": "Successful",
        "type": update_type,
        "params": params,
        "createdAt": utcnow(),
        "errors": [],
    }
    state(cluster, "updates", list).append({"nodegroupName": nodegroup_name, "addonName": addon_name, "update": update})
    return update


def _scoped_updates(response: EKSResponse) -> list[dict[str, Any]]:
    eks = backend(response)
    name = response._get_param("name")
    nodegroup_name = response._get_param("nodegroupName")
    addon_name = response._get_param("addonName")
    cluster = get_cluster(eks, name)
    if nodegroup_name:
        get_nodegroup(eks, name, nodegroup_name)
    if addon_name and addon_name not in state(cluster, "addons", dict):
        raise ResourceNotFoundException(
            clusterName=name, addonName=addon_name, message=f"No addon: {addon_name} found in cluster: {name}"
        )
    return [
        entry["update"]
        for entry in state(cluster, "updates", list)
        if entry["nodegroupName"] == nodegroup_name and entry["addonName"] == addon_name
    ]


# ---- operations -------------------------------------------------------------------------------


def _minor(version: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d+)\.(\d+)", version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def release_version_for(kubernetes_version: str) -> str:
    return f"{kubernetes_version}.0-{RELEASE_VERSION_DATE}"


def update_cluster_version(self: EKSResponse) -> ActionResult:
    cluster = get_cluster(backend(self), self._get_param("name"))
    version = self._get_param("version")
    current, wanted = _minor(cluster.version), _minor(version)
    if wanted is None or current is None or wanted != (current[0], current[1] + 1):
        if wanted == current:
            message = f"Cluster is already at the desired version: {version}"
        else:
            message = f"Unsupported Kubernetes minor version update from {cluster.version} to {version}"
        raise invalid_parameter(message)
    lagging = sorted(name for name, nodegroup in cluster.nodegroups.items() if nodegroup.version != cluster.version)
    if lagging:
        raise InvalidRequestException(
            clusterName=cluster.name,
            message=f"Nodegroups {','.join(lagging)} must be updated to match cluster version {cluster.version} "
            "before updating cluster version",
        )
    cluster.version = version
    params = [update_param("Version", version), update_param("PlatformVersion", cluster.platformVersion)]
    return ActionResult({"update": record_update(cluster, "VersionUpdate", params)})


def update_nodegroup_version(self: EKSResponse) -> ActionResult:
    eks = backend(self)
    cluster_name = self._get_param("name")
    nodegroup = get_nodegroup(eks, cluster_name, self._get_param("nodegroupName"))
    cluster = eks.clusters[cluster_name]
    version = self._get_param("version")
    release_version = self._get_param("releaseVersion")
    launch_template = self._get_param("launchTemplate")

    if launch_template:
        if not nodegroup.launch_template:
            raise invalid_parameter(
                "You cannot specify a launch template for a node group that was not created with one."
            )
        for key in ("id", "name"):
            if key in launch_template and launch_template[key] != nodegroup.launch_template.get(key):
                raise invalid_parameter(
                    "Launch template name or id cannot be changed; only the launch template version can be updated."
                )
    if version and version not in (cluster.version, nodegroup.version):
        raise invalid_parameter(
            f"Requested Nodegroup version {version} is invalid; "
            f"the node group can be updated to the cluster version {cluster.version} only."
        )

    params = []
    if launch_template:
        if "version" in launch_template:
            nodegroup.launch_template["version"] = str(launch_template["version"])
        params.append(update_param("LaunchTemplateName", nodegroup.launch_template.get("name")))
        params.append(update_param("LaunchTemplateVersion", nodegroup.launch_template.get("version")))
    else:
        target = version or cluster.version
        nodegroup.version = target
        nodegroup.release_version = release_version or release_version_for(target)
        params.append(update_param("Version", nodegroup.version))
        params.append(update_param("ReleaseVersion", nodegroup.release_version))
    nodegroup.modified_at = utcnow()
    update = record_update(cluster, "VersionUpdate", params, nodegroup_name=nodegroup.nodegroup_name)
    return ActionResult({"update": update})


def describe_update(self: EKSResponse) -> ActionResult:
    update_id = self._get_param("updateId")
    for update in _scoped_updates(self):
        if update["id"] == update_id:
            return ActionResult({"update": update})
    raise ResourceNotFoundException(clusterName=self._get_param("name"), message=f"No update found for ID: {update_id}")


def list_updates(self: EKSResponse) -> ActionResult:
    ids = [update["id"] for update in _scoped_updates(self)]
    max_results = self._get_int_param("maxResults", 100)
    next_token = self._get_param("nextToken")
    start = int(next_token) if next_token else 0
    result: dict[str, Any] = {"updateIds": ids[start : start + max_results]}
    if start + max_results < len(ids):
        result["nextToken"] = str(start + max_results)
    return ActionResult(result)


def apply() -> None:
    if getattr(EKSResponse, "describe_update", None) is describe_update:
        return
    add_routes(ROUTES)
    add_actions(
        {
            "update_cluster_version": update_cluster_version,
            "update_nodegroup_version": update_nodegroup_version,
            "describe_update": describe_update,
            "list_updates": list_updates,
        }
    )
