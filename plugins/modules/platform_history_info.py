#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: platform_history_info
short_description: Read an environment's deploy history (the newest events first)
version_added: 0.4.0
description:
  - Reads the events M(teamf.platform.platform_history) recorded for one environment from the
    platform's DynamoDB history table, newest first, and renders them as the table C(make history) prints.
  - Read-only. A table that does not exist yet means no event was ever recorded (an empty history).
author: teamf platform engineers (@teamf)
options:
  environment:
    description: The environment, for example V(dev).
    type: str
    required: true
  limit:
    description: How many events, the newest first.
    type: int
    default: 20
  id:
    description: Only this event (an id from the history); the result is empty when it does not exist.
    type: str
  table:
    description: The DynamoDB table of the history.
    type: str
    default: teamf-platform-history
notes:
  - Supports check mode (it only reads).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Read prod's last 20 deploys
  teamf.platform.platform_history_info:
    environment: prod
  register: history

- name: Print them
  ansible.builtin.debug:
    msg: "{{ history.table }}"
"""

RETURN = r"""
events:
  description: The events, newest first, each as M(teamf.platform.platform_history) returns its C(event).
  returned: always
  type: list
  elements: dict
lines:
  description:
    - The table C(make history) prints, a header line then one line per event (id, when, who, kind,
      from → to, result).
  returned: always
  type: list
  elements: str
  sample:
    - "ID                    WHEN (UTC)           WHO                 KIND      FROM → TO                   RESULT"
    - "20261202-075011-3f9a  2026-12-02 07:50:11  user/alice          redeploy  auth-server :3 → :4         succeeded"
table:
  description: RV(lines) as one text, a line each.
  returned: always
  type: str
table_exists:
  description: Whether the history table exists.
  returned: always
  type: bool
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.platform_history import (
    TableMissing,
    get_event,
    query_events,
    table_lines,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def main():
    argument_spec = dict(
        environment=dict(type="str", required=True),
        limit=dict(type="int", default=20),
        id=dict(type="str"),
        table=dict(type="str", default="teamf-platform-history"),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["limit"] < 1 or params["limit"] > 1000:
        module.fail_json(msg=f"limit: {params['limit']} is not a number of events from 1 to 1000 (LIMIT=)")
    client = module.client("dynamodb")
    try:
        if params["id"]:
            event = get_event(client, params["table"], params["environment"], params["id"])
            events = [event] if event else []
        else:
            events = query_events(client, params["table"], params["environment"], params["limit"])
        exists = True
    except TableMissing:
        events, exists = [], False
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"history of {params['environment']} in table {params['table']}")
    lines = table_lines(events)
    module.exit_json(changed=False, events=events, lines=lines, table="\n".join(lines), table_exists=exists)


if __name__ == "__main__":
    main()
