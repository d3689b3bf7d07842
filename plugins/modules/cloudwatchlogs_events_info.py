#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: cloudwatchlogs_events_info
short_description: Read the recent events of a CloudWatch Logs group, oldest first
version_added: 0.4.0
description:
  - Reads log events with FilterLogEvents, from a start time on, optionally narrowed to some streams
    and a filter pattern. Neither amazon.aws nor community.aws has a reader of log events
    (C(community.aws.cloudwatchlogs_log_group_info) describes groups only).
  - A group that does not exist is reported as such (RV(log_group_exists)), not as a failure, so a
    caller can say what to do about it.
author: teamf platform engineers (@teamf)
options:
  log_group_name:
    description:
      - The log group, for example V(/ecs/teamf-dev/api-server).
    type: str
    required: true
  log_stream_name_prefix:
    description:
      - Only streams whose name starts with this, for example V(api-server/api-server/) (the awslogs
        driver's streams of one container).
    type: str
  log_stream_names:
    description:
      - Only these streams.
    type: list
    elements: str
  filter_pattern:
    description:
      - A CloudWatch Logs filter pattern, for example V(ERROR) or V("users-api").
    type: str
  since:
    description:
      - How far back to read, V(<number><s|m|h|d>), for example V(10m) or V(2h).
      - Ignored when O(start_time) is set.
    type: str
    default: 10m
  start_time:
    description:
      - Read events from this time on, in milliseconds since the epoch (a previous result's
        RV(last_timestamp) plus one, to read only what came since).
    type: int
  limit:
    description:
      - At most this many events are returned, the newest ones (RV(truncated) says when some were left out).
    type: int
    default: 500
notes:
  - Read-only; runs in check mode too.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: The last 10 minutes of the api-server container
  teamf.platform.cloudwatchlogs_events_info:
    log_group_name: /ecs/teamf-dev/api-server
    log_stream_name_prefix: api-server/api-server/
    since: 10m
  register: recent

- name: Print them
  ansible.builtin.debug:
    msg: "{{ recent.events | map(attribute='message') | list }}"

- name: Only what came since
  teamf.platform.cloudwatchlogs_events_info:
    log_group_name: /ecs/teamf-dev/api-server
    start_time: "{{ recent.last_timestamp + 1 }}"
"""

RETURN = r"""
log_group_exists:
  description: Whether the log group exists (when not, RV(events) is empty).
  returned: always
  type: bool
events:
  description: The events, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    timestamp:
      description: When the event happened, in milliseconds since the epoch.
      type: int
      sample: 1796198082096
    time:
      description: The same as an ISO 8601 time in UTC, to the hundredth of a second.
      type: str
      sample: "2026-12-02T07:54:42.09Z"
    log_stream_name:
      description: The stream the event is in.
      type: str
      sample: api-server/api-server/0c8f1e0e2d3b4a59a5e6f7c8d9e0a1b2
    message:
      description: The event's message, without a trailing newline.
      type: str
start_time:
  description: The start time read from, in milliseconds since the epoch.
  returned: always
  type: int
last_timestamp:
  description: The newest event's timestamp; O(start_time) when there is none.
  returned: always
  type: int
truncated:
  description: Whether older events were left out because of O(limit).
  returned: always
  type: bool
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.logs import event_result, filter_events, since_seconds
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def start_time_of(module):
    if module.params["start_time"] is not None:
        return module.params["start_time"]
    seconds = since_seconds(module.params["since"])
    if seconds is None:
        module.fail_json(
            msg=f"since {module.params['since']!r} is not a duration: write <number><s|m|h|d>, for example 10m or 2h"
        )
    return int((time.time() - seconds) * 1000)


def main():
    module = PlatformAWSModule(
        argument_spec=dict(
            log_group_name=dict(type="str", required=True),
            log_stream_name_prefix=dict(type="str"),
            log_stream_names=dict(type="list", elements="str"),
            filter_pattern=dict(type="str"),
            since=dict(type="str", default="10m"),
            start_time=dict(type="int"),
            limit=dict(type="int", default=500),
        ),
        mutually_exclusive=[("log_stream_name_prefix", "log_stream_names")],
        supports_check_mode=True,
    )
    params = module.params
    if params["limit"] < 1:
        module.fail_json(msg=f"limit must be at least 1, not {params['limit']}")
    start = start_time_of(module)
    client = module.client("logs")
    try:
        found = filter_events(
            client,
            params["log_group_name"],
            start,
            prefix=params["log_stream_name_prefix"],
            streams=params["log_stream_names"],
            pattern=params["filter_pattern"],
        )
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"log_group_name {params['log_group_name']}")
    events = [event_result(e) for e in found or []]
    kept = events[-params["limit"] :]
    module.exit_json(
        changed=False,
        log_group_exists=found is not None,
        events=kept,
        start_time=start,
        last_timestamp=kept[-1]["timestamp"] if kept else start,
        truncated=len(kept) < len(events),
    )


if __name__ == "__main__":
    main()
