"""ECS rolling deployments: progress over time, fail on bad images, circuit breaker and rollback.

What moto does: CreateService writes one static deployment (running count from the global env var
``MOTO_ECS_SERVICE_RUNNING``, rollout state fixed at creation); UpdateService only swaps the
service's ``taskDefinition`` for the ``family:rev`` string it was given and, with
``forceNewDeployment``, renames the single deployment. No tasks are ever started for a service, so
nothing can be waited on and no rollback can be exercised.

What AWS documents (rolling update, ``ECS`` deployment controller):
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html

- Each CreateService, and each UpdateService that changes the task definition (or the network
  configuration, capacity provider strategy or platform version) or sets ``forceNewDeployment``,
  creates a deployment ``ecs-svc/<digits>`` with status ``PRIMARY`` and rollout state
  ``IN_PROGRESS``; the previous primary becomes ``ACTIVE`` and keeps serving until the new one is
  healthy. The deployment names the task definition by its full ARN.
- New tasks go PENDING → RUNNING; once they pass their health checks the deployment is
  ``COMPLETED``, the old tasks are stopped and the old deployments (now ``INACTIVE``) disappear
  from DescribeServices. The service's ``runningCount`` counts every running task of the service.
- With the deployment circuit breaker on, a deployment whose tasks keep failing is marked
  ``FAILED``; with ``rollback`` the service starts a new deployment back to the last ``COMPLETED``
  task definition. Without the breaker ECS keeps replacing failed tasks forever (``failedTasks``
  grows, the deployment stays ``IN_PROGRESS``).
- Service events are listed newest first, in the scheduler's words ("(service web) has started 1
  tasks: (task ...).", "(service web) has reached a steady state.", ...).

What the fix changes: every deployment carries its own simulated tasks (real moto tasks, visible
to ListTasks(serviceName=...) and DescribeTasks) whose state is derived from timestamps each time
the service or its tasks are read, so no background thread is needed. Knobs, read by the server
process:

- ``TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS`` (default 3): a healthy deployment's tasks are PENDING for
  the first half, RUNNING (target health ``initial``) for the second half, and healthy at the end,
  when the deployment completes. The value is captured when a deployment starts.
- ``TEAMF_EMULATOR_ECS_FAIL_IMAGE_PATTERN`` (default ``:fail(-.*)?$``, a regular expression searched
  in each container image): a deployment of such a task definition never gets healthy tasks. Each
  attempt lasts a third of the rollout time and ends with its tasks stopped and counted in
  ``failedTasks``; the circuit breaker trips when the rollout time is over.

``load_balancer_targets`` exposes the running tasks per target group for
``elbv2_target_health_from_ecs``.
"""

from __future__ import annotations

import copy
import os
import re
from datetime import datetime, timedelta
from typing import Any

from moto.autoscaling.models import autoscaling_backends
from moto.core.utils import utcnow
from moto.ec2 import ec2_backends
from moto.ecs.models import EC2ContainerServiceBackend, Service, Task, ecs_backends
from moto.moto_api._internal import mock_random

ROLLOUT_SECONDS_ENV = "TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS"
FAIL_IMAGE_PATTERN_ENV = "TEAMF_EMULATOR_ECS_FAIL_IMAGE_PATTERN"
DEFAULT_ROLLOUT_SECONDS = 3.0
DEFAULT_FAIL_IMAGE_PATTERN = r":fail(-.*)?$"
FAILING_ATTEMPTS_PER_ROLLOUT = 3
MAX_EVENTS = 100
DYNAMIC_PORT_START = 32768
# UpdateService parameters (moto's snake_case names) that make ECS start a new deployment.
REDEPLOY_PROPERTIES = ("network_configuration", "capacity_provider_strategy", "platform_version")


def rollout_seconds() -> float:
    try:
        return max(float(os.environ.get(ROLLOUT_SECONDS_ENV) or DEFAULT_ROLLOUT_SECONDS), 0.0)
    except ValueError:
        return DEFAULT_ROLLOUT_SECONDS


def fail_image_pattern() -> re.Pattern[str]:
    return re.compile(os.environ.get(FAIL_IMAGE_PATTERN_ENV) or DEFAULT_FAIL_IMAGE_PATTERN)


