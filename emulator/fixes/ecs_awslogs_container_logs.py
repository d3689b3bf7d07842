"""ECS tasks write their containers' awslogs streams: the stand-in for what the containers print.

What moto does: no container ever runs, so a task definition's ``awslogs`` log configuration has no
effect: the service's log group stays empty and a logs reader has nothing to show.

What AWS documents (the ``awslogs`` log driver):
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LogConfiguration.html

- A container whose ``logConfiguration.logDriver`` is ``awslogs`` sends what it writes to stdout and
  stderr to the group ``awslogs-group`` in ``awslogs-region``, one stream per container and task:
  ``awslogs-stream-prefix/container-name/ecs-task-id``.
- With ``awslogs-create-group`` set to ``true`` the group is created when missing; otherwise the group
  must exist.

What the fix changes: when a service's simulated task (``ecs_deployments``) goes RUNNING, each of its
containers with the ``awslogs`` driver and a stream prefix gets its stream and two events stamped with
the task's start: ``container <name> started`` and ``image <image>, task <task-id>``; when the task
stops after running, ``container <name> stopped: <stoppedReason>``. These lines are the emulator's, not
an application's: they prove where the logs go and that a reader finds them. Reads of CloudWatch Logs
(FilterLogEvents, GetLogEvents, DescribeLogStreams) first bring the region's ECS services up to now,
as DescribeServices does, so the events of a task that started in the meantime are there.

Not simulated: containers without ``awslogs-stream-prefix`` (AWS names their stream by the Docker
container id, which nothing here has), a missing group without ``awslogs-create-group`` (AWS fails the
task; here its lines are dropped), the ``awslogs-region`` of another region than the task's being
refreshed on reads of that region, and tasks started with RunTask (no simulation moves them).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from moto.core.utils import unix_time_millis
from moto.ecs.models import ecs_backends
from moto.logs.models import LogsBackend, logs_backends

from emulator.fixes import ecs_deployments
from emulator.fixes.ecs_deployments import ServiceTask


def awslogs_streams(task: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    """``(region, group, stream, container)`` for each container of ``task`` that logs with awslogs."""
    found = []
    task_definition = task._backend.describe_task_definition(task.task_definition_arn)
    for container in task_definition.container_definitions:
        config = container.get("logConfiguration") or {}
        options = config.get("options") or {}
        if config.get("logDriver") != "awslogs" or not options.get("awslogs-group"):
            continue
        prefix = options.get("awslogs-stream-prefix")
        if not prefix:
            continue
        stream = f"{prefix}/{container['name']}/{task.id}"
        found.append((options.get("awslogs-region") or task.region_name, options["awslogs-group"], stream, container))
    return found


def write(task: Any, at: datetime, lines_for) -> None:
    """Append ``lines_for(container)`` to each awslogs stream of ``task``, stamped ``at``."""
    timestamp = int(unix_time_millis(at))
    for region, group_name, stream, container in awslogs_streams(task):
        backend = logs_backends[task._account_id][region]
        options = container["logConfiguration"].get("options") or {}
        if group_name not in backend.groups:
            if str(options.get("awslogs-create-group", "")).lower() != "true":
                continue
            backend.create_log_group(group_name, {})
        backend.ensure_log_stream(group_name, stream)
        events = [{"timestamp": timestamp, "message": line} for line in lines_for(container)]
        backend.groups[group_name].put_log_events(stream, events)


def _started_lines(task: Any):
    return lambda c: [f"container {c['name']} started", f"image {c.get('image', '')}, task {task.id}"]


def _refresh_ecs(account_id: str, region_name: str) -> None:
    backend = ecs_backends[account_id][region_name]
    ecs_deployments._refresh_cluster(backend, None)


def apply() -> None:
    if getattr(ServiceTask, "_teamf_awslogs_applied", False):
        return
    ServiceTask._teamf_awslogs_applied = True
    original_progress = ServiceTask.progress
    original_stop = ServiceTask.stop

    def progress(self: ServiceTask, now: datetime) -> bool:
        changed = original_progress(self, now)
        if changed and self.status == "RUNNING":
            write(self, self.running_at, _started_lines(self))
        return changed

    def stop(self: ServiceTask, at: datetime, reason: str) -> None:
        was_running = self.status == "RUNNING"
        original_stop(self, at, reason)
        if was_running:
            write(self, at, lambda c: [f"container {c['name']} stopped: {reason}"])

    ServiceTask.progress = progress
    ServiceTask.stop = stop

    for name in ("filter_log_events", "get_log_events", "describe_log_streams"):
        original = getattr(LogsBackend, name)

        def refreshing(self: LogsBackend, *args: Any, __original=original, **kwargs: Any) -> Any:
            _refresh_ecs(self.account_id, self.region_name)
            return __original(self, *args, **kwargs)

        setattr(LogsBackend, name, functools.wraps(original)(refreshing))
