# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only views of an EKS cluster and what hangs off it, for teamf.platform.eks_cluster_info."""

from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict
from ansible_collections.teamf.platform.plugins.module_utils.eks import (
    EKSErrorHandler,
    describe_access_entry,
    describe_addon,
    describe_cluster,
    list_associated_access_policies,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing

KEEP = ["tags", "labels", "configurationValues"]


def _snake(resource):
    return boto3_resource_to_ansible_dict(resource, transform_tags=False, force_tags=False, ignore_list=KEEP)


@retry_listing
def _all(client, operation, key, **kwargs):
    return client.get_paginator(operation).paginate(**kwargs).build_full_result()[key]


@EKSErrorHandler.list_error_handler("list clusters", default_value=[])
def list_clusters(client):
    return _all(client, "list_clusters", "clusters")


@EKSErrorHandler.list_error_handler("list add-ons", default_value=[])
def read_addons(client, name):
    addons = _all(client, "list_addons", "addons", clusterName=name)
    return [_snake(describe_addon(client, name, addon)) for addon in addons]


@EKSErrorHandler.list_error_handler("list access entries", default_value=[])
def read_access_entries(client, name):
    entries = []
    for principal in _all(client, "list_access_entries", "accessEntries", clusterName=name):
        entry = dict(describe_access_entry(client, name, principal))
        entry["associatedAccessPolicies"] = list_associated_access_policies(client, name, principal)
        entries.append(_snake(entry))
    return entries


@EKSErrorHandler.list_error_handler("list nodegroups", default_value=[])
def read_nodegroups(client, name):
    return [
        _snake(client.describe_nodegroup(clusterName=name, nodegroupName=group, aws_retry=True)["nodegroup"])
        for group in _all(client, "list_nodegroups", "nodegroups", clusterName=name)
    ]


@EKSErrorHandler.list_error_handler("list OIDC providers", default_value="")
def find_oidc_provider_arn(iam, issuer):
    """The IAM OIDC provider whose URL is the cluster's issuer (IAM stores it without https://)."""
    wanted = issuer.removeprefix("https://")
    for provider in iam.list_open_id_connect_providers(aws_retry=True)["OpenIDConnectProviderList"]:
        if provider["Arn"].split(":oidc-provider/", 1)[-1] == wanted:
            return provider["Arn"]
    return ""


def read_cluster(client, iam, name, details=True):
    """The cluster (snake_cased) plus, with details, add-ons, access entries, nodegroups, OIDC provider.

    None when the cluster does not exist.
    """
    cluster = describe_cluster(client, name)
    if cluster is None:
        return None
    result = _snake(cluster)
    if not details:
        return result
    result["addons"] = read_addons(client, name)
    # CONFIG_MAP clusters have no access entries.
    result["access_entries"] = read_access_entries(client, name) if _has_access_entries(cluster) else []
    result["nodegroups"] = read_nodegroups(client, name)
    issuer = cluster.get("identity", {}).get("oidc", {}).get("issuer", "")
    result["oidc_provider_arn"] = find_oidc_provider_arn(iam, issuer) if issuer else ""
    return result


def _has_access_entries(cluster):
    return cluster.get("accessConfig", {}).get("authenticationMode", "CONFIG_MAP") != "CONFIG_MAP"