def _deployment_id() -> str:
    return f"ecs-svc/{mock_random.randint(10**18, 10**19 - 1)}"


class ServiceTask(Task):
    """A task started by the service scheduler; its state is set by the rollout simulation."""

    def __init__(
        self, cluster: Any, task_definition: Any, *args: Any, created_at: datetime, running_at: datetime, **kwargs: Any
    ):
        network = kwargs.pop("networking_configuration", None)
        if task_definition.network_mode == "awsvpc":
            # moto's own awsvpc path reads ``private_dns_name``, which ENIs only have in VPCs with DNS
            # hostnames, and picks an IP outside the subnet: attach the ENI here instead.
            task_definition = copy.copy(task_definition)
            task_definition.network_mode = "awsvpc-by-teamf"
        super().__init__(cluster, task_definition, *args, **kwargs)
        if network:
            self.network_configuration = network
            self.attachments.append(_attach_eni(self._account_id, self.region_name, network["awsvpcConfiguration"]))
        self.created_at = created_at
        self.running_at = running_at
        self.healthy_at: datetime | None = None  # None: never passes health checks
        self.fail_at: datetime | None = None
        self.stopped_at: datetime | None = None
        self.started_at: datetime | None = None
        self.host_ports: dict[int, int] = {}
        self.target_id: str | None = None
        self.status = "PENDING"

    # moto's tasks walk RUNNING → STOPPED one step per DescribeTasks; ours follow the simulation.
    @property
    def status(self) -> str:
        return self._teamf_status

    @status.setter
    def status(self, value: str) -> None:
        self._teamf_status = value

    def advance(self) -> None:
        pass

    def progress(self, now: datetime) -> bool:
        """Move PENDING → RUNNING if due; return whether it changed."""
        if self.status == "PENDING" and now >= self.running_at:
            self.status = "RUNNING"
            self.started_at = self.running_at
            return True
        return False

    def stop(self, at: datetime, reason: str) -> None:
        self.status = "STOPPED"
        self.desired_status = "STOPPED"
        self.stopped_reason = reason
        self.stopped_at = at

    @property
    def health_status(self) -> str:
        if self.status != "RUNNING":
            return "UNKNOWN"
        return "UNHEALTHY" if self.healthy_at is None else "HEALTHY"


class Deployment:
    """One ``Deployment`` of the API; attributes follow the API shape in snake_case."""

    def __init__(self, service: Service, created_at: datetime, reason: str | None = None):
        backend: EC2ContainerServiceBackend = service._backend
        task_definition = backend.describe_task_definition(service.task_definition)
        self.id = _deployment_id()
        self.status = "PRIMARY"
        self.task_definition = task_definition.arn
        self.desired_count = service.desired_count
        self.failed_tasks = 0
        self.created_at = created_at
        self.updated_at = created_at
        self.launch_type = service.launch_type
        self.capacity_provider_strategy = getattr(service, "capacity_provider_strategy", None) or None
        self.platform_version = service.platform_version
        self.network_configuration = service.network_configuration or None
        self.rollout_state = "IN_PROGRESS"
        self.rollout_state_reason = reason or f"ECS deployment {self.id} in progress."
        self.duration = timedelta(seconds=rollout_seconds())
        pattern = fail_image_pattern()
        self.failing = any(pattern.search(c.get("image") or "") for c in task_definition.container_definitions)
        self.tasks: list[ServiceTask] = []
        self.attempt = -1  # failing deployments: index of the current attempt
        self.halted = False  # circuit breaker tripped: launch nothing more

    @property
    def done_at(self) -> datetime:
        return self.created_at + self.duration

    @property
    def attempt_length(self) -> timedelta:
        return max(self.duration / FAILING_ATTEMPTS_PER_ROLLOUT, timedelta(milliseconds=1))

    def attempt_at(self, at: datetime) -> int:
        """Which attempt a failing deployment is at; attempt 3 starts exactly at ``done_at``."""
        if not self.duration:
            return FAILING_ATTEMPTS_PER_ROLLOUT
        return (at - self.created_at) * FAILING_ATTEMPTS_PER_ROLLOUT // self.duration

    def attempt_start(self, attempt: int) -> datetime:
        return self.created_at + self.duration * attempt / FAILING_ATTEMPTS_PER_ROLLOUT

    @property
    def running_count(self) -> int:
        return sum(1 for t in self.tasks if t.status == "RUNNING")

    @property
    def pending_count(self) -> int:
        return sum(1 for t in self.tasks if t.status == "PENDING")

    def live_tasks(self) -> list[ServiceTask]:
        return [t for t in self.tasks if t.status != "STOPPED"]


