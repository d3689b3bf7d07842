# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECS Auto Scaling group capacity provider calls and the compare helpers of the module.

``client`` is ``PlatformAWSModule.client("ecs")`` (module_utils/retries.py): single calls pass
``aws_retry=True``; the cluster listing retries as a whole (``@retry_listing``). Errors are raised
as AnsibleECSCapacityProviderError for the module to report once.
"""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing

# Module option → ManagedScaling field.
MANAGED_SCALING_FIELDS = {
    "status": "status",
    "target_capacity": "targetCapacity",
    "minimum_scaling_step_size": "minimumScalingStepSize",
    "maximum_scaling_step_size": "maximumScalingStepSize",
    "instance_warmup_period": "instanceWarmupPeriod",
}
# Update statuses after which a provider is on its way out (it stays ACTIVE for a while on AWS).
GONE_UPDATE_STATUSES = ("DELETE_IN_PROGRESS", "DELETE_COMPLETE")


class AnsibleECSCapacityProviderError(AnsibleAWSError):
    pass


class CapacityProviderErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECSCapacityProviderError


@CapacityProviderErrorHandler.common_error_handler("describe capacity provider")
def describe_capacity_provider(client, name):
    """The ACTIVE capacity provider ``name`` with its tags, or None (missing, INACTIVE or being deleted)."""
    result = client.describe_capacity_providers(capacityProviders=[name], include=["TAGS"], aws_retry=True)
    for provider in result.get("capacityProviders") or []:
        if provider.get("status") == "ACTIVE" and provider.get("updateStatus") not in GONE_UPDATE_STATUSES:
            return provider
    return None


@CapacityProviderErrorHandler.common_error_handler("create capacity provider")
def create_capacity_provider(client, name, asg_provider, tags):
    kwargs = dict(name=name, autoScalingGroupProvider=asg_provider)
    if tags:
        kwargs["tags"] = ansible_dict_to_boto3_tag_list(tags, "key", "value")
    return client.create_capacity_provider(**kwargs, aws_retry=True)["capacityProvider"]


@CapacityProviderErrorHandler.common_error_handler("update capacity provider")
def update_capacity_provider(client, name, asg_provider_update):
    return client.update_capacity_provider(name=name, autoScalingGroupProvider=asg_provider_update, aws_retry=True)[
        "capacityProvider"
    ]


@CapacityProviderErrorHandler.common_error_handler("delete capacity provider")
def delete_capacity_provider(client, name):
    """Delete ``name``; return the provider as the call answers it (``updateStatus`` tells the outcome)."""
    return client.delete_capacity_provider(capacityProvider=name, aws_retry=True)["capacityProvider"]


@retry_listing
def _cluster_arns(client):
    return client.get_paginator("list_clusters").paginate().build_full_result().get("clusterArns", [])


@CapacityProviderErrorHandler.common_error_handler("list clusters")
def clusters_using(client, provider):
    """Names of the clusters that list ``provider`` (a describe result) among their capacity providers."""
    refs = {provider["name"], provider["capacityProviderArn"]}
    arns = _cluster_arns(client)
    names = []
    for start in range(0, len(arns), 100):
        clusters = client.describe_clusters(clusters=arns[start : start + 100], aws_retry=True)["clusters"]
        names += [c["clusterName"] for c in clusters if refs & set(c.get("capacityProviders") or [])]
    return sorted(names)


@CapacityProviderErrorHandler.common_error_handler("tag capacity provider")
def tag_capacity_provider(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags, "key", "value"), aws_retry=True)


@CapacityProviderErrorHandler.common_error_handler("untag capacity provider")
def untag_capacity_provider(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys), aws_retry=True)


# --- translation and comparison (no AWS calls) ------------------------------------------------


def wanted_managed_scaling(managed_scaling):
    """The ManagedScaling fields the module options set (unset options are left to AWS)."""
    return {
        field: (managed_scaling or {})[option]
        for option, field in MANAGED_SCALING_FIELDS.items()
        if (managed_scaling or {}).get(option) is not None
    }


def wanted_asg_provider(params):
    """The AutoScalingGroupProvider of CreateCapacityProvider, from the module options."""
    provider = {"autoScalingGroupArn": params["auto_scaling_group_arn"]}
    scaling = wanted_managed_scaling(params["managed_scaling"])
    if scaling:
        provider["managedScaling"] = scaling
    if params["managed_termination_protection"]:
        provider["managedTerminationProtection"] = params["managed_termination_protection"]
    if params["managed_draining"]:
        provider["managedDraining"] = params["managed_draining"]
    return provider


def asg_provider_update(current, wanted):
    """The AutoScalingGroupProviderUpdate that takes ``current`` to ``wanted``; empty when they agree.

    ``wanted`` only holds what the options set. A changed managed scaling is sent whole (current values
    with the wanted ones on top) so the update never depends on how AWS merges partial structures.
    """
    update = {}
    current_scaling = current.get("managedScaling") or {}
    wanted_scaling = wanted.get("managedScaling") or {}
    if any(current_scaling.get(field) != value for field, value in wanted_scaling.items()):
        update["managedScaling"] = dict(current_scaling, **wanted_scaling)
    for field in ("managedTerminationProtection", "managedDraining"):
        if wanted.get(field) and current.get(field) != wanted[field]:
            update[field] = wanted[field]
    return update


def asg_changed(current, wanted_arn):
    """Whether the wanted Auto Scaling group differs from the provider's (ARN or name both accepted)."""
    if not wanted_arn:
        return False
    current_ref = current.get("autoScalingGroupArn") or ""
    if wanted_arn == current_ref:
        return False
    # AWS accepts the group name on create and answers with the ARN.
    return not current_ref.endswith(f"autoScalingGroupName/{wanted_arn}")


def tags_of(provider):
    return boto3_tag_list_to_ansible_dict(provider.get("tags") or [], "key", "value")


def snake_provider(provider):
    """The describe result in snake_case with tags as a dict (tag keys keep their case)."""
    if provider is None:
        return None
    tags = tags_of(provider)
    result = camel_dict_to_snake_dict({k: v for k, v in provider.items() if k != "tags"})
    result["tags"] = tags
    return result
