# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Cloud Map (servicediscovery) calls for the private DNS namespace module.

``client`` is ``PlatformAWSModule.client("servicediscovery")`` (module_utils/retries.py): single calls
pass ``aws_retry=True``; listings retry as a whole (``@retry_listing``). Errors are raised as
AnsibleServiceDiscoveryError for the module to report once.
"""

from __future__ import annotations

import time

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing


class AnsibleServiceDiscoveryError(AnsibleAWSError):
    pass


class ServiceDiscoveryErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleServiceDiscoveryError


@retry_listing
def _private_namespaces(client):
    pages = client.get_paginator("list_namespaces").paginate(Filters=[{"Name": "TYPE", "Values": ["DNS_PRIVATE"]}])
    return pages.build_full_result().get("Namespaces", [])


@ServiceDiscoveryErrorHandler.list_error_handler("list namespaces", default_value=None)
def find_namespace(client, name):
    """The private DNS namespace ``name``, described, or None."""
    for summary in _private_namespaces(client):
        if summary["Name"] == name:
            return client.get_namespace(Id=summary["Id"], aws_retry=True)["Namespace"]
    return None


@ServiceDiscoveryErrorHandler.common_error_handler("wait for operation")
def wait_for_operation(client, operation_id, timeout):
    """Wait until the asynchronous operation succeeds; return its targets. Raises on FAIL or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        operation = client.get_operation(OperationId=operation_id, aws_retry=True)["Operation"]
        if operation["Status"] == "SUCCESS":
            return operation.get("Targets") or {}
        if operation["Status"] == "FAIL":
            raise AnsibleServiceDiscoveryError(
                message=f"operation {operation['Type']} failed: {operation.get('ErrorMessage', 'no reason given')}"
            )
        if time.monotonic() > deadline:
            raise AnsibleServiceDiscoveryError(message=f"operation {operation_id} still {operation['Status']}")
        time.sleep(2)


@ServiceDiscoveryErrorHandler.common_error_handler("create private DNS namespace")
def create_namespace(client, name, vpc_id, description, tags):
    kwargs = dict(Name=name, Vpc=vpc_id, Description=description)
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_private_dns_namespace(**kwargs, aws_retry=True)["OperationId"]


@ServiceDiscoveryErrorHandler.common_error_handler("delete namespace")
def delete_namespace(client, namespace_id):
    return client.delete_namespace(Id=namespace_id, aws_retry=True)["OperationId"]


@ServiceDiscoveryErrorHandler.list_error_handler("list services", default_value=[])
@retry_listing
def list_services(client, namespace_id):
    pages = client.get_paginator("list_services").paginate(
        Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}]
    )
    return pages.build_full_result().get("Services", [])


@ServiceDiscoveryErrorHandler.common_error_handler("create service")
def create_service(client, namespace_id, name, dns_records, tags):
    kwargs = dict(
        Name=name,
        NamespaceId=namespace_id,
        DnsConfig={"RoutingPolicy": "MULTIVALUE", "DnsRecords": dns_records},
        # ECS reports task health to Cloud Map itself (custom health checks).
        HealthCheckCustomConfig={"FailureThreshold": 1},
    )
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_service(**kwargs, aws_retry=True)["Service"]


@ServiceDiscoveryErrorHandler.common_error_handler("update service")
def update_service_records(client, service_id, dns_records):
    return client.update_service(Id=service_id, Service={"DnsConfig": {"DnsRecords": dns_records}}, aws_retry=True)[
        "OperationId"
    ]


@ServiceDiscoveryErrorHandler.deletion_error_handler("delete service")
def delete_service(client, service_id):
    client.delete_service(Id=service_id, aws_retry=True)
    return True


@ServiceDiscoveryErrorHandler.common_error_handler("list tags")
def get_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn, aws_retry=True)["Tags"])


@ServiceDiscoveryErrorHandler.common_error_handler("tag resource")
def tag_resource(client, arn, tags):
    client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(tags), aws_retry=True)


@ServiceDiscoveryErrorHandler.common_error_handler("untag resource")
def untag_resource(client, arn, keys):
    client.untag_resource(ResourceARN=arn, TagKeys=list(keys), aws_retry=True)


# --- translation and comparison (no AWS calls) ------------------------------------------------


def wanted_records(record_type, ttl):
    """The DnsRecords of every service of the namespace."""
    return [{"Type": record_type, "TTL": ttl}]


def records_differ(current, wanted):
    current_records = ((current.get("DnsConfig") or {}).get("DnsRecords")) or []

    def key(record):
        return record["Type"], record["TTL"]

    return sorted(map(key, current_records)) != sorted(map(key, wanted))