class Rollout:
    """The simulation state of one service."""

    def __init__(self, service: Service):
        self.service = service
        self.deployments: list[Deployment] = []
        self.events: list[dict[str, Any]] = []
        self.last_completed: Deployment | None = None
        self.next_host_port = DYNAMIC_PORT_START
        self.sequence = 0

    # --- events -------------------------------------------------------------------------------
    def event(self, at: datetime, message: str) -> None:
        self.sequence += 1
        self.events.append(
            {
                "id": str(mock_random.uuid4()),
                "createdAt": at,
                "message": f"(service {self.service.name}) {message}",
                "_sequence": self.sequence,  # not in the API shape, so never serialized
            }
        )
        self.events.sort(key=lambda e: (e["createdAt"], e["_sequence"]), reverse=True)
        del self.events[MAX_EVENTS:]

    def _target_groups(self) -> list[str]:
        return [lb["targetGroupArn"] for lb in self.service.load_balancers or [] if lb.get("targetGroupArn")]

    # --- deployments --------------------------------------------------------------------------
    def start_deployment(self, at: datetime, reason: str | None = None) -> Deployment:
        deployment = Deployment(self.service, at, reason)
        for old in self.deployments:
            old.status = "ACTIVE"
        self.deployments.insert(0, deployment)
        if not deployment.failing:
            self._launch(deployment, deployment.desired_count, at)
        return deployment

    def _launch(self, deployment: Deployment, count: int, at: datetime) -> None:
        if count <= 0:
            return
        running_at = at + deployment.attempt_length / 2 if deployment.failing else at + deployment.duration / 2
        started = [self._new_task(deployment, at, running_at) for _ in range(count)]
        for task in started:
            if deployment.failing:
                task.fail_at = at + deployment.attempt_length
            else:
                task.healthy_at = at + deployment.duration
        deployment.tasks.extend(started)
        self.event(at, f"has started {count} tasks: {' '.join(f'(task {t.id})' for t in started)}.")

    def _new_task(self, deployment: Deployment, at: datetime, running_at: datetime) -> ServiceTask:
        service = self.service
        backend: EC2ContainerServiceBackend = service._backend
        cluster = backend.clusters[service.cluster_name]
        task_definition = backend.describe_task_definition(deployment.task_definition)
        container_instance = _pick_container_instance(backend, cluster.name, len(deployment.tasks))
        strategy = deployment.capacity_provider_strategy or []
        tags = []
        if service.propagate_tags == "SERVICE":
            tags = list(service.tags)
        elif service.propagate_tags == "TASK_DEFINITION":
            tags = list(task_definition.tags)
        task = ServiceTask(
            cluster,
            task_definition,
            container_instance.container_instance_arn if container_instance else None,
            None,
            backend=backend,
            group=f"service:{service.name}",
            launch_type=deployment.launch_type or "",
            started_by=deployment.id,
            tags=tags,
            networking_configuration=_task_network_configuration(service, task_definition),
            platform_version=deployment.platform_version,
            capacity_provider_name=strategy[0]["capacityProvider"] if strategy else None,
            created_at=at,
            running_at=running_at,
        )
        if task_definition.network_mode == "awsvpc":
            details = {d["name"]: d["value"] for d in task.attachments[0]["details"]}
            task.target_id = details["privateIPv4Address"]
        else:
            task.target_id = (
                container_instance.ec2_instance_id
                if container_instance
                else _capacity_provider_instance(backend, strategy, len(deployment.tasks))
            )
            for container in task_definition.container_definitions:
                for mapping in container.get("portMappings") or []:
                    container_port = mapping.get("containerPort")
                    host_port = mapping.get("hostPort") or 0
                    if task_definition.network_mode == "host":
                        host_port = host_port or container_port
                    if not host_port:
                        host_port = self.next_host_port
                        self.next_host_port += 1
                    task.host_ports[container_port] = host_port
        backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        return task

    def _stop(self, tasks: list[ServiceTask], at: datetime, reason: str) -> None:
        tasks = [t for t in tasks if t.status != "STOPPED"]
        if not tasks:
            return
        were_running = [t for t in tasks if t.status == "RUNNING"]
        for task in tasks:
            task.stop(at, reason)
        if were_running:
            for arn in self._target_groups():
                self.event(at, f"deregistered {len(were_running)} targets in (target-group {arn})")
            ids = " ".join(f"(task {t.id})" for t in were_running)
            self.event(at, f"has stopped {len(were_running)} running tasks: {ids}.")

    # --- time ---------------------------------------------------------------------------------
    def advance(self, now: datetime) -> None:
        """Replay everything that happened up to ``now``, in order."""
        if self.service.status != "ACTIVE":
            return  # deleted: its tasks were stopped, nothing moves any more
        while True:
            primary = self.deployments[0] if self.deployments else None
            milestone = primary.done_at if primary and primary.rollout_state == "IN_PROGRESS" else None
            # Without the circuit breaker a failing deployment has no milestone: it just keeps failing.
            due = (
                milestone is not None
                and now >= milestone
                and (not primary.failing or _circuit_breaker(self.service).get("enable"))
            )
            for deployment in list(self.deployments):
                self._progress(deployment, milestone if due else now)
            if not due:
                return
            if primary.failing:
                self._trip(primary)
            else:
                self._complete(primary)

    def _progress(self, deployment: Deployment, until: datetime) -> None:
        if deployment.failing and not deployment.halted:
            attempt = deployment.attempt_at(until)
            if attempt > deployment.attempt:
                current = deployment.live_tasks()
                ended_at = deployment.attempt_start(attempt)
                if current:
                    self._fail(deployment, current, ended_at)
                deployment.failed_tasks = deployment.desired_count * attempt
                deployment.attempt = attempt
                deployment.updated_at = ended_at
                if not (_circuit_breaker(self.service).get("enable") and attempt >= FAILING_ATTEMPTS_PER_ROLLOUT):
                    self._launch(deployment, deployment.desired_count, ended_at)
        newly_running = [t for t in deployment.tasks if t.progress(until)]
        if newly_running:
            at = max(t.running_at for t in newly_running)
            for arn in self._target_groups():
                self.event(at, f"registered {len(newly_running)} targets in (target-group {arn})")

    def _fail(self, deployment: Deployment, tasks: list[ServiceTask], at: datetime) -> None:
        arns = self._target_groups()
        for task in tasks:
            stop_at = min(task.fail_at or at, at)
            task.progress(stop_at)
        if deployment.attempt == 0:
            self.event(
                at,
                "is unable to consistently start tasks successfully. For more information, see the "
                "Troubleshooting section of the Amazon ECS Developer Guide.",
            )
        if arns and any(t.status == "RUNNING" for t in tasks):
            reason = f"Task failed ELB health checks in (target-group {arns[0]})"
        else:
            reason = "Essential container in task exited"
        self._stop(tasks, min(t.fail_at or at for t in tasks), reason)

    def _complete(self, primary: Deployment) -> None:
        at = primary.done_at
        for old in self.deployments[1:]:
            self._stop(old.tasks, at, f"Scaling activity initiated by (deployment {primary.id})")
        del self.deployments[1:]
        primary.rollout_state = "COMPLETED"
        primary.rollout_state_reason = f"ECS deployment {primary.id} completed."
        primary.updated_at = at
        self.last_completed = primary
        self.event(at, f"deployment {primary.id} deployment completed.")
        self.event(at + timedelta(microseconds=1), "has reached a steady state.")

    def _trip(self, primary: Deployment) -> None:
        at = primary.done_at
        self._stop(primary.tasks, at, "Deployment circuit breaker: tasks failed to start.")
        primary.halted = True
        primary.rollout_state = "FAILED"
        primary.rollout_state_reason = "ECS deployment circuit breaker: tasks failed to start."
        primary.updated_at = at
        self.event(at, f"deployment {primary.id} deployment failed: tasks failed to start.")
        target = self.last_completed
        if not (_circuit_breaker(self.service).get("rollback") and target):
            return
        self.service.task_definition = target.task_definition
        self.event(at + timedelta(microseconds=1), f"rolling back to deployment {target.id}.")
        self.start_deployment(
            at + timedelta(microseconds=1),
            reason=f"ECS deployment circuit breaker: rolling back to deploymentId {target.id}.",
        )

    def scale(self, now: datetime) -> None:
        """Apply a new desired count to the primary deployment."""
        primary = self.deployments[0]
        primary.desired_count = self.service.desired_count
        if primary.failing or primary.halted:
            return
        live = primary.live_tasks()
        if len(live) < primary.desired_count:
            self._launch(primary, primary.desired_count - len(live), now)
        elif len(live) > primary.desired_count:
            surplus = sorted(live, key=lambda t: t.created_at)[primary.desired_count :]
            self._stop(surplus, now, "Scaling activity initiated by (service scheduler)")

    def stop_all(self, now: datetime) -> None:
        for deployment in self.deployments:
            self._stop(deployment.tasks, now, "Service deleted")


