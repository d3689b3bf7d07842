# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECS rollout: the calls, the compare helpers and the wait of the ecs_rollout module.

``ecs`` and ``elbv2`` are ``PlatformAWSModule.client(...)`` (module_utils/retries.py): single calls pass
``aws_retry=True``. AWS errors are raised as AnsibleECSRolloutError for the module to report once.
``watch`` runs in worker threads, one per service, each with clients of its own.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.error import HTTPError

from ansible.module_utils.urls import open_url
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

EVENTS_KEPT = 10


class AnsibleECSRolloutError(AnsibleAWSError):
    pass


class RolloutErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECSRolloutError


# --- AWS calls --------------------------------------------------------------------------------


@RolloutErrorHandler.common_error_handler("describe service")
def describe_service(ecs, cluster, service):
    """The ACTIVE service, or None."""
    result = ecs.describe_services(cluster=cluster, services=[service], aws_retry=True)
    for found in result.get("services") or []:
        if found.get("status") == "ACTIVE":
            return found
    return None


@RolloutErrorHandler.common_error_handler("describe task definition")
def task_definition_arn(ecs, reference):
    """The full ARN of a task definition given as ARN, ``family:revision`` or family (latest ACTIVE)."""
    return ecs.describe_task_definition(taskDefinition=reference, aws_retry=True)["taskDefinition"]["taskDefinitionArn"]


@RolloutErrorHandler.common_error_handler("update service")
def update_service(ecs, cluster, service, changes):
    return ecs.update_service(cluster=cluster, service=service, **changes, aws_retry=True)["service"]


@RolloutErrorHandler.common_error_handler("describe target health")
def target_states(elbv2, target_group_arn):
    """The health state of every target registered in the target group."""
    result = elbv2.describe_target_health(TargetGroupArn=target_group_arn, aws_retry=True)
    return [d["TargetHealth"]["State"] for d in result.get("TargetHealthDescriptions") or []]


# --- compare helpers (no AWS calls) -----------------------------------------------------------


def primary_deployment(service):
    deployments = service.get("deployments") or []
    return next((d for d in deployments if d.get("status") == "PRIMARY"), deployments[0] if deployments else {})


def previous_deployment(service):
    """The newest deployment other than the primary that still serves (ACTIVE), or None."""
    return next((d for d in service.get("deployments") or [] if d.get("status") == "ACTIVE"), None)


def wanted_deployment_configuration(minimum_healthy_percent, maximum_percent, circuit_breaker):
    return {
        "minimumHealthyPercent": minimum_healthy_percent,
        "maximumPercent": maximum_percent,
        "deploymentCircuitBreaker": {"enable": circuit_breaker, "rollback": circuit_breaker},
    }


def service_changes(service, task_definition_arn, deployment_configuration, desired_count=None):
    """The UpdateService parameters that take ``service`` to what is wanted; empty when nothing differs.

    The task definition is compared with the PRIMARY deployment's (full ARNs), not with the service's
    ``taskDefinition``, which a running rollback or another deployment may already have changed.
    """
    changes = {}
    if primary_deployment(service).get("taskDefinition") != task_definition_arn:
        changes["taskDefinition"] = task_definition_arn
    current = service.get("deploymentConfiguration") or {}
    current_breaker = current.get("deploymentCircuitBreaker") or {"enable": False, "rollback": False}
    wanted_breaker = deployment_configuration["deploymentCircuitBreaker"]
    if (
        current.get("minimumHealthyPercent") != deployment_configuration["minimumHealthyPercent"]
        or current.get("maximumPercent") != deployment_configuration["maximumPercent"]
        or any(bool(current_breaker.get(key)) != value for key, value in wanted_breaker.items())
    ):
        changes["deploymentConfiguration"] = deployment_configuration
    if desired_count is not None and service.get("desiredCount") != desired_count:
        changes["desiredCount"] = desired_count
    return changes


def newest_event_id(service):
    events = service.get("events") or []
    return events[0]["id"] if events else None


def events_since(service, marker):
    """Messages of the service events newer than the event ``marker`` (newest first, at most EVENTS_KEPT).

    Events are listed newest first; an id marks the start, so the controller's clock does not matter.
    """
    messages = []
    for event in service.get("events") or []:
        if marker is not None and event.get("id") == marker:
            break
        messages.append(event.get("message", ""))
    return messages[:EVENTS_KEPT]


def short_name(task_definition_arn):
    """``family:revision`` of a task definition ARN, for messages."""
    return (task_definition_arn or "").rsplit("/", 1)[-1] or None


# --- waiting ----------------------------------------------------------------------------------


