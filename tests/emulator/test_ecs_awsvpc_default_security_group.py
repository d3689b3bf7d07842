"""emulator.fixes.ecs_awsvpc_default_security_group, over HTTP."""

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def setup(aws, clean_emulator):
    ec2, ecs = aws("ec2"), aws("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    ecs.create_cluster(clusterName="dev")
    ecs.register_task_definition(
        family="api",
        networkMode="awsvpc",
        containerDefinitions=[{"name": "api", "image": "nginx", "memory": 64}],
    )
    return ecs, ec2, vpc, subnet


def test_create_service_without_security_groups(setup):
    ecs, ec2, vpc, subnet = setup
    network = {"awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "DISABLED"}}
    created = ecs.create_service(
        cluster="dev", serviceName="api", taskDefinition="api", desiredCount=1, networkConfiguration=network
    )["service"]
    assert created["networkConfiguration"] == network
    service = ecs.describe_services(cluster="dev", services=["api"])["services"][0]
    assert service["networkConfiguration"] == network
    # The tasks it starts sit in the VPC's default security group.
    arns = ecs.list_tasks(cluster="dev", serviceName="api")["taskArns"]
    [task] = ecs.describe_tasks(cluster="dev", tasks=arns)["tasks"]
    eni = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}["networkInterfaceId"]
    groups = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["Groups"]
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    assert [g["GroupId"] for g in groups] == [default]


def test_unknown_security_group_is_still_rejected(setup):
    ecs, _, _, subnet = setup
    with pytest.raises(ClientError) as err:
        ecs.create_service(
            cluster="dev",
            serviceName="api",
            taskDefinition="api",
            desiredCount=1,
            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": ["sg-12345678"]}},
        )
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"


def test_bare_moto_fails_a_service_without_security_groups(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto accepts awsvpc without security groups itself now: the fix can go."""
    ec2, ecs = bare_moto("ec2"), bare_moto("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    ecs.create_cluster(clusterName="awsvpc")
    ecs.register_task_definition(
        family="awsvpc", networkMode="awsvpc", containerDefinitions=[{"name": "api", "image": "nginx", "memory": 64}]
    )
    network = {"awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "DISABLED"}}
    with pytest.raises(ClientError) as failed:
        ecs.create_service(
            cluster="awsvpc", serviceName="api", taskDefinition="awsvpc", desiredCount=1, networkConfiguration=network
        )
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
