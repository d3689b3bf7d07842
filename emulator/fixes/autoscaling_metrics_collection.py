"""Auto Scaling EnableMetricsCollection / DisableMetricsCollection as AWS documents them.

What moto does: DisableMetricsCollection is not implemented (500), so amazon.aws
``autoscaling_group`` fails on a rerun that turns metrics off. EnableMetricsCollection replaces the
group's metric list with the given one, and with no metrics enables none.

What AWS documents:
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_EnableMetricsCollection.html
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DisableMetricsCollection.html
https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html

EnableMetricsCollection enables the given metrics ("If you specify Granularity and don't specify
any metrics, all metrics are enabled") in addition to those already enabled;
DisableMetricsCollection disables the given metrics, or all of them when none are given.

What the fix changes: implements DisableMetricsCollection and makes enabling additive, with an
empty list meaning every group metric.
"""

from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import EmptyResult

ALL_METRICS = [
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
]


def enable_metrics_collection(self: FakeAutoScalingGroup, metrics: list[str] | None) -> None:
    wanted = metrics or ALL_METRICS
    self.metrics = list(self.metrics) + [m for m in wanted if m not in self.metrics]


def disable_metrics_collection(self: FakeAutoScalingGroup, metrics: list[str] | None) -> None:
    self.metrics = [m for m in self.metrics if metrics and m not in metrics]


def backend_disable_metrics_collection(self: AutoScalingBackend, group_name: str, metrics: list[str] | None) -> None:
    group = self.describe_auto_scaling_groups([group_name])[0]
    group.disable_metrics_collection(metrics)


def response_disable_metrics_collection(self: AutoScalingResponse) -> EmptyResult:
    self.autoscaling_backend.disable_metrics_collection(
        self._get_param("AutoScalingGroupName"), self._get_param("Metrics")
    )
    return EmptyResult()


def apply() -> None:
    if hasattr(AutoScalingResponse, "disable_metrics_collection"):
        return
    FakeAutoScalingGroup.enable_metrics_collection = enable_metrics_collection
    FakeAutoScalingGroup.disable_metrics_collection = disable_metrics_collection
    AutoScalingBackend.disable_metrics_collection = backend_disable_metrics_collection
    AutoScalingResponse.disable_metrics_collection = response_disable_metrics_collection