class ProgressLog:
    """Appends one JSON line per message to ``path`` (read by the action plugin), if there is one."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def __call__(self, label, message):
        if not self.path:
            return
        line = json.dumps({"service": label, "message": message}) + "\n"
        with self.lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)


@dataclass
class Watch:
    """What to wait for on one service, and with what; ``started`` is when the deployment was started."""

    label: str
    cluster: str
    service: str
    deployment_id: str
    ecs: object
    elbv2: object
    timeout: float
    poll_interval: float
    started: float
    check_targets: bool = True
    probe: dict | None = None
    report: object = field(default=lambda label, message: None)
    clock: object = time.monotonic
    sleep: object = time.sleep


@dataclass
class Outcome:
    state: str  # completed | failed | timed_out
    reason: str | None
    service: dict
    elapsed: float


def target_summary(elbv2, service):
    """(healthy, total, all_ok) over the target groups of the service's load balancers."""
    healthy = total = 0
    all_ok = True
    for load_balancer in service.get("loadBalancers") or []:
        if not load_balancer.get("targetGroupArn"):
            continue
        states = target_states(elbv2, load_balancer["targetGroupArn"])
        healthy += states.count("healthy")
        total += len(states)
        if states.count("healthy") != len(states) or (not states and service.get("desiredCount")):
            all_ok = False
    return healthy, total, all_ok


def probe_error(probe):
    """None when the probe answers the expected status, else what went wrong."""
    try:
        response = open_url(probe["url"], method="GET", timeout=probe["timeout"], validate_certs=True)
        status = response.getcode()
    except HTTPError as exc:
        status = exc.code
    except Exception as exc:  # connection refused, DNS, TLS, timeout: all mean "not ready yet"
        return f"probe {probe['url']}: {exc}"
    if status != probe["status"]:
        return f"probe {probe['url']} answered {status}, expected {probe['status']}"
    return None


def describe_state(deployment, targets, probe_problem):
    running, desired = deployment.get("runningCount", 0), deployment.get("desiredCount", 0)
    text = f"{deployment.get('rolloutState', 'UNKNOWN')} {running}/{desired} running"
    if targets is not None:
        text += f", targets {targets[0]}/{targets[1]} healthy"
    if probe_problem:
        text += f", {probe_problem}"
    return text


def watch(job):
    """Wait until ``job.deployment_id`` completed with every task running, targets healthy, probe passing."""
    last = None
    while True:
        elapsed = job.clock() - job.started
        service = describe_service(job.ecs, job.cluster, job.service)
        if service is None:
            return Outcome("failed", f"service {job.service} no longer exists", {}, elapsed)
        mine = next((d for d in service.get("deployments") or [] if d.get("id") == job.deployment_id), None)
        if mine is None or mine.get("rolloutState") == "FAILED" or mine.get("status") != "PRIMARY":
            job.report(job.label, f"FAILED ({elapsed:.0f}s)")
            return Outcome("failed", replaced_reason(job.deployment_id, mine, service), service, elapsed)

        rollout_state = mine.get("rolloutState") or ("COMPLETED" if len(service["deployments"]) == 1 else "")
        settled = (
            rollout_state == "COMPLETED"
            and mine.get("runningCount") == mine.get("desiredCount")
            and service.get("runningCount") == service.get("desiredCount")
        )
        targets = None
        if job.check_targets and job.elbv2 and service.get("loadBalancers"):
            targets = target_summary(job.elbv2, service)
            settled = settled and targets[2]
        problem = probe_error(job.probe) if settled and job.probe else None
        state = describe_state(mine, targets, problem)
        if state != last:
            job.report(job.label, f"{state} ({elapsed:.0f}s)")
            last = state
        if settled and not problem:
            return Outcome("completed", None, service, elapsed)
        if elapsed >= job.timeout:
            reason = f"timed out after {job.timeout:g}s waiting for deployment {job.deployment_id}: {state}"
            job.report(job.label, reason)
            return Outcome("timed_out", reason, service, elapsed)
        job.sleep(job.poll_interval)


def replaced_reason(deployment_id, mine, service):
    if mine is not None and mine.get("rolloutState") == "FAILED":
        return mine.get("rolloutStateReason") or f"deployment {deployment_id} failed"
    primary = primary_deployment(service)
    reason = f"deployment {deployment_id} was replaced by deployment {primary.get('id')}"
    reason += f" of {short_name(primary.get('taskDefinition'))}"
    if primary.get("rolloutStateReason"):
        reason += f" ({primary['rolloutStateReason']})"
    return reason


def watch_all(jobs):
    """Run ``watch`` for every job in parallel; outcomes in the order of ``jobs``."""
    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(_watch_naming_the_service, jobs))


def _watch_naming_the_service(job):
    try:
        return watch(job)
    except AnsibleAWSError as exc:
        exc.message = f"{exc.message} (services: {job.service} in cluster {job.cluster})"
        raise
