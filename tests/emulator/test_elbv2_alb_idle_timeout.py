"""emulator.fixes.elbv2_alb_idle_timeout, over HTTP."""

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def alb(aws, clean_emulator):
    ec2, elbv2 = aws("ec2"), aws("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.50.{i}.0/24", AvailabilityZone=f"ap-northeast-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ac")
    ]
    arn = elbv2.create_load_balancer(Name="dev", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    return elbv2, arn


def attributes(elbv2, arn):
    return {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}


def test_idle_timeout_defaults_to_60(alb):
    elbv2, arn = alb
    assert attributes(elbv2, arn)["idle_timeout.timeout_seconds"] == "60"


def test_idle_timeout_can_be_set(alb):
    elbv2, arn = alb
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]
    )
    assert attributes(elbv2, arn)["idle_timeout.timeout_seconds"] == "120"


@pytest.mark.parametrize("value", ["0", "4001", "abc"])
def test_idle_timeout_outside_the_range_is_rejected(alb, value):
    elbv2, arn = alb
    with pytest.raises(ClientError) as err:
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": value}]
        )
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert attributes(elbv2, arn)["idle_timeout.timeout_seconds"] == "60"


def test_bare_moto_omits_the_alb_idle_timeout(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto reports the ALB idle timeout and
    checks its range itself now: the fix can go."""
    ec2, elbv2 = bare_moto("ec2"), bare_moto("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.50.{i}.0/24", AvailabilityZone=f"ap-northeast-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ac")
    ]
    arn = elbv2.create_load_balancer(Name="marker-idle", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    assert "idle_timeout.timeout_seconds" not in attributes(elbv2, arn)
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "0"}]
    )
    assert attributes(elbv2, arn)["idle_timeout.timeout_seconds"] == "0"
