"""emulator.fixes.ecs_describe_capacity_providers_all, over HTTP."""

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def ecs(aws, clean_emulator):
    return aws("ecs")


def _create(ecs, name):
    asg = f"arn:aws:autoscaling:ap-northeast-2:123456789012:autoScalingGroup:x:autoScalingGroupName/{name}"
    ecs.create_capacity_provider(name=name, autoScalingGroupProvider={"autoScalingGroupArn": asg})


def test_without_names_lists_every_capacity_provider(ecs):
    _create(ecs, "one")
    _create(ecs, "two")
    response = ecs.describe_capacity_providers()
    assert sorted(p["name"] for p in response["capacityProviders"]) == ["one", "two"]
    assert response["failures"] == []


def test_without_providers_the_list_is_empty(ecs):
    assert ecs.describe_capacity_providers()["capacityProviders"] == []


def test_names_still_select(ecs):
    _create(ecs, "one")
    _create(ecs, "two")
    response = ecs.describe_capacity_providers(capacityProviders=["two", "three"])
    assert [p["name"] for p in response["capacityProviders"]] == ["two"]
    assert [f["reason"] for f in response["failures"]] == ["MISSING"]


def test_bare_moto_fails_describe_capacity_providers_without_names(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto lists every provider itself now: the fix can go."""
    with pytest.raises(ClientError) as failed:
        bare_moto("ecs").describe_capacity_providers()
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
