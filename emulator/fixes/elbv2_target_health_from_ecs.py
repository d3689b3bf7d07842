"""ELBv2 DescribeTargetHealth: ECS services register their tasks, and health follows the rollout.

What moto does: a target group only knows targets registered with RegisterTargets, and every
registered target is ``healthy`` at once. ECS services with ``loadBalancers`` never register
anything, so a rollout tool waiting for healthy targets sees an empty list.

What AWS documents:
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html

The ECS service scheduler registers each task it starts with the service's target groups (instance
id and host port for ``bridge``/``host`` tasks, the task's private IP and container port for
``awsvpc`` tasks) and deregisters tasks it stops. A new target is ``initial``
(``Elb.InitialHealthChecking``) until it passes its health checks, then ``healthy``; one that fails
them is ``unhealthy`` (for example ``Target.ResponseCodeMismatch``).

What the fix changes: DescribeTargetHealth adds one target per running task of every active ECS
service that uses the target group, with the state the rollout simulation in ``ecs_deployments``
gives it: ``initial`` while its deployment is rolling out, ``healthy`` once it completed,
``unhealthy`` for deployments of failing images. Tasks stopped after a deployment completed are gone.
Targets registered by hand keep moto's behaviour. Without container instances or a capacity
provider Auto Scaling group to place bridge-mode tasks on, the target id is a made-up instance id.
"""

from __future__ import annotations

from typing import Any

from moto.elbv2.models import ELBv2Backend, FakeHealthStatus

from emulator.fixes.ecs_deployments import load_balancer_targets


def apply() -> None:
    original = ELBv2Backend.describe_target_health
    if getattr(original, "_teamf_fixed", False):
        return

    def describe_target_health(
        self: ELBv2Backend, target_group_arn: str, targets: list[dict[str, Any]]
    ) -> list[FakeHealthStatus]:
        explicit = original(self, target_group_arn, targets)  # also raises TargetGroupNotFound
        target_group = self.target_groups[target_group_arn]
        managed = [
            FakeHealthStatus(
                t["id"], t["port"], target_group.health_check_port, t["state"], t["reason"], t["description"]
            )
            for t in load_balancer_targets(self.account_id, self.region_name, target_group_arn)
        ]
        if not targets:
            return explicit + managed
        by_key = {(h.instance_id, int(h.port)): h for h in managed}
        by_id = {h.instance_id: h for h in managed}
        result = []
        for wanted, fallback in zip(targets, explicit, strict=True):
            found = by_key.get((wanted["Id"], int(wanted["Port"]))) if "Port" in wanted else by_id.get(wanted["Id"])
            result.append(found or fallback)
        return result

    describe_target_health._teamf_fixed = True
    ELBv2Backend.describe_target_health = describe_target_health
