"""ECS ExecuteCommand, and the execute-command state of the tasks a service starts.

What moto does: it has no ExecuteCommand (the request fails as an unknown action), and its tasks
carry neither ``enableExecuteCommand`` nor the containers' ``managedAgents``, so a client cannot see
whether a task can be entered.

What AWS documents:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommand.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (``enableExecuteCommand``)
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedAgent.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html

- A task takes ``enableExecuteCommand`` from its service when it starts; turning it on for a service
  reaches only tasks started afterwards. Such a task's containers report the managed agent
  ``ExecuteCommandAgent``, ``RUNNING`` while the task runs.
- ExecuteCommand (``cluster``, ``task``, ``container``, ``command``, ``interactive``) answers
  ``{clusterArn, containerArn, containerName, interactive, session: {sessionId, streamUrl,
  tokenValue}, taskArn}``; the session is what the Session Manager plugin opens.
- ``interactive`` must be true ("Interactive is the only mode supported currently"); ``container``
  may be left out only for a task of one container. A task started without execute command is
  refused with ``InvalidParameterException`` ("The execute command failed because execute command
  was not enabled when the task was run or the execute command agent isn't running..."); a task that
  is not running (no agent connected) with ``TargetNotConnectedException``; an unknown cluster with
  ``ClusterNotFoundException``; an unknown task or container with ``InvalidParameterException``.

What the fix changes: tasks the service scheduler starts (``ecs_deployments``) copy the service's
``enableExecuteCommand`` and, when it is on, carry the managed agent (and each container a
``runtimeId``, which the Session Manager target names); ExecuteCommand validates as
above and returns a session whose ``tokenValue`` is random per call (it is a secret: never logged).
No shell runs: the emulator has no containers, so the session's stream URL leads nowhere.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import Container
from moto.ecs.responses import EC2ContainerServiceResponse

from emulator.fixes import ecs_deployments

AGENT = "ExecuteCommandAgent"
NOT_ENABLED = (
    "The execute command failed because execute command was not enabled when the task was run or the execute "
    "command agent isn't running. Wait and try again or run a new task with execute command enabled and try again."
)


class TargetNotConnectedException(ServiceException):
    code = "TargetNotConnectedException"


def _managed_agents(task: Any) -> list[dict[str, Any]]:
    if not getattr(task, "enable_execute_command", False):
        return []
    status = "RUNNING" if task.status == "RUNNING" else ("STOPPED" if task.status == "STOPPED" else "PENDING")
    return [{"name": AGENT, "lastStatus": status}]


def _find_task(backend: Any, cluster_name: str, task_ref: str) -> Any:
    for arn, task in backend.tasks.get(cluster_name, {}).items():
        if task_ref in (arn, task.task_arn, task.id):
            return task
    raise InvalidParameterException(f"The specified task {task_ref} was not found in cluster {cluster_name}.")


def execute_command(self: EC2ContainerServiceResponse) -> ActionResult:
    param = self._get_param
    cluster = self.ecs_backend._get_cluster(param("cluster", "default"))  # ClusterNotFoundException
    task_ref = param("task")
    command = param("command")
    if not task_ref:
        raise InvalidParameterException("task must not be empty.")
    if not command:
        raise InvalidParameterException("command must not be empty.")
    if not param("interactive", False):
        raise InvalidParameterException("Interactive is the only mode supported currently.")
    task = _find_task(self.ecs_backend, cluster.name, task_ref.rsplit("/", 1)[-1] if "/" in task_ref else task_ref)
    containers = task.containers
    name = param("container")
    if name:
        matching = [c for c in containers if c.name == name]
        if not matching:
            raise InvalidParameterException(f"The container {name} does not exist in the task {task.task_arn}.")
        container = matching[0]
    elif len(containers) == 1:
        container = containers[0]
    else:
        raise InvalidParameterException("The task has more than one container: container must be specified.")
    if not getattr(task, "enable_execute_command", False):
        raise InvalidParameterException(NOT_ENABLED)
    if task.status != "RUNNING":
        raise TargetNotConnectedException(
            f"The execute command failed due to an internal error: the task {task.task_arn} is {task.status}, "
            "its execute command agent is not connected. Try again later."
        )
    session_id = f"ecs-execute-command-{uuid.uuid4().hex[:17]}"
    region = self.ecs_backend.region_name
    return ActionResult(
        {
            "clusterArn": cluster.arn,
            "containerArn": container.container_arn,
            "containerName": container.name,
            "interactive": True,
            "session": {
                "sessionId": session_id,
                "streamUrl": f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}?role=publish_subscribe",
                "tokenValue": secrets.token_urlsafe(96),
            },
            "taskArn": task.task_arn,
        }
    )


def apply() -> None:
    if getattr(EC2ContainerServiceResponse, "execute_command", None) is execute_command:
        return
    EC2ContainerServiceResponse.execute_command = execute_command

    original_new_task = ecs_deployments.Rollout._new_task

    def _new_task(self: Any, deployment: Any, at: Any, running_at: Any) -> Any:
        task = original_new_task(self, deployment, at, running_at)
        task.enable_execute_command = bool(getattr(self.service, "enable_execute_command", False))
        for container in task.containers:
            container._teamf_task = task
            container.runtime_id = secrets.token_hex(32)  # a Docker container ID, as on EC2
        return task

    ecs_deployments.Rollout._new_task = _new_task
    # moto serialises each Container from its attributes: the agent's state is its task's.
    Container.managed_agents = property(lambda c: _managed_agents(c._teamf_task) if hasattr(c, "_teamf_task") else [])
