"""emulator.fixes.autoscaling_metrics_collection, over HTTP."""

import pytest
from botocore.parsers import ResponseParserError


@pytest.fixture
def asg(aws, clean_emulator):
    ec2, autoscaling = aws("ec2"), aws("autoscaling")
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_launch_template(LaunchTemplateName="lt-dev", LaunchTemplateData={"ImageId": "ami-12c6146b"})
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="dev",
        LaunchTemplate={"LaunchTemplateName": "lt-dev"},
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=subnet,
    )
    return autoscaling


def enabled(autoscaling):
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["dev"])["AutoScalingGroups"][0]
    return sorted(m["Metric"] for m in group.get("EnabledMetrics", []))


def test_enable_without_metrics_enables_all(asg):
    asg.enable_metrics_collection(AutoScalingGroupName="dev", Granularity="1Minute")
    metrics = enabled(asg)
    assert "GroupInServiceInstances" in metrics and "GroupDesiredCapacity" in metrics
    assert len(metrics) == 20


def test_enable_adds_to_what_is_enabled(asg):
    asg.enable_metrics_collection(AutoScalingGroupName="dev", Granularity="1Minute", Metrics=["GroupMinSize"])
    asg.enable_metrics_collection(AutoScalingGroupName="dev", Granularity="1Minute", Metrics=["GroupMaxSize"])
    assert enabled(asg) == ["GroupMaxSize", "GroupMinSize"]


def test_disable_some_metrics(asg):
    asg.enable_metrics_collection(
        AutoScalingGroupName="dev", Granularity="1Minute", Metrics=["GroupMinSize", "GroupMaxSize"]
    )
    asg.disable_metrics_collection(AutoScalingGroupName="dev", Metrics=["GroupMinSize"])
    assert enabled(asg) == ["GroupMaxSize"]


def test_disable_without_metrics_disables_all(asg):
    asg.enable_metrics_collection(AutoScalingGroupName="dev", Granularity="1Minute")
    asg.disable_metrics_collection(AutoScalingGroupName="dev")
    assert enabled(asg) == []


def test_bare_moto_has_no_disable_metrics_collection(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto implements DisableMetricsCollection itself now: the fix can go."""
    ec2, autoscaling = bare_moto("ec2"), bare_moto("autoscaling")
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_launch_template(LaunchTemplateName="lt-metrics", LaunchTemplateData={"ImageId": "ami-12c6146b"})
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="metrics",
        LaunchTemplate={"LaunchTemplateName": "lt-metrics"},
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=subnet,
    )
    with pytest.raises(ResponseParserError, match="500 Internal Server Error"):
        autoscaling.disable_metrics_collection(AutoScalingGroupName="metrics")
