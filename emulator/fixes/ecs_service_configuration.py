"""ECS CreateService keeps the whole service configuration; UpdateService merges it.

What moto does: CreateService reads only a subset of the request and silently drops
``deploymentConfiguration`` (circuit breaker, minimum/maximum percent),
``healthCheckGracePeriodSeconds``, ``enableExecuteCommand``, ``placementConstraints``,
``placementStrategy``, ``capacityProviderStrategy`` and ``enableECSManagedTags``; it sets
``launchType`` to ``EC2`` even when a capacity provider strategy is given. UpdateService stores
whatever it is sent, so the same fields appear after an update but not after a create (a
configuration tool sees a change on every run), and a partial ``deploymentConfiguration`` replaces
the whole structure.

What AWS documents:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html

- The service returns every setting it was created with. ``deploymentConfiguration`` defaults to
  ``maximumPercent`` 200, ``minimumHealthyPercent`` 100 and a disabled circuit breaker;
  ``enableExecuteCommand`` and ``enableECSManagedTags`` default to false, placement lists to empty.
- ``launchType`` and ``capacityProviderStrategy`` are mutually exclusive. With neither, a cluster
  with a default capacity provider strategy uses that strategy, otherwise launch type ``EC2``.
- UpdateService changes only what it is given.

What the fix changes: CreateService reads and stores those parameters with AWS's defaults and
validation, keeps ``launchType`` empty for capacity-provider services and records ``createdAt``;
UpdateService merges ``deploymentConfiguration`` into the current one and drops ``launchType`` when
a capacity provider strategy is set.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend, Service
from moto.ecs.responses import EC2ContainerServiceResponse

DEFAULT_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def merge_deployment_configuration(current: dict[str, Any] | None, given: dict[str, Any] | None) -> dict[str, Any]:
    merged = copy.deepcopy(current or DEFAULT_DEPLOYMENT_CONFIGURATION)
    for key, value in (given or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def create_service(self: EC2ContainerServiceResponse) -> ActionResult:
    param = self._get_param
    launch_type = param("launchType")
    strategy = param("capacityProviderStrategy")
    if launch_type and strategy:
        raise InvalidParameterException(
            "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."
        )
    cluster_str = param("cluster", "default")
    if not launch_type and not strategy:
        strategy = self.ecs_backend._get_cluster(cluster_str).default_capacity_provider_strategy or None
    service = self.ecs_backend.create_service(
        cluster_str,
        param("serviceName"),
        self._get_int_param("desiredCount"),
        param("taskDefinition"),
        param("loadBalancers"),
        param("schedulingStrategy"),
        param("tags"),
        param("deploymentController"),
        launch_type,
        network_configuration=param("networkConfiguration"),
        service_registries=param("serviceRegistries"),
        platform_version=param("platformVersion"),
        propagate_tags=param("propagateTags") or "NONE",
        role_arn=param("role"),
    )
    if strategy and not launch_type:
        service.launch_type = None
    service.capacity_provider_strategy = strategy or []
    service.deployment_configuration = merge_deployment_configuration(None, param("deploymentConfiguration"))
    service.placement_constraints = param("placementConstraints") or []
    service.placement_strategy = param("placementStrategy") or []
    service.health_check_grace_period_seconds = param("healthCheckGracePeriodSeconds")
    service.enable_execute_command = bool(param("enableExecuteCommand", False))
    service.enable_ecs_managed_tags = bool(param("enableECSManagedTags", False))
    service.created_at = utcnow()
    return ActionResult({"service": service})


def apply() -> None:
    if getattr(EC2ContainerServiceResponse.create_service, "_teamf_fixed", False):
        return
    create_service._teamf_fixed = True
    EC2ContainerServiceResponse.create_service = create_service

    original_update = EC2ContainerServiceBackend.update_service

    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Service:
        props = dict(service_properties)
        service = self._get_service(props.get("cluster", "default"), props["service"].split("/")[-1])
        if props.get("deployment_configuration") is not None:
            props["deployment_configuration"] = merge_deployment_configuration(
                getattr(service, "deployment_configuration", None), props["deployment_configuration"]
            )
        if props.get("enable_ecs_managed_tags") is not None:
            props["enable_ecs_managed_tags"] = bool(props.pop("enable_ecs_managed_tags"))
        if props.get("capacity_provider_strategy"):
            service.launch_type = None
        return original_update(self, props)

    EC2ContainerServiceBackend.update_service = update_service
