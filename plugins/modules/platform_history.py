#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: platform_history
short_description: Record a deploy, promotion or rollback of an environment in the platform's history
version_added: 0.4.0
description:
  - The platform's deploy history is a DynamoDB table it owns (created on first use, on-demand capacity),
    one item per event of an environment, read back with M(teamf.platform.platform_history_info) and
    C(make history ENV=<env>).
  - O(state=present) records one event. Who made it is the caller's ARN, which the module asks STS for
    (C(sts:GetCallerIdentity) needs no permission); when is now (UTC); the event's id sorts by time.
  - Every call records a new event, so the playbooks call it only when the deploy changed something or
    failed.
  - The action plugin fills O(run) (a GitHub Actions run's URL when C(GITHUB_RUN_ID) is set, else
    C(user@host:pid) of C(ansible-playbook), as the lock names its holder) and O(playbook).
author: teamf platform engineers (@teamf)
options:
  environment:
    description: The environment, for example V(dev).
    type: str
    required: true
  state:
    description: V(present) records the event.
    type: str
    choices: [present]
    default: present
  kind:
    description: What happened.
    type: str
    choices: [redeploy, deploy, promote, rollback]
    required: true
  result:
    description: Whether it succeeded.
    type: str
    choices: [succeeded, failed]
    default: succeeded
  from:
    description:
      - What ran before, per service (ECS) or release name (EKS); each value a dict with C(version)
        (ECS the task definition C(family:revision), EKS the backend release), C(revision) and C(images).
    type: dict
    default: {}
  to:
    description: What runs after (or, for a failure, what was attempted), in the form of O(from).
    type: dict
    default: {}
  reason:
    description:
      - Why it failed (the failing task's message), stored as the event's C(message).
      - Not called C(message), which Ansible keeps for itself.
    type: str
    default: ""
  run:
    description: The run that made the change. The action plugin fills it in.
    type: str
  playbook:
    description: The playbook's file name. The action plugin fills it in.
    type: str
  table:
    description: The DynamoDB table of the history; created when it does not exist.
    type: str
    default: teamf-platform-history
notes:
  - Supports check mode and diff mode. In check mode nothing is written (no table, no item); the module
    returns the event it would record.
  - O(tags) are set on the table when it is created.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Record dev's redeploy
  teamf.platform.platform_history:
    environment: dev
    kind: redeploy
    from: {auth-server: {version: "teamf-dev-auth-server:3", revision: 3, images: ["...:1.0.0"]}}
    to: {auth-server: {version: "teamf-dev-auth-server:4", revision: 4, images: ["...:1.1.0"]}}

- name: Record a failed promotion
  teamf.platform.platform_history:
    environment: prod
    kind: promote
    result: failed
    from: {api: {version: "1.0.0", revision: 3}}
    to: {api: {version: "1.1.0"}}
    reason: "{{ ansible_failed_result.msg }}"
"""

RETURN = r"""
event:
  description: The event recorded (in check mode, that would be).
  returned: always
  type: dict
  contains:
    environment:
      description: The environment.
      type: str
      sample: dev
    id:
      description: The event's id, UTC time and a random suffix (C(make rollback TO=<id>) takes it).
      type: str
      sample: 20261202-075011-3f9a
    time:
      description: When (UTC, ISO 8601).
      type: str
      sample: "2026-12-02T07:50:11Z"
    who:
      description: The caller's ARN (STS).
      type: str
      sample: arn:aws:sts::123456789012:assumed-role/teamf-dev-deploy/GitHubActions
    kind:
      description: redeploy, deploy, promote or rollback.
      type: str
    result:
      description: succeeded or failed.
      type: str
    from:
      description: What ran before.
      type: dict
    to:
      description: What runs after.
      type: dict
    message:
      description: Why it failed.
      type: str
    run:
      description: The run.
      type: str
      sample: alice@laptop:4242
    playbook:
      description: The playbook.
      type: str
      sample: redeploy.yml
table_created:
  description: Whether the table was created (in check mode, would be).
  returned: always
  type: bool
msg:
  description: What was recorded, in one line.
  returned: always
  type: str
  sample: "dev: redeploy succeeded, auth-server :3 → :4 (20261202-075011-3f9a)"
diff:
  description: The event, after.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.platform_history import (
    TableMissing,
    caller_arn,
    create_table,
    describe_change,
    event_time,
    new_event_id,
    put_event,
    to_item,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def build_event(module, who, now):
    event_id = new_event_id(now)
    params = module.params
    event = {
        "environment": params["environment"],
        "id": event_id,
        "time": event_time(event_id),
        "who": who,
        "kind": params["kind"],
        "result": params["result"],
        "from": params["from"] or {},
        "to": params["to"] or {},
        "message": params["reason"] or "",
        "run": params["run"] or "",
        "playbook": params["playbook"] or "",
    }
    for field in ("from", "to"):
        for name, entry in event[field].items():
            if not isinstance(entry, dict):
                module.fail_json(msg=f"{field}.{name}: {entry!r} is not a dict (version, revision, images)")
    try:
        to_item(event)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    return event


def record(module, client):
    params = module.params
    event = build_event(module, caller_arn(module.client("sts")), time.time())
    msg = f"{params['environment']}: {params['kind']} {params['result']}, {describe_change(event)} ({event['id']})"
    result = {"changed": True, "event": event, "table_created": False, "msg": msg}
    if module._diff:
        result["diff"] = {"before": {}, "after": event}
    if module.check_mode:
        return result
    for _attempt in range(3):  # a new id per attempt: ids clash only within one second and token
        try:
            written = put_event(client, params["table"], event)
        except TableMissing:
            create_table(client, params["table"], params["tags"])
            result["table_created"] = True
            written = put_event(client, params["table"], event)
        if written:
            return result
        event.update(id=new_event_id(time.time()))
    module.fail_json(msg=f"id: could not find a free event id for {params['environment']} in table {params['table']}")


def main():
    argument_spec = dict(
        environment=dict(type="str", required=True),
        state=dict(type="str", choices=["present"], default="present"),
        kind=dict(type="str", choices=["redeploy", "deploy", "promote", "rollback"], required=True),
        result=dict(type="str", choices=["succeeded", "failed"], default="succeeded"),
        reason=dict(type="str", default=""),
        run=dict(type="str"),
        playbook=dict(type="str"),
        table=dict(type="str", default="teamf-platform-history"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        **{"from": dict(type="dict", default={}), "to": dict(type="dict", default={})},
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        result = record(module, module.client("dynamodb"))
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"history of {module.params['environment']} in table {module.params['table']}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