def _circuit_breaker(service: Service) -> dict[str, Any]:
    config = getattr(service, "deployment_configuration", None) or {}
    return config.get("deploymentCircuitBreaker") or {}


def _pick_container_instance(backend: EC2ContainerServiceBackend, cluster_name: str, index: int) -> Any:
    instances = [ci for ci in backend.container_instances.get(cluster_name, {}).values() if ci.status == "ACTIVE"]
    return instances[index % len(instances)] if instances else None


def _capacity_provider_instance(backend: EC2ContainerServiceBackend, strategy: list[dict], index: int) -> str | None:
    """An EC2 instance of the service's capacity provider's Auto Scaling group, round robin."""
    asg_backend = autoscaling_backends[backend.account_id][backend.region_name]
    for item in strategy:
        provider = backend._get_provider(item["capacityProvider"])
        if provider is None:
            continue
        asg_ref = provider.auto_scaling_group_provider.get("autoScalingGroupArn", "")
        for group in asg_backend.autoscaling_groups.values():
            if asg_ref in (group.arn, group.name) and group.instance_states:
                states = group.instance_states
                return states[index % len(states)].instance.id
    return None


def _attach_eni(account_id: str, region_name: str, config: dict[str, Any]) -> dict[str, Any]:
    """Create the task's ENI in its first subnet, as the ``ElasticNetworkInterface`` attachment."""
    ec2 = ec2_backends[account_id][region_name]
    subnet = ec2.get_subnet(config["subnets"][0])
    eni = ec2.create_network_interface(
        subnet=subnet, private_ip_address=None, group_ids=config["securityGroups"], description="moto ECS"
    )
    eni.status = "in-use"
    eni.device_index = 0
    ip = eni.private_ip_address
    dns = f"ip-{ip.replace('.', '-')}.{region_name}.compute.internal"
    return {
        "id": str(mock_random.uuid4()),
        "type": "ElasticNetworkInterface",
        "status": "ATTACHED",
        "details": [
            {"name": "subnetId", "value": subnet.id},
            {"name": "networkInterfaceId", "value": eni.id},
            {"name": "macAddress", "value": eni.mac_address},
            {"name": "privateDnsName", "value": dns},
            {"name": "privateIPv4Address", "value": ip},
        ],
    }


