#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: servicediscovery_namespace
short_description: Manage an AWS Cloud Map private DNS namespace and its DNS services
version_added: 0.2.0
description:
  - Creates a Cloud Map private DNS namespace in a VPC and one Cloud Map service per entry of
    O(services), so ECS services registered with them (C(serviceRegistries)) are reachable by name,
    for example C(redis.dev.teamf.internal).
  - Services are created with C(MULTIVALUE) routing and a custom health check, the configuration ECS
    service discovery uses; their record TTL is updated in place.
  - O(state=absent) deletes the services, then the namespace.
author: teamf platform engineers (@teamf)
options:
  name:
    description:
      - DNS name of the namespace, for example V(dev.teamf.internal).
    type: str
    required: true
  vpc_id:
    description:
      - The VPC the namespace's private hosted zone is associated with. Required to create it; a
        namespace cannot move to another VPC.
    type: str
  description:
    description: Description of the namespace, used when it is created.
    type: str
    default: managed by teamf.platform
  services:
    description:
      - Names of the DNS services in the namespace (the first label of each DNS name). With
        O(purge_services=true) other services are deleted.
    type: list
    elements: str
    default: []
  record_type:
    description: V(A) for C(awsvpc) tasks, V(SRV) for C(bridge)/C(host) tasks (port in the record).
    type: str
    choices: [A, SRV]
    default: A
  ttl:
    description: TTL of the services' records, in seconds; updated in place.
    type: int
    default: 10
  purge_services:
    description: Delete services of the namespace that O(services) does not list.
    type: bool
    default: true
  state:
    description: V(present) creates or updates; V(absent) deletes the services, then the namespace.
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description: Seconds to wait for the asynchronous namespace operations.
    type: int
    default: 300
notes:
  - Supports check mode and diff mode. In check mode nothing is created, updated, tagged or deleted.
  - Tags apply to the namespace and to every service.
  - Cloud Map refuses to delete a service that still has registered instances; remove the ECS services
    that use it first.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Make redis reachable as redis.dev.teamf.internal
  teamf.platform.servicediscovery_namespace:
    name: dev.teamf.internal
    vpc_id: "{{ vpc_id }}"
    services: [redis]
    tags:
      Environment: dev
  register: dev_namespace

- name: Register the ECS service with it
  community.aws.ecs_service:
    name: redis
    cluster: teamf-dev
    task_definition: teamf-dev-redis
    service_registries:
      - registry_arn: "{{ dev_namespace.services.redis.arn }}"

- name: Remove the namespace (after the ECS services)
  teamf.platform.servicediscovery_namespace:
    name: dev.teamf.internal
    state: absent
"""

RETURN = r"""
namespace:
  description: The namespace; null when absent, and in check mode when it would be created.
  returned: always
  type: dict
  contains:
    id:
      description: Namespace id.
      type: str
      sample: ns-l5ay35q4ymdh9tai3
    arn:
      description: Namespace ARN.
      type: str
    name:
      description: DNS name.
      type: str
      sample: dev.teamf.internal
    hosted_zone_id:
      description: The Route 53 private hosted zone Cloud Map manages.
      type: str
services:
  description: The namespace's services by name, each with C(id) and C(arn) (the ECS C(registryArn)).
  returned: when O(state=present)
  type: dict
  sample: {redis: {id: srv-naaj6ycz, arn: "arn:aws:servicediscovery:ap-northeast-2:123456789012:service/srv-naaj6ycz"}}
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule
from ansible_collections.teamf.platform.plugins.module_utils.servicediscovery import (
    create_namespace,
    create_service,
    delete_namespace,
    delete_service,
    find_namespace,
    get_tags,
    list_services,
    records_differ,
    tag_resource,
    untag_resource,
    update_service_records,
    wait_for_operation,
    wanted_records,
)


class NamespaceManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.result = {"changed": False, "namespace": None, "services": {}}
        self.before = {}
        self.after = {}

    def finish(self):
        if self.module._diff:
            self.result["diff"] = {"before": self.before, "after": self.after}
        return self.result

    def ensure_present(self, namespace):
        params = self.params
        wanted = list(dict.fromkeys(params["services"]))
        records = wanted_records(params["record_type"], params["ttl"])
        if namespace is None:
            if not params["vpc_id"]:
                self.module.fail_json(msg=f"vpc_id is required to create namespace {params['name']}")
            self.result["changed"] = True
            self.after = {"namespace": params["name"], "vpc_id": params["vpc_id"], "services": sorted(wanted)}
            if self.module.check_mode:
                return
            operation = create_namespace(
                self.client, params["name"], params["vpc_id"], params["description"], params["tags"]
            )
            wait_for_operation(self.client, operation, params["wait_timeout"])
            namespace = find_namespace(self.client, params["name"])
        else:
            self.reconcile_tags(namespace["Arn"])

        current = {s["Name"]: s for s in list_services(self.client, namespace["Id"])}
        self.before.setdefault("services", sorted(current))
        self.after.setdefault("services", sorted(set(wanted) | (set() if params["purge_services"] else set(current))))
        for name in wanted:
            if name not in current:
                self.result["changed"] = True
                if not self.module.check_mode:
                    current[name] = create_service(self.client, namespace["Id"], name, records, params["tags"])
                continue
            if records_differ(current[name], records):
                self.result["changed"] = True
                if not self.module.check_mode:
                    update_service_records(self.client, current[name]["Id"], records)
            self.reconcile_tags(current[name]["Arn"])
        if params["purge_services"]:
            for name in sorted(set(current) - set(wanted)):
                self.result["changed"] = True
                if not self.module.check_mode:
                    delete_service(self.client, current.pop(name)["Id"])

        self.result["namespace"] = describe(namespace)
        self.result["services"] = {name: {"id": s["Id"], "arn": s["Arn"]} for name, s in current.items() if "Id" in s}

    def reconcile_tags(self, arn):
        if self.params["tags"] is None:
            return
        to_set, to_unset = compare_aws_tags(get_tags(self.client, arn), self.params["tags"], self.params["purge_tags"])
        if not (to_set or to_unset):
            return
        self.result["changed"] = True
        self.before.setdefault("retagged", [])
        self.after.setdefault("retagged", []).append(arn)
        if self.module.check_mode:
            return
        if to_unset:
            untag_resource(self.client, arn, to_unset)
        if to_set:
            tag_resource(self.client, arn, to_set)

    def ensure_absent(self, namespace):
        if namespace is None:
            return
        services = list_services(self.client, namespace["Id"])
        self.result["changed"] = True
        self.before = {"namespace": namespace["Name"], "services": sorted(s["Name"] for s in services)}
        if self.module.check_mode:
            self.result["namespace"] = describe(namespace)
            return
        for service in services:
            delete_service(self.client, service["Id"])
        wait_for_operation(self.client, delete_namespace(self.client, namespace["Id"]), self.params["wait_timeout"])


def describe(namespace):
    dns = (namespace.get("Properties") or {}).get("DnsProperties") or {}
    return {
        "id": namespace["Id"],
        "arn": namespace["Arn"],
        "name": namespace["Name"],
        "hosted_zone_id": dns.get("HostedZoneId"),
    }


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        vpc_id=dict(type="str"),
        description=dict(type="str", default="managed by teamf.platform"),
        services=dict(type="list", elements="str", default=[]),
        record_type=dict(type="str", choices=["A", "SRV"], default="A"),
        ttl=dict(type="int", default=10),
        purge_services=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait_timeout=dict(type="int", default=300),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    names = module.params["services"]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        module.fail_json(msg=f"services: {', '.join(duplicates)} listed more than once; give each name once")

    client = module.client("servicediscovery")
    manager = NamespaceManager(module, client)
    try:
        namespace = find_namespace(client, module.params["name"])
        if module.params["state"] == "present":
            manager.ensure_present(namespace)
        else:
            manager.ensure_absent(namespace)
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"namespace {module.params['name']}")

    module.exit_json(**manager.finish())


if __name__ == "__main__":
    main()
