"""FilterLogEvents honours ``logStreamNamePrefix``: only the streams whose name starts with it are searched.

What moto does: ``LogsResponse.filter_log_events`` never reads ``logStreamNamePrefix``, so a filter by
prefix searches every stream of the group. One group holding many sources' streams (aws-for-fluent-bit's
``/<platform>/<env>/containers``, one stream per pod container) then answers a reader asking for one
service's pods with every pod's events.

What AWS documents (FilterLogEvents,
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html):
``logStreamNamePrefix`` "filters the results to include only events from log streams that have names
starting with this prefix"; specifying it together with ``logStreamNames`` fails with
InvalidParameterException.

What the fix changes: a FilterLogEvents with ``logStreamNamePrefix`` searches the group's streams whose
names start with it (none: no events), and one with both parameters fails with InvalidParameterException.
A missing group still fails with ResourceNotFoundException, as before.
"""

from __future__ import annotations

import json

from moto.logs.exceptions import InvalidParameterException
from moto.logs.responses import LogsResponse

from emulator.fixes import require


def apply() -> None:
    if getattr(LogsResponse, "_teamf_stream_prefix_applied", False):
        return
    require(LogsResponse, "filter_log_events")
    LogsResponse._teamf_stream_prefix_applied = True
    original = LogsResponse.filter_log_events

    def filter_log_events(self: LogsResponse) -> str:
        prefix = self._get_param("logStreamNamePrefix")
        if not prefix:
            return original(self)
        if self._get_param("logStreamNames"):
            raise InvalidParameterException(
                "Cannot specify both logStreamNamePrefix and logStreamNames in the same request"
            )
        group = self.logs_backend.groups.get(self._get_param("logGroupName"))
        if group is None:
            return original(self)  # ResourceNotFoundException, as moto answers it
        names = sorted(name for name in group.streams if name.startswith(prefix))
        if not names:
            return json.dumps({"events": [], "searchedLogStreams": []})
        body = json.loads(self.body)
        body.pop("logStreamNamePrefix")
        body["logStreamNames"] = names
        self.body = json.dumps(body)
        return original(self)

    LogsResponse.filter_log_events = filter_log_events
