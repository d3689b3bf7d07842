"""emulator.fixes.logs_filter_stream_name_prefix, over HTTP: FilterLogEvents by stream name prefix."""

import time
import uuid

import pytest
from botocore.exceptions import ClientError

PREFIX = "fluentbit-kube.var.log.containers."


@pytest.fixture
def group(aws):
    """A group with two services' pod streams (one event each), as aws-for-fluent-bit writes them."""
    logs = aws("logs")
    name = f"/teamf/test-{uuid.uuid4().hex[:8]}/containers"
    logs.create_log_group(logGroupName=name)
    for pod in ("api-users-api-abc-1", "api-auth-api-def-2"):
        stream = f"{PREFIX}{pod}_teamf_app-{'0' * 64}.log"
        logs.create_log_stream(logGroupName=name, logStreamName=stream)
        logs.put_log_events(
            logGroupName=name, logStreamName=stream, logEvents=[{"timestamp": int(time.time() * 1000), "message": pod}]
        )
    return name


def test_only_streams_under_the_prefix_are_searched(aws, group):
    found = aws("logs").filter_log_events(logGroupName=group, logStreamNamePrefix=f"{PREFIX}api-users-api-")
    assert [e["message"] for e in found["events"]] == ["api-users-api-abc-1"]
    everything = aws("logs").filter_log_events(logGroupName=group)
    assert sorted(e["message"] for e in everything["events"]) == ["api-auth-api-def-2", "api-users-api-abc-1"]


def test_a_prefix_no_stream_has_finds_nothing(aws, group):
    found = aws("logs").filter_log_events(logGroupName=group, logStreamNamePrefix=f"{PREFIX}api-redis-")
    assert found["events"] == []


def test_prefix_and_names_together_are_refused(aws, group):
    with pytest.raises(ClientError) as refused:
        aws("logs").filter_log_events(
            logGroupName=group, logStreamNamePrefix=PREFIX, logStreamNames=[f"{PREFIX}api-users-api-abc-1"]
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


def test_a_missing_group_is_still_not_found(aws):
    with pytest.raises(ClientError) as missing:
        aws("logs").filter_log_events(logGroupName="/teamf/none/containers", logStreamNamePrefix=PREFIX)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_bare_moto_ignores_the_stream_name_prefix(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto searches only the streams under
    ``logStreamNamePrefix`` and refuses it with ``logStreamNames`` itself now: the fix can go."""
    logs = bare_moto("logs")
    name = "/teamf/marker/containers"
    logs.create_log_group(logGroupName=name)
    for pod in ("api-users-api-abc-1", "api-auth-api-def-2"):
        stream = f"{PREFIX}{pod}"
        logs.create_log_stream(logGroupName=name, logStreamName=stream)
        logs.put_log_events(
            logGroupName=name, logStreamName=stream, logEvents=[{"timestamp": int(time.time() * 1000), "message": pod}]
        )
    found = logs.filter_log_events(logGroupName=name, logStreamNamePrefix=f"{PREFIX}api-users-api-")
    assert sorted(e["message"] for e in found["events"]) == ["api-auth-api-def-2", "api-users-api-abc-1"]
    logs.filter_log_events(  # accepted; AWS refuses both together with InvalidParameterException
        logGroupName=name, logStreamNamePrefix=PREFIX, logStreamNames=[f"{PREFIX}api-users-api-abc-1"]
    )