def _task_network_configuration(service: Service, task_definition: Any) -> dict[str, Any] | None:
    """The service's awsvpc configuration; without security groups AWS uses the VPC's default one."""
    if task_definition.network_mode != "awsvpc" or not service.network_configuration:
        return None
    config = dict(service.network_configuration["awsvpcConfiguration"])
    if not config.get("securityGroups"):
        ec2 = ec2_backends[service._account_id][service.region_name]
        subnet = ec2.get_subnet(config["subnets"][0])
        default = ec2.get_security_group_from_name("default", vpc_id=subnet.vpc_id)
        config["securityGroups"] = [default.id] if default else []
    return {"awsvpcConfiguration": config}


# --- wiring into moto -------------------------------------------------------------------------


def rollout(service: Service, now: datetime | None = None) -> Rollout | None:
    """The service's simulation, brought up to ``now``; None for non-ECS deployment controllers."""
    try:
        return _rollout(service, now)
    except AttributeError as exc:
        # The response serializer reads attributes with a default: an AttributeError from here would
        # silently drop fields instead of failing loudly.
        raise RuntimeError(f"ECS rollout simulation failed: {exc}") from exc


def _rollout(service: Service, now: datetime | None) -> Rollout | None:
    state = service.__dict__.get("_teamf_rollout")
    if state is None:
        if not _simulated(service):
            return None
        moto_deployments = service.__dict__.get("_teamf_moto_deployments") or [{}]
        created_at = moto_deployments[0].get("createdAt") or utcnow()
        state = service.__dict__["_teamf_rollout"] = Rollout(service)
        state.start_deployment(created_at)
    state.advance(now or utcnow())
    return state


