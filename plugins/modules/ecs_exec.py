#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ecs_exec
short_description: Open an ECS Exec session in a running task of a service
version_added: 0.3.0
description:
  - Finds a C(RUNNING) task of an ECS service that was started with execute command, and calls
    ExecuteCommand (interactive) for one of its containers. The session it returns is what the Session
    Manager plugin (C(session-manager-plugin)) connects a terminal to; this module opens no terminal.
  - Refuses, before any ExecuteCommand call, a service that does not exist, a service without
    C(enableExecuteCommand), a service with no running task, and tasks started before execute command was
    enabled (they keep the setting they started with).
author: teamf platform engineers (@teamf)
options:
  cluster:
    description: Name or ARN of the ECS cluster.
    type: str
    required: true
  service:
    description: Name of the service.
    type: str
    required: true
  container:
    description: Container to run the command in. Defaults to the container named after the service.
    type: str
  command:
    description: The command, as ExecuteCommand takes it (one string, split by the agent).
    type: str
    default: /bin/sh
notes:
  - Opening a session changes nothing in AWS, so C(changed) is always false. In check mode the task and
    container are chosen and the ExecuteCommand call is left out (RV(session) is not returned).
  - "The session's C(tokenValue) is a secret: register the result of a task with C(no_log=true)."
  - "AWS documentation: U(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommand.html),
    U(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html)."
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Open a shell session in the api-server service of dev
  teamf.platform.ecs_exec:
    cluster: teamf-dev
    service: api-server
    command: /bin/sh
  register: exec_session
  no_log: true  # the session token
"""

RETURN = r"""
cluster_arn:
  description: ARN of the cluster.
  returned: always
  type: str
task_arn:
  description: ARN of the running task chosen (the newest started).
  returned: always
  type: str
  sample: arn:aws:ecs:ap-northeast-2:123456789012:task/teamf-dev/0123456789abcdef0123456789abcdef
container_name:
  description: Name of the container the command runs in.
  returned: always
  type: str
container_runtime_id:
  description: The container's runtime ID (empty when ECS reports none); part of RV(ssm_target).
  returned: always
  type: str
ssm_target:
  description: The Session Manager target of the container, C(ecs:<cluster>_<task ID>_<runtime ID>).
  returned: always
  type: str
session:
  description: The ExecuteCommand session; C(token_value) is a secret.
  returned: when not in check mode
  type: dict
  contains:
    session_id:
      description: ID of the session.
      type: str
    stream_url:
      description: WebSocket URL the Session Manager plugin connects to.
      type: str
    token_value:
      description: The token that authenticates the connection (secret).
      type: str
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # PlatformAWSModule reports the missing botocore
    BotoCoreError = ClientError = Exception


class ExecRefused(Exception):
    """A reason not to call ExecuteCommand, with the fix."""


def find_service(client, cluster, service):
    found = client.describe_services(aws_retry=True, cluster=cluster, services=[service])
    active = [s for s in found.get("services", []) if s.get("status") == "ACTIVE"]
    if active:
        return active[0]
    names = sorted(arn.rsplit("/", 1)[-1] for arn in list_service_arns(client, cluster))
    raise ExecRefused(
        f"service {service} does not exist in cluster {cluster} (its services: {', '.join(names) or 'none'})"
    )


def list_service_arns(client, cluster):
    paginator = client.get_paginator("list_services")
    return [arn for page in paginator.paginate(cluster=cluster) for arn in page.get("serviceArns", [])]


def running_tasks(client, cluster, service):
    paginator = client.get_paginator("list_tasks")
    arns = [
        arn
        for page in paginator.paginate(cluster=cluster, serviceName=service, desiredStatus="RUNNING")
        for arn in page.get("taskArns", [])
    ]
    tasks = []
    for start in range(0, len(arns), 100):  # DescribeTasks takes at most 100 tasks
        tasks += client.describe_tasks(aws_retry=True, cluster=cluster, tasks=arns[start : start + 100])["tasks"]
    return [t for t in tasks if t.get("lastStatus") == "RUNNING"]


def choose(service, tasks, container_name):
    """The newest running task started with execute command, and its container; ExecRefused otherwise."""
    name = service["serviceName"]
    if not service.get("enableExecuteCommand"):
        raise ExecRefused(
            f"execute command is not enabled on service {name}: converge the environment with "
            "ecs_dev_execute_command: true (site.yml), which enables it and starts new tasks"
        )
    if not tasks:
        raise ExecRefused(
            f"service {name} has no RUNNING task (desired {service.get('desiredCount', 0)}, "
            f"running {service.get('runningCount', 0)}): see its events with make status"
        )
    enabled = [t for t in tasks if t.get("enableExecuteCommand")]
    if not enabled:
        raise ExecRefused(
            f"the running tasks of service {name} started before execute command was enabled: start new ones "
            f"(aws ecs update-service --cluster {service['clusterArn'].rsplit('/', 1)[-1]} --service {name} "
            "--force-new-deployment), then retry"
        )
    task = max(enabled, key=lambda t: str(t.get("startedAt") or t.get("createdAt") or ""))
    containers = {c["name"]: c for c in task.get("containers", [])}
    if container_name not in containers:
        raise ExecRefused(
            f"task {task['taskArn']} of service {name} has no container {container_name} "
            f"(its containers: {', '.join(sorted(containers))})"
        )
    return task, containers[container_name]


def main():
    module = PlatformAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            service=dict(type="str", required=True),
            container=dict(type="str"),
            command=dict(type="str", default="/bin/sh"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    client = module.client("ecs")
    container_name = params["container"] or params["service"]
    try:
        service = find_service(client, params["cluster"], params["service"])
        task, container = choose(service, running_tasks(client, params["cluster"], params["service"]), container_name)
    except ExecRefused as exc:
        module.fail_json(msg=str(exc))
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg=f"Failed to read service {params['service']} of cluster {params['cluster']}")
    cluster_arn = service["clusterArn"]
    runtime_id = container.get("runtimeId") or ""
    result = dict(
        changed=False,
        cluster_arn=cluster_arn,
        task_arn=task["taskArn"],
        container_name=container_name,
        container_runtime_id=runtime_id,
        ssm_target=f"ecs:{cluster_arn.rsplit('/', 1)[-1]}_{task['taskArn'].rsplit('/', 1)[-1]}_{runtime_id}",
    )
    if module.check_mode:
        module.exit_json(**result)
    try:
        answer = client.execute_command(
            aws_retry=True,
            cluster=params["cluster"],
            task=task["taskArn"],
            container=container_name,
            command=params["command"],
            interactive=True,
        )
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg=f"ExecuteCommand in container {container_name} of task {task['taskArn']} failed")
    session = answer["session"]
    result["session"] = dict(
        session_id=session["sessionId"], stream_url=session["streamUrl"], token_value=session["tokenValue"]
    )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
