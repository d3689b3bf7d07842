"""EKS managed node groups: the settings CreateNodegroup stores, and UpdateNodegroupConfig.

What moto 5.2.5 does:
- CreateNodegroup ignores ``updateConfig`` (DescribeNodegroup has none, so community.aws
  eks_nodegroup fails on rerun with ``KeyError: 'updateConfig'``);
- every node group without ``scalingConfig`` shares one module-level default dict (and the same
  for instance types and health), so UpdateNodegroupConfig on one node group changes all of them;
- it invents ``remoteAccess: {"ec2SshKey": "eksKeypair"}`` and a remote-access security group when
  none was asked for, reports ``diskSize``/``instanceTypes`` defaults for launch-template node
  groups, a fixed Kubernetes version 1.19 whatever the cluster's, and ignores an unknown launch
  template;
- UpdateNodegroupConfig answers ``params`` as Python reprs (``{'addOrUpdateLabels': ...}``) with
  no way to look the update up later, and accepts any scaling numbers.

What AWS documents:
https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html (updateConfig,
launchTemplate, remoteAccess "only if you don't use a launch template", version "the cluster's
Kubernetes version is used" when omitted),
https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html (diskSize and
instanceTypes are null with a launch template; remoteAccess only when configured),
https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupUpdateConfig.html
(``maxUnavailable`` defaults to 1),
https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html
(minSize <= desiredSize <= maxSize, maxSize >= 1),
https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupConfig.html and
https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateParam.html (update parameters of
types LabelsToAdd, LabelsToRemove, TaintsToAdd, TaintsToRemove, MinSize, MaxSize, DesiredSize,
MaxUnavailable, MaxUnavailablePercentage, NodeRepairEnabled).

What the fix changes: after moto creates the node group it gets its own copies of every
structure, the request's ``updateConfig`` (default ``{"maxUnavailable": 1}``), remote access
only when requested, no disk size / instance types invented for launch templates, the launch
template's version resolved to the default version number, and the cluster's Kubernetes version.
An unknown launch template or inconsistent scaling numbers fail with InvalidParameterException.
UpdateNodegroupConfig validates the resulting scaling config, answers AWS-shaped parameters and
records the update for DescribeUpdate/ListUpdates (see eks_updates).
"""

from __future__ import annotations

import copy
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.eks.responses import EKSResponse

from emulator.fixes.eks_updates import (
    backend,
    get_nodegroup,
    invalid_parameter,
    record_update,
    release_version_for,
    update_param,
    wrap,
)

DEFAULT_UPDATE_CONFIG = {"maxUnavailable": 1}


def check_scaling(scaling: dict[str, int]) -> None:
    low, high, desired = scaling.get("minSize"), scaling.get("maxSize"), scaling.get("desiredSize")
    if high is not None and high < 1:
        raise invalid_parameter("Maximum capacity must be greater than or equal to 1")
    if low is not None and desired is not None and low > desired:
        raise invalid_parameter(f"Minimum capacity {low} can't be greater than desired size {desired}")
    if desired is not None and high is not None and desired > high:
        raise invalid_parameter(f"Desired capacity {desired} can't be greater than max size {high}")
    if low is not None and high is not None and low > high:
        raise invalid_parameter(f"Minimum capacity {low} can't be greater than max size {high}")


def _resolve_launch_template(response: EKSResponse, spec: dict[str, Any]) -> Any:
    ec2 = ec2_backends[response.current_account][response.region]
    try:
        if spec.get("id"):
            return ec2.describe_launch_templates(template_ids=[spec["id"]])[0]
        return ec2.describe_launch_templates(template_names=[spec.get("name")])[0]
    except Exception:  # moto raises several types for "no such template"
        raise invalid_parameter(
            f"The launch template {spec.get('id') or spec.get('name')} could not be found."
        ) from None


