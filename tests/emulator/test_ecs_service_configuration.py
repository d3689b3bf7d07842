"""emulator.fixes.ecs_service_configuration, over HTTP."""

import pytest
from botocore.exceptions import ClientError

BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}


@pytest.fixture
def ecs(aws, clean_emulator):
    client = aws("ecs")
    client.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}]
    )
    client.create_capacity_provider(
        name="dev-ec2",
        autoScalingGroupProvider={"autoScalingGroupArn": "arn:aws:autoscaling:ap-northeast-2:123456789012:x"},
    )
    client.create_cluster(clusterName="dev", capacityProviders=["dev-ec2"])
    return client


def describe(ecs, name="web"):
    return ecs.describe_services(cluster="dev", services=[name])["services"][0]


def test_create_keeps_the_configuration(ecs):
    ecs.create_service(
        cluster="dev",
        serviceName="web",
        taskDefinition="web",
        desiredCount=1,
        launchType="EC2",
        deploymentConfiguration={**BREAKER, "maximumPercent": 150, "minimumHealthyPercent": 50},
        healthCheckGracePeriodSeconds=30,
        enableExecuteCommand=True,
        placementConstraints=[{"type": "distinctInstance"}],
        placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        propagateTags="SERVICE",
        enableECSManagedTags=True,
        serviceRegistries=[{"registryArn": "arn:aws:servicediscovery:ap-northeast-2:123456789012:service/srv-1"}],
    )
    service = describe(ecs)
    assert service["deploymentConfiguration"] == {**BREAKER, "maximumPercent": 150, "minimumHealthyPercent": 50}
    assert service["healthCheckGracePeriodSeconds"] == 30
    assert service["enableExecuteCommand"] is True
    assert service["placementConstraints"] == [{"type": "distinctInstance"}]
    assert service["placementStrategy"] == [{"type": "spread", "field": "attribute:ecs.availability-zone"}]
    assert service["propagateTags"] == "SERVICE"
    assert service["enableECSManagedTags"] is True
    assert service["serviceRegistries"][0]["registryArn"].endswith("service/srv-1")
    assert service["launchType"] == "EC2"
    assert "createdAt" in service


def test_create_fills_aws_defaults(ecs):
    ecs.create_service(cluster="dev", serviceName="web", taskDefinition="web", desiredCount=1, launchType="EC2")
    service = describe(ecs)
    assert service["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    assert service["enableExecuteCommand"] is False
    assert service["placementConstraints"] == service["placementStrategy"] == []
    assert service["taskDefinition"] == "arn:aws:ecs:ap-northeast-2:123456789012:task-definition/web:1"


def test_partial_deployment_configuration_gets_default_percentages(ecs):
    ecs.create_service(
        cluster="dev", serviceName="web", taskDefinition="web", desiredCount=1, deploymentConfiguration=BREAKER
    )
    assert describe(ecs)["deploymentConfiguration"] == {**BREAKER, "maximumPercent": 200, "minimumHealthyPercent": 100}


def test_capacity_provider_strategy_is_kept_without_launch_type(ecs):
    strategy = [{"capacityProvider": "dev-ec2", "weight": 1, "base": 0}]
    created = ecs.create_service(
        cluster="dev", serviceName="web", taskDefinition="web", desiredCount=1, capacityProviderStrategy=strategy
    )["service"]
    service = describe(ecs)
    assert service["capacityProviderStrategy"] == strategy
    assert "launchType" not in service
    assert created["deployments"][0]["capacityProviderStrategy"] == strategy
    assert "launchType" not in created["deployments"][0]


def test_cluster_default_strategy_applies_when_neither_is_given(ecs):
    strategy = [{"capacityProvider": "dev-ec2", "weight": 1, "base": 1}]
    ecs.put_cluster_capacity_providers(
        cluster="dev", capacityProviders=["dev-ec2"], defaultCapacityProviderStrategy=strategy
    )
    ecs.create_service(cluster="dev", serviceName="web", taskDefinition="web", desiredCount=1)
    service = describe(ecs)
    assert service["capacityProviderStrategy"] == strategy
    assert "launchType" not in service


def test_launch_type_without_anything_else_is_ec2(ecs):
    ecs.create_service(cluster="dev", serviceName="web", taskDefinition="web", desiredCount=1)
    assert describe(ecs)["launchType"] == "EC2"


def test_launch_type_and_strategy_together_are_rejected(ecs):
    with pytest.raises(ClientError) as err:
        ecs.create_service(
            cluster="dev",
            serviceName="web",
            taskDefinition="web",
            desiredCount=1,
            launchType="EC2",
            capacityProviderStrategy=[{"capacityProvider": "dev-ec2", "weight": 1}],
        )
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"


def test_update_changes_only_what_it_is_given(ecs):
    ecs.create_service(
        cluster="dev",
        serviceName="web",
        taskDefinition="web",
        desiredCount=1,
        capacityProviderStrategy=[{"capacityProvider": "dev-ec2", "weight": 1}],
        deploymentConfiguration={"maximumPercent": 150, "minimumHealthyPercent": 50},
        healthCheckGracePeriodSeconds=30,
    )
    ecs.update_service(
        cluster="dev",
        service="web",
        deploymentConfiguration=BREAKER,
        enableExecuteCommand=True,
        capacityProviderStrategy=[{"capacityProvider": "dev-ec2", "weight": 2}],
    )
    service = describe(ecs)
    assert service["deploymentConfiguration"] == {**BREAKER, "maximumPercent": 150, "minimumHealthyPercent": 50}
    assert service["enableExecuteCommand"] is True
    assert service["healthCheckGracePeriodSeconds"] == 30
    assert service["capacityProviderStrategy"] == [{"capacityProvider": "dev-ec2", "weight": 2}]
    assert "launchType" not in service


def test_bare_moto_drops_the_configuration_a_service_is_created_with(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto keeps the service's configuration itself now: the fix can go."""
    ecs = bare_moto("ecs")
    ecs.register_task_definition(
        family="configured", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}]
    )
    ecs.create_cluster(clusterName="configured")
    ecs.create_service(
        cluster="configured",
        serviceName="web",
        taskDefinition="configured",
        desiredCount=1,
        deploymentConfiguration=BREAKER,
        healthCheckGracePeriodSeconds=30,
        enableExecuteCommand=True,
    )
    service = ecs.describe_services(cluster="configured", services=["web"])["services"][0]
    given = ["deploymentConfiguration", "healthCheckGracePeriodSeconds", "enableExecuteCommand"]
    assert [key for key in given if key in service] == []
