# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""CloudWatch Logs reads for cloudwatchlogs_events_info: what amazon.aws and community.aws do not read.

``client`` is ``PlatformAWSModule.client("logs")`` (module_utils/retries.py): listings retry as a
whole (``@retry_listing``). Errors are raised as AnsibleLogsError for the module to report once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SINCE = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
# FilterLogEvents accepts at most 100 stream names per call.
MAX_STREAM_NAMES = 100


class AnsibleLogsError(AnsibleAWSError):
    pass


class LogsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleLogsError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


def since_seconds(since):
    """``10m`` → 600; None for a value that is not ``<number><s|m|h|d>``."""
    match = SINCE.match(since or "")
    return int(match.group(1)) * UNITS[match.group(2)] if match else None


def iso(timestamp_ms):
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


@LogsErrorHandler.list_error_handler("filter log events", default_value=None)
@retry_listing
def filter_events(client, group, start_time, prefix=None, streams=None, pattern=None):
    """Every event of ``group`` from ``start_time`` (ms) on, oldest first; None when the group is missing.

    ``prefix`` narrows to streams whose name starts with it, ``streams`` to those names (not both:
    FilterLogEvents refuses that); ``pattern`` is a CloudWatch Logs filter pattern.
    """
    params = {"logGroupName": group, "startTime": start_time}
    if prefix:
        params["logStreamNamePrefix"] = prefix
    if pattern:
        params["filterPattern"] = pattern
    batches = (
        [streams[i : i + MAX_STREAM_NAMES] for i in range(0, len(streams), MAX_STREAM_NAMES)] if streams else [None]
    )
    events = []
    for batch in batches:
        if batch:
            params["logStreamNames"] = batch
        events += client.get_paginator("filter_log_events").paginate(**params).build_full_result().get("events", [])
    return sorted(events, key=event_order)


def event_order(event):
    """Time, stream, then ingestion order: event ids are decimal strings (shorter is older)."""
    event_id = event.get("eventId", "")
    return (event["timestamp"], event.get("logStreamName", ""), len(event_id), event_id)


def event_result(event):
    return {
        "timestamp": event["timestamp"],
        "time": iso(event["timestamp"]),
        "log_stream_name": event.get("logStreamName", ""),
        "message": event.get("message", "").rstrip("\n"),
    }