def _create_nodegroup(original):
    def create_nodegroup(self: EKSResponse) -> ActionResult:
        scaling = self._get_param("scalingConfig")
        if scaling:
            check_scaling(scaling)
        launch_template = self._get_param("launchTemplate")
        template = _resolve_launch_template(self, launch_template) if launch_template else None

        result = original(self)
        nodegroup = result.result["nodegroup"]
        cluster = backend(self).clusters[nodegroup.cluster_name]

        nodegroup.scaling_config = dict(nodegroup.scaling_config)
        nodegroup.health = copy.deepcopy(nodegroup.health)
        nodegroup.labels = dict(nodegroup.labels)
        nodegroup.taints = [dict(taint) for taint in nodegroup.taints]
        nodegroup.tags = dict(nodegroup.tags)
        nodegroup.update_config = dict(self._get_param("updateConfig") or DEFAULT_UPDATE_CONFIG)
        nodegroup.resources = copy.deepcopy(nodegroup.resources)
        if not self._get_param("remoteAccess"):
            nodegroup.remote_access = None
            nodegroup.resources.pop("remoteAccessSecurityGroup", None)
        if template is not None:
            nodegroup.launch_template = {
                "name": template.name,
                "id": template.id,
                "version": str(launch_template.get("version") or template.default_version_number),
            }
            if not self._get_param("diskSize"):
                nodegroup.disk_size = None
            if not self._get_param("instanceTypes"):
                nodegroup.instance_types = None
        else:
            nodegroup.instance_types = list(nodegroup.instance_types)
        if nodegroup.disk_size is not None:
            nodegroup.disk_size = int(nodegroup.disk_size)
        if not self._get_param("version"):
            nodegroup.version = cluster.version
        if not self._get_param("releaseVersion"):
            nodegroup.release_version = release_version_for(nodegroup.version)
        return result

    return create_nodegroup


def _update_params(labels, taints, scaling, update_config, node_repair) -> list[dict[str, str]]:
    params = []
    labels, taints = labels or {}, taints or {}
    if labels.get("addOrUpdateLabels"):
        params.append(update_param("LabelsToAdd", labels["addOrUpdateLabels"]))
    if labels.get("removeLabels"):
        params.append(update_param("LabelsToRemove", labels["removeLabels"]))
    if taints.get("addOrUpdateTaints"):
        params.append(update_param("TaintsToAdd", taints["addOrUpdateTaints"]))
    if taints.get("removeTaints"):
        params.append(update_param("TaintsToRemove", taints["removeTaints"]))
    for key, param_type in (("minSize", "MinSize"), ("maxSize", "MaxSize"), ("desiredSize", "DesiredSize")):
        if scaling and key in scaling:
            params.append(update_param(param_type, scaling[key]))
    for key, param_type in (
        ("maxUnavailable", "MaxUnavailable"),
        ("maxUnavailablePercentage", "MaxUnavailablePercentage"),
    ):
        if update_config and key in update_config:
            params.append(update_param(param_type, update_config[key]))
    if node_repair and "enabled" in node_repair:
        params.append(update_param("NodeRepairEnabled", node_repair["enabled"]))
    return params


def _update_nodegroup_config(original):
    def update_nodegroup_config(self: EKSResponse) -> ActionResult:
        eks = backend(self)
        cluster_name = self._get_param("name")
        nodegroup = get_nodegroup(eks, cluster_name, self._get_param("nodegroupName"))
        labels = self._get_param("labels")
        taints = self._get_param("taints")
        scaling = self._get_param("scalingConfig")
        update_config = self._get_param("updateConfig")
        node_repair = self._get_param("nodeRepairConfig")

        params = _update_params(labels, taints, scaling, update_config, node_repair)
        if not params:
            raise invalid_parameter("No changes needed")
        if labels and set(labels.get("addOrUpdateLabels") or {}) & set(labels.get("removeLabels") or []):
            raise invalid_parameter("Labels to add and labels to remove cannot share keys")
        if scaling:
            check_scaling({**nodegroup.scaling_config, **scaling})

        original(self)  # moto applies labels, taints, scaling and update config correctly
        if update_config:
            nodegroup.update_config = dict(update_config)
        update = record_update(
            eks.clusters[cluster_name], "ConfigUpdate", params, nodegroup_name=nodegroup.nodegroup_name
        )
        return ActionResult({"update": update})

    return update_nodegroup_config


def apply() -> None:
    wrap(EKSResponse, "create_nodegroup", _create_nodegroup)
    wrap(EKSResponse, "update_nodegroup_config", _update_nodegroup_config)
