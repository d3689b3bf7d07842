"""ECS Auto Scaling group capacity providers: managed draining, and no deletion while a cluster uses one.

What moto does: CreateCapacityProvider stores ``managedDraining`` only when it is given (no default);
UpdateCapacityProvider ignores ``managedDraining``; DeleteCapacityProvider removes a provider even
when a cluster still lists it in its capacity providers.

What AWS documents:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoScalingGroupProviderUpdate.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/enable-managed-instance-draining.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteCapacityProvider.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProvider.html

- "Managed instance draining is on by default when you create a capacity provider", and
  UpdateCapacityProvider accepts ``managedDraining`` (``ENABLED | DISABLED``) next to
  ``managedScaling`` and ``managedTerminationProtection``.
- "Only capacity providers that aren't associated with a cluster can be deleted." The call itself
  succeeds: the provider stays ``ACTIVE`` with ``updateStatus`` ``DELETE_FAILED`` and an
  ``updateStatusReason`` naming the cluster ("The capacity provider cannot be deleted because it is
  associated with cluster: <name>. Remove the capacity provider from the cluster and try again.").
  A delete that goes ahead answers ``updateStatus`` ``DELETE_IN_PROGRESS``. "To remove a capacity
  provider from a cluster, you can either use PutClusterCapacityProviders or delete the cluster":
  a deleted (``INACTIVE``) cluster that DescribeClusters still shows does not hold it.

What the fix changes: ``managedDraining`` defaults to ``ENABLED`` on create and is updated in place;
deleting a provider that an ``ACTIVE`` cluster lists answers as above and keeps the provider; otherwise it is
removed at once (moto's behaviour) and the answer says ``DELETE_IN_PROGRESS``.
"""

from __future__ import annotations

from typing import Any

from moto.ecs.models import CapacityProvider, EC2ContainerServiceBackend

DELETE_FAILED_REASON = (
    "The capacity provider cannot be deleted because it is associated with cluster: {cluster}. "
    "Remove the capacity provider from the cluster and try again."
)


def _clusters_using(backend: EC2ContainerServiceBackend, provider: CapacityProvider) -> list[str]:
    names = {provider.name, provider.capacity_provider_arn}
    return [
        c.name for c in backend.clusters.values() if c.status == "ACTIVE" and names & set(c.capacity_providers or [])
    ]


def apply() -> None:
    if getattr(CapacityProvider, "_teamf_lifecycle_applied", False):
        return
    CapacityProvider._teamf_lifecycle_applied = True
    CapacityProvider.update_status_reason = None  # serialized as updateStatusReason once set

    original_prepare = CapacityProvider._prepare_asg_provider
    original_update = CapacityProvider.update
    original_delete = EC2ContainerServiceBackend.delete_capacity_provider

    def _prepare_asg_provider(self: CapacityProvider, asg_details: dict[str, Any]) -> dict[str, Any]:
        asg_details = original_prepare(self, asg_details)
        asg_details.setdefault("managedDraining", "ENABLED")
        return asg_details

    def update(self: CapacityProvider, asg_details: dict[str, Any]) -> None:
        original_update(self, asg_details)
        if asg_details.get("managedDraining"):
            self.auto_scaling_group_provider["managedDraining"] = asg_details["managedDraining"]

    def delete_capacity_provider(self: EC2ContainerServiceBackend, name_or_arn: str) -> CapacityProvider:
        provider = self._get_provider(name_or_arn)
        clusters = _clusters_using(self, provider) if provider else []
        if not clusters:
            provider = original_delete(self, name_or_arn)
            provider.update_status, provider.update_status_reason = "DELETE_IN_PROGRESS", None
            return provider
        provider.update_status = "DELETE_FAILED"
        provider.update_status_reason = DELETE_FAILED_REASON.format(cluster=clusters[0])
        return provider

    CapacityProvider._prepare_asg_provider = _prepare_asg_provider
    CapacityProvider.update = update
    EC2ContainerServiceBackend.delete_capacity_provider = delete_capacity_provider