def _initialised(service: Service) -> bool:
    return "_teamf_rollout" in service.__dict__


def _simulated(service: Service) -> bool:
    return service.deployment_controller.get("type", "ECS") == "ECS" and bool(service.task_definition)


def _get_deployments(service: Service) -> list[Any]:
    state = rollout(service)
    return state.deployments if state else service.__dict__.get("_teamf_moto_deployments", [])


def _set_deployments(service: Service, value: list[Any]) -> None:
    service.__dict__["_teamf_moto_deployments"] = value


def _counter(name: str) -> property:
    def getter(service: Service) -> int:
        if _initialised(service):
            return sum(getattr(d, name) for d in rollout(service).deployments)
        # moto's own create bookkeeping reads the counts before the service is configured: do not
        # start the simulation from there. Nothing runs before the first deployment.
        return 0 if _simulated(service) else service.__dict__.get(f"_teamf_moto_{name}", 0)

    def setter(service: Service, value: int) -> None:
        service.__dict__[f"_teamf_moto_{name}"] = value

    return property(getter, setter)


def _get_events(service: Service) -> list[dict[str, Any]]:
    state = rollout(service) if _simulated(service) else None
    return state.events if state else service.__dict__.get("_teamf_moto_events", [])


def _set_events(service: Service, value: list[dict[str, Any]]) -> None:
    service.__dict__["_teamf_moto_events"] = value


def _services_of(backend: EC2ContainerServiceBackend, cluster_name: str | None = None) -> list[Service]:
    return [s for s in backend.services.values() if cluster_name in (None, s.cluster_name)]


def _refresh_cluster(backend: EC2ContainerServiceBackend, cluster_str: str | None) -> None:
    cluster_name = cluster_str.split("/")[-1] if cluster_str else None
    for service in _services_of(backend, cluster_name):
        if service.status == "ACTIVE" and _simulated(service):
            rollout(service)


def _keep_cluster_counts(backend: EC2ContainerServiceBackend, cluster_str: str, call: Any) -> Any:
    """moto books service counts on the cluster; ours change over time, so leave the cluster alone."""
    cluster = backend._get_cluster(cluster_str)
    counts = (cluster.running_tasks_count, cluster.pending_tasks_count)
    try:
        return call()
    finally:
        cluster.running_tasks_count, cluster.pending_tasks_count = counts


def load_balancer_targets(account_id: str, region_name: str, target_group_arn: str) -> list[dict[str, Any]]:
    """Targets ECS keeps registered in a target group: one per running task of each service using it.

    Each item: ``{"id", "port", "state", "reason", "description"}`` as ELBv2 reports target health.
    """
    backend = ecs_backends[account_id][region_name]
    now = utcnow()
    targets = []
    for service in list(backend.services.values()):
        if service.status != "ACTIVE":
            continue
        for lb in service.load_balancers or []:
            if lb.get("targetGroupArn") != target_group_arn:
                continue
            state = rollout(service, now)
            if state is None:
                continue
            for deployment in state.deployments:
                for task in deployment.tasks:
                    if task.status != "RUNNING":
                        continue
                    targets.append(_target(task, lb, now))
    return targets


