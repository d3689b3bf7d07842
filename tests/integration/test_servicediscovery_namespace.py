"""teamf.platform.servicediscovery_namespace through ansible-playbook against the emulator.

One scenario: check mode → create → rerun → TTL changed and a service purged → absent → absent again,
reading Cloud Map back after each step.
"""

from __future__ import annotations

import pytest

from tests.integration.modules import Step, run_module, run_steps

MODULE = "teamf.platform.servicediscovery_namespace"
NAME = "sd-it.internal"
TAGS = {"Environment": "sd-it", "ManagedBy": "teamf.platform"}


@pytest.fixture
def cloudmap(aws):
    """Cloud Map client of the session's emulator and a VPC for the namespace; leftovers are removed."""
    client = aws("servicediscovery")
    vpc = aws("ec2").create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    yield client, vpc
    for namespace in namespaces(client):
        for service in services(client, namespace["Id"]):
            client.delete_service(Id=service["Id"])
        client.delete_namespace(Id=namespace["Id"])
    aws("ec2").delete_vpc(VpcId=vpc)


def namespaces(client):
    return [n for n in client.list_namespaces()["Namespaces"] if n["Name"] == NAME]


def services(client, namespace_id):
    filters = [{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}]
    return {s["Name"]: s for s in client.list_services(Filters=filters)["Services"]}


def test_namespace_lifecycle(emulator, cloudmap):
    client, vpc = cloudmap
    present = {"name": NAME, "vpc_id": vpc, "services": ["redis", "auth-server"], "tags": TAGS}

    check = run_module(emulator, MODULE, present, check=True, diff=True)
    assert check["changed"] is True, check
    assert check["namespace"] is None
    assert check["diff"]["after"]["services"] == ["auth-server", "redis"]
    assert namespaces(client) == []

    created, rerun = run_steps(emulator, [Step(MODULE, present), Step(MODULE, present)])
    assert created["changed"] is True, created
    [namespace] = namespaces(client)
    assert created["namespace"]["id"] == namespace["Id"]
    assert created["namespace"]["name"] == NAME
    found = services(client, namespace["Id"])
    assert set(found) == {"redis", "auth-server"}
    assert created["services"]["redis"]["arn"] == found["redis"]["Arn"]
    assert found["redis"]["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 10}]
    tags = client.list_tags_for_resource(ResourceARN=namespace["Arn"])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == TAGS
    assert rerun["changed"] is False, rerun
    assert rerun["services"] == created["services"]

    changed = run_module(emulator, MODULE, dict(present, services=["redis"], ttl=30), diff=True)
    assert changed["changed"] is True, changed
    assert changed["diff"] == {
        "before": {"services": ["auth-server", "redis"]},
        "after": {"services": ["redis"]},
    }
    found = services(client, namespace["Id"])
    assert list(found) == ["redis"]
    assert found["redis"]["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 30}]

    absent = {"name": NAME, "state": "absent"}
    removed, again = run_steps(emulator, [Step(MODULE, absent), Step(MODULE, absent)])
    assert removed["changed"] is True, removed
    assert again["changed"] is False, again
    assert namespaces(client) == []


def test_bad_input_fails_before_any_call(emulator, cloudmap):
    client, _ = cloudmap
    missing_vpc = run_module(emulator, MODULE, {"name": NAME, "services": ["redis"]})
    assert missing_vpc["failed"] is True
    assert "vpc_id is required to create namespace sd-it.internal" in missing_vpc["msg"]
    twice = run_module(emulator, MODULE, {"name": NAME, "vpc_id": "vpc-1", "services": ["redis", "redis"]})
    assert twice["failed"] is True
    assert "services: redis listed more than once" in twice["msg"]
    assert namespaces(client) == []
