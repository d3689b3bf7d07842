"""emulator.fixes.ecs_capacity_provider_lifecycle, over HTTP."""

import re

import pytest

ASG = "arn:aws:autoscaling:ap-northeast-2:123456789012:autoScalingGroup:x:autoScalingGroupName/{}"


@pytest.fixture
def ecs(aws):
    return aws("ecs")


@pytest.fixture
def name(request):
    return re.sub(r"\W", "-", request.node.name)[:40]


def describe(ecs, name):
    return ecs.describe_capacity_providers(capacityProviders=[name])["capacityProviders"]


def create(ecs, name, **provider):
    return ecs.create_capacity_provider(
        name=name, autoScalingGroupProvider={"autoScalingGroupArn": ASG.format(name), **provider}
    )["capacityProvider"]


def test_managed_draining_is_enabled_by_default(ecs, name):
    assert create(ecs, name)["autoScalingGroupProvider"]["managedDraining"] == "ENABLED"
    assert describe(ecs, name)[0]["autoScalingGroupProvider"]["managedDraining"] == "ENABLED"


def test_managed_draining_as_given_on_create(ecs, name):
    assert create(ecs, name, managedDraining="DISABLED")["autoScalingGroupProvider"]["managedDraining"] == "DISABLED"


def test_update_changes_managed_draining_and_keeps_the_rest(ecs, name):
    create(ecs, name, managedScaling={"status": "ENABLED", "targetCapacity": 80})
    updated = ecs.update_capacity_provider(name=name, autoScalingGroupProvider={"managedDraining": "DISABLED"})
    assert updated["capacityProvider"]["updateStatus"] == "UPDATE_COMPLETE"
    provider = describe(ecs, name)[0]["autoScalingGroupProvider"]
    assert provider["managedDraining"] == "DISABLED"
    assert (provider["managedScaling"]["status"], provider["managedScaling"]["targetCapacity"]) == ("ENABLED", 80)


def test_delete_while_a_cluster_uses_it_fails_naming_the_cluster(ecs, name):
    create(ecs, name)
    ecs.create_cluster(clusterName=f"{name}-cluster", capacityProviders=[name])
    response = ecs.delete_capacity_provider(capacityProvider=name)["capacityProvider"]
    assert response["status"] == "ACTIVE"
    assert response["updateStatus"] == "DELETE_FAILED"
    assert response["updateStatusReason"] == (
        f"The capacity provider cannot be deleted because it is associated with cluster: {name}-cluster. "
        "Remove the capacity provider from the cluster and try again."
    )
    assert [p["name"] for p in describe(ecs, name)] == [name]

    ecs.put_cluster_capacity_providers(
        cluster=f"{name}-cluster", capacityProviders=[], defaultCapacityProviderStrategy=[]
    )
    deleted = ecs.delete_capacity_provider(capacityProvider=name)["capacityProvider"]
    assert deleted["updateStatus"] == "DELETE_IN_PROGRESS"
    assert "updateStatusReason" not in deleted
    assert describe(ecs, name) == []


def test_delete_by_arn_while_in_use_fails_too(ecs, name):
    arn = create(ecs, name)["capacityProviderArn"]
    ecs.create_cluster(clusterName=f"{name}-c", capacityProviders=[arn])
    assert ecs.delete_capacity_provider(capacityProvider=arn)["capacityProvider"]["updateStatus"] == "DELETE_FAILED"


def test_deleting_the_cluster_releases_it(ecs, name):
    create(ecs, name)
    ecs.create_cluster(clusterName=f"{name}-c", capacityProviders=[name])
    ecs.delete_cluster(cluster=f"{name}-c")
    assert ecs.describe_clusters(clusters=[f"{name}-c"])["clusters"][0]["status"] == "INACTIVE"
    assert (
        ecs.delete_capacity_provider(capacityProvider=name)["capacityProvider"]["updateStatus"] == "DELETE_IN_PROGRESS"
    )
    assert describe(ecs, name) == []


def test_tags_on_capacity_providers(ecs, name):
    arn = create(ecs, name)["capacityProviderArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "platform"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["nope"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "platform"}]
    tagged = ecs.describe_capacity_providers(capacityProviders=[name], include=["TAGS"])["capacityProviders"][0]
    assert tagged["tags"] == [{"key": "team", "value": "platform"}]


def test_bare_moto_deletes_a_capacity_provider_a_cluster_uses(bare_moto, name):
    """Marker: the behaviour this fix exists for.
    Failing here means moto keeps a provider in use itself now: the fix can go."""
    ecs = bare_moto("ecs")
    create(ecs, name)
    ecs.create_cluster(clusterName=f"{name}-cluster", capacityProviders=[name])
    ecs.delete_capacity_provider(capacityProvider=name)
    assert describe(ecs, name) == []