def _target(task: ServiceTask, lb: dict[str, Any], now: datetime) -> dict[str, Any]:
    container_port = lb.get("containerPort")
    port = container_port if "." in (task.target_id or "") else task.host_ports.get(container_port, container_port)
    target = {"id": task.target_id or f"i-{task.id.replace('-', '')[:17]}", "port": port}
    if task.healthy_at is None:
        target.update(
            state="unhealthy",
            reason="Target.ResponseCodeMismatch",
            description="Health checks failed with these codes: [502]",
        )
    elif now < task.healthy_at:
        target.update(
            state="initial", reason="Elb.InitialHealthChecking", description="Initial health checks in progress"
        )
    else:
        target.update(state="healthy", reason=None, description=None)
    return target


def apply() -> None:
    if getattr(Service, "_teamf_rollout_applied", False):
        return
    Service._teamf_rollout_applied = True
    Service.deployments = property(_get_deployments, _set_deployments)
    Service.running_count = _counter("running_count")
    Service.pending_count = _counter("pending_count")
    Service.events = property(_get_events, _set_events)

    original_update = EC2ContainerServiceBackend.update_service
    original_delete = EC2ContainerServiceBackend.delete_service
    original_list_tasks = EC2ContainerServiceBackend.list_tasks
    original_describe_tasks = EC2ContainerServiceBackend.describe_tasks

    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Service:
        props = dict(service_properties)
        cluster_str = props.get("cluster", "default")
        service = self._get_service(cluster_str, props["service"].split("/")[-1])
        now = utcnow()
        state = rollout(service, now)
        force = bool(props.pop("force_new_deployment", False))
        before = {name: getattr(service, name, None) for name in REDEPLOY_PROPERTIES}
        previous_definition = service.task_definition
        previous_desired = service.desired_count
        if props.get("task_definition"):
            # Validate first and keep the full ARN, as AWS shows it.
            props["task_definition"] = self.describe_task_definition(props["task_definition"]).arn
        service = _keep_cluster_counts(self, cluster_str, lambda: original_update(self, props))
        if state is None:
            return service
        changed = service.task_definition != previous_definition or any(
            props.get(name) is not None and props[name] != before[name] for name in REDEPLOY_PROPERTIES
        )
        if changed or force:
            state.start_deployment(now)
        elif service.desired_count != previous_desired:
            state.scale(now)
        return service

    def delete_service(self: EC2ContainerServiceBackend, cluster_name: str, service_name: str, force: bool) -> Service:
        service = self._get_service(cluster_name, service_name)
        state = rollout(service) if _initialised(service) else None
        service = _keep_cluster_counts(
            self, cluster_name, lambda: original_delete(self, cluster_name, service_name, force)
        )
        if state is not None:
            state.stop_all(utcnow())
        return service

    def list_tasks(
        self: EC2ContainerServiceBackend,
        cluster_str: str | None = None,
        container_instance: str | None = None,
        family: str | None = None,
        started_by: str | None = None,
        service_name: str | None = None,
        desiredStatus: str | None = None,  # moto's parameter name
    ) -> list[Task]:
        _refresh_cluster(self, cluster_str)
        tasks = original_list_tasks(
            self, cluster_str, container_instance, family, started_by, service_name, desiredStatus or "RUNNING"
        )
        if service_name:
            tasks = [t for t in tasks if t.group == f"service:{service_name.split('/')[-1]}"]
        return tasks

    def describe_tasks(self: EC2ContainerServiceBackend, cluster_str: str, tasks: list[str]) -> list[Task]:
        _refresh_cluster(self, cluster_str)
        return original_describe_tasks(self, cluster_str, tasks)

    EC2ContainerServiceBackend.update_service = update_service
    EC2ContainerServiceBackend.delete_service = delete_service
    EC2ContainerServiceBackend.list_tasks = list_tasks
    EC2ContainerServiceBackend.describe_tasks = describe_tasks
