"""plugins/module_utils/retries.py: what is retried, how often, how long apart, and what is recorded."""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.teamf.platform.plugins.module_utils.retries import (
    ATTEMPTS,
    SINGLE_ATTEMPT,
    PlatformAWSModule,
    RetryingClient,
    RetryLog,
    RetryPolicy,
    attempts_from,
    backoff_bound,
    describe_retry,
    poll_pauses,
    retry_listing,
    retry_reason,
    wait_fast_first,
)
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber


def client_error(code, status, operation="DescribeAccessEntry", message="m"):
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, operation)


# What each protocol answers when AWS throttles or fails (the emulator's table, emulator/README.md).
@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (client_error("ThrottlingException", 400), "ThrottlingException"),  # JSON: ECS, ECR, Logs, KMS
        (client_error("ThrottlingException", 429), "ThrottlingException"),  # REST-JSON: EKS
        (client_error("Throttling", 400), "Throttling"),  # query: IAM, STS, ELBv2, Auto Scaling
        (client_error("RequestLimitExceeded", 503), "RequestLimitExceeded"),  # EC2
        (client_error("RequestLimitExceeded", 429), "RequestLimitExceeded"),  # Cloud Map
        (client_error("SlowDown", 503), "SlowDown"),  # S3
        (client_error("TooManyRequestsException", 429), "TooManyRequestsException"),
        (client_error("ServerException", 500), "ServerException"),  # ECS, ECR, EKS
        (client_error("ServiceUnavailableException", 503), "ServiceUnavailableException"),  # EKS
        (client_error("InternalFailure", 500), "InternalFailure"),
        (client_error("InternalError", 500), "InternalError"),  # EC2, S3
        (client_error("Unavailable", 503), "Unavailable"),  # EC2
        (client_error("ServiceUnavailable", 503), "ServiceUnavailable"),
        (client_error("KMSInternalException", 500), "KMSInternalException"),
        (client_error("InternalServerException", 500), "InternalServerException"),  # Logs
        (client_error("InternalServerError", 500), "InternalServerError"),  # SSM
        (client_error("SomethingNew", 502), "SomethingNew"),  # any 5xx botocore retries, whatever its code
        (client_error("", 504), "HTTP 504"),
        (client_error("", 429), "HTTP 429"),
        (EndpointConnectionError(endpoint_url="http://x"), "EndpointConnectionError"),
        (ConnectTimeoutError(endpoint_url="http://x"), "ConnectTimeoutError"),
        (ReadTimeoutError(endpoint_url="http://x"), "ReadTimeoutError"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_throttling_server_and_connection_errors_are_retried(error, reason):
    assert retry_reason(error) == reason


@pytest.mark.parametrize(
    "error",
    [
        client_error("ResourceNotFoundException", 404),
        client_error("AccessDeniedException", 403),
        client_error("ValidationException", 400),
        client_error("InvalidParameterException", 400),
        client_error("ClientException", 400),  # ECS: the request is wrong
        client_error("LimitExceededException", 400),  # a full quota: waiting does not empty it
        client_error("EntityAlreadyExists", 409),
        ValueError("not an AWS error"),
    ],
    ids=lambda error: getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__,
)
def test_errors_retrying_cannot_fix_are_not(error):
    assert retry_reason(error) is None


# EKS's words for a role IAM has not propagated yet (emulator/fixes/iam_propagation.py answers them).
NOT_ASSUMABLE = (
    "Role with arn: arn:aws:iam::123456789012:role/teamf-staging-eks-cluster, could not be assumed because it "
    "does not exist or the trusted entity is not correct"
)


def test_a_role_not_visible_yet_is_retried():
    error = client_error("InvalidParameterException", 400, "CreateCluster", NOT_ASSUMABLE)
    assert retry_reason(error) == "InvalidParameterException (IAM role not visible yet)"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("InvalidParameterException", "Subnets specified must be in at least two different AZs"),
        ("InvalidRequestException", NOT_ASSUMABLE),  # the words under another code are not the propagation error
    ],
)
def test_other_invalid_parameters_are_not_retried(code, message):
    error = client_error(code, 400, "CreateCluster", message)
    assert retry_reason(error) is None


class Flaky:
    """A call that fails with ``errors`` in turn, then answers ``"done"``."""

    __name__ = "describe_access_entry"

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def policy(**kwargs):
    sleeps = []
    retries = RetryPolicy("eks", RetryLog(), sleep=sleeps.append, **kwargs)
    return retries, sleeps


def test_a_throttled_call_is_retried_until_it_succeeds_and_each_retry_is_recorded():
    retries, sleeps = policy(jitter=lambda low, high: high / 2)
    call = Flaky(client_error("ThrottlingException", 429), client_error("ServerException", 500))
    assert retries(call)(clusterName="c") == "done"
    assert call.calls == 3
    assert sleeps == [0.5, 1.0]
    call_of = {"service": "eks", "operation": "DescribeAccessEntry"}
    assert retries.record.entries == [
        dict(call_of, error="ThrottlingException", attempt=1, delay=0.5),
        dict(call_of, error="ServerException", attempt=2, delay=1.0),
    ]


def test_errors_that_are_not_retried_are_raised_at_once_and_not_recorded():
    retries, sleeps = policy()
    call = Flaky(client_error("ResourceNotFoundException", 404))
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        retries(call)()
    assert (call.calls, sleeps, retries.record.entries) == (1, [], [])


@pytest.mark.parametrize("attempts", [1, 3, ATTEMPTS])
def test_the_bound_is_the_number_of_attempts_and_the_error_says_how_many_retries(attempts):
    retries, sleeps = policy(attempts=attempts)
    modeled = type("ThrottlingException", (ClientError,), {})  # botocore raises the modeled class
    throttled = modeled({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "DescribeServices")
    call = Flaky(*[throttled] * (attempts + 5))
    with pytest.raises(modeled) as raised:
        retries(call)()
    assert call.calls == attempts
    assert len(sleeps) == attempts - 1
    assert f"(reached max retries: {attempts - 1}): Rate exceeded" in str(raised.value)
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    *retried, last = retries.record.entries
    assert [entry["attempt"] for entry in retried] == list(range(1, attempts))
    assert last == {
        "service": "eks",
        "operation": "DescribeServices",
        "error": "ThrottlingException",
        "attempt": attempts,
        "gave_up": True,
    }


def test_a_connection_error_that_persists_is_raised_as_it_is():
    retries, _sleeps = policy(attempts=2)
    error = EndpointConnectionError(endpoint_url="http://x")
    with pytest.raises(EndpointConnectionError) as raised:
        retries(Flaky(error, error))()
    assert raised.value is error
    assert retries.record.entries[-1]["operation"] == "describe_access_entry"  # no operation_name: the method


def test_backoff_doubles_from_the_delay_up_to_the_cap():
    assert [backoff_bound(n) for n in range(1, ATTEMPTS)] == [1, 2, 4, 8, 16, 20, 20, 20, 20]
    assert [backoff_bound(n, delay=0.5, max_delay=3) for n in range(1, 6)] == [0.5, 1, 2, 3, 3]


def test_sleeps_are_jittered_within_the_backoff_bound():
    """Full jitter: each sleep is uniform between 0 and the bound, so the total stays under the bounds' sum."""
    random.seed(20)
    retries, sleeps = policy()
    for _ in range(30):
        with pytest.raises(ClientError):
            retries(Flaky(*[client_error("Throttling", 400)] * ATTEMPTS))()
    per_retry = [sleeps[start : start + ATTEMPTS - 1] for start in range(0, len(sleeps), ATTEMPTS - 1)]
    assert len(per_retry) == 30
    for run in per_retry:
        assert all(0 <= pause <= backoff_bound(n) for n, pause in enumerate(run, start=1))
        assert sum(run) <= sum(backoff_bound(n) for n in range(1, ATTEMPTS)) == 111
    assert len({round(pause, 6) for pause in sleeps}) == len(sleeps), "jittered: no two sleeps alike"


@pytest.mark.parametrize(
    ("aws_config", "attempts"),
    [
        (None, ATTEMPTS),
        ({}, ATTEMPTS),
        ({"connect_timeout": 5}, ATTEMPTS),
        ({"retries": {"mode": "standard", "total_max_attempts": 4}}, 4),
        ({"retries": {"mode": "adaptive", "max_attempts": 4}}, 5),  # botocore's max_attempts counts retries
        ({"retries": {"max_attempts": 0}}, 1),
    ],
)
def test_aws_config_sets_the_bound(aws_config, attempts):
    assert attempts_from(aws_config) == attempts


def test_the_log_gets_one_line_per_retry():
    lines = []
    log = RetryLog(lines.append)
    entry = {"service": "ecs", "operation": "DescribeServices", "error": "ThrottlingException", "attempt": 2}
    log(dict(entry, delay=0.4242))
    log(dict(entry, attempt=10, gave_up=True))
    assert lines == [
        "ecs DescribeServices: ThrottlingException on attempt 2, retrying in 0.42s",
        "ecs DescribeServices: ThrottlingException on attempt 10, the last one allowed: giving up",
    ]
    assert lines[0] == describe_retry(log.entries[0])


# ---- the client: single calls, waiters and listings, against botocore's Stubber --------------------


@pytest.fixture
def eks():
    """An EKS client made as PlatformAWSModule makes them (one botocore attempt), wrapped, stubbed."""
    raw = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="ap-northeast-2").client(
        "eks", config=Config(retries=SINGLE_ATTEMPT)
    )
    sleeps = []
    with Stubber(raw) as stubber:
        yield RetryingClient(raw, RetryPolicy("eks", RetryLog(), sleep=sleeps.append)), stubber, sleeps


def throttle(stubber, operation):
    stubber.add_client_error(operation, service_error_code="ThrottlingException", http_status_code=429)


def cluster(status):
    return {"cluster": {"name": "c", "status": status}}


def test_calls_with_aws_retry_are_retried(eks):
    client, stubber, sleeps = eks
    throttle(stubber, "describe_cluster")
    stubber.add_response("describe_cluster", cluster("ACTIVE"))
    assert client.describe_cluster(name="c", aws_retry=True)["cluster"]["status"] == "ACTIVE"
    assert [e["operation"] for e in client.retry.record.entries] == ["DescribeCluster"]
    assert len(sleeps) == 1


def test_waiters_retry_a_throttled_poll_instead_of_failing(eks):
    client, stubber, _sleeps = eks
    stubber.add_response("describe_cluster", cluster("CREATING"))
    throttle(stubber, "describe_cluster")
    throttle(stubber, "describe_cluster")
    stubber.add_response("describe_cluster", cluster("ACTIVE"))
    client.get_waiter("cluster_active").wait(name="c", WaiterConfig={"Delay": 0, "MaxAttempts": 5})
    stubber.assert_no_pending_responses()
    assert [e["error"] for e in client.retry.record.entries] == ["ThrottlingException"] * 2


def test_waiters_still_accept_the_error_they_wait_for(eks):
    client, stubber, _sleeps = eks
    stubber.add_client_error("describe_cluster", service_error_code="ResourceNotFoundException", http_status_code=404)
    client.get_waiter("cluster_deleted").wait(name="c", WaiterConfig={"Delay": 0, "MaxAttempts": 2})
    assert client.retry.record.entries == []


@retry_listing
def list_clusters(client):
    return client.get_paginator("list_clusters").paginate().build_full_result()["clusters"]


def test_listings_retry_as_a_whole(eks):
    client, stubber, _sleeps = eks
    stubber.add_response("list_clusters", {"clusters": ["a"], "nextToken": "t"})
    throttle(stubber, "list_clusters")  # the second page: the listing starts over
    stubber.add_response("list_clusters", {"clusters": ["a"], "nextToken": "t"})
    stubber.add_response("list_clusters", {"clusters": ["b"]}, {"nextToken": "t"})
    assert list_clusters(client) == ["a", "b"]
    assert [(e["operation"], e["attempt"]) for e in client.retry.record.entries] == [("ListClusters", 1)]


# ---- the module: its clients, and the retries in its result -------------------------------------


@pytest.fixture
def module_with():
    """A PlatformAWSModule built from ``args`` (connection options added), as Ansible would run it."""
    with contextlib.ExitStack() as stack:

        def build(**args):
            connection = {"region": "ap-northeast-2", "access_key": "unit", "secret_key": "not-in-any-output"}
            stack.enter_context(patch_module_args(dict(connection, **args)))  # open until exit_json
            return PlatformAWSModule(argument_spec={}, supports_check_mode=True)

        yield build


def test_clients_make_one_botocore_attempt_and_keep_the_rest_of_aws_config(module_with):
    module = module_with(aws_config={"connect_timeout": 7, "retries": {"mode": "standard", "total_max_attempts": 4}})
    client = module.client("eks")
    config = client.client.meta.config
    assert (config.retries, config.connect_timeout) == (SINGLE_ATTEMPT, 7)
    assert (client.retry.attempts, client.retry.service) == (4, "eks")
    assert module_with().client("ecs").retry.attempts == ATTEMPTS


def test_the_result_lists_the_retries_only_when_there_were_some(module_with, capsys):
    quiet = module_with()
    with pytest.raises(SystemExit):
        quiet.exit_json(changed=False)
    assert "aws_retries" not in json.loads(capsys.readouterr().out)

    module = module_with()
    module.log = lambda message: None  # no syslog in unit tests
    module.aws_retries = RetryLog(module.log)
    entry = {"service": "ecs", "operation": "DescribeServices", "error": "ThrottlingException", "attempt": 1}
    module.aws_retries(dict(entry, delay=0.3))
    with pytest.raises(SystemExit):
        module.fail_json(msg="Failed to describe service")
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert result["aws_retries"] == [dict(entry, delay=0.3)]


# A module runs in a process of its own; in pytest's, importing the controller side (templating, the
# display) reroutes module warnings, so this runs the module the way Ansible does: alone.
MODULE_WARNS = """
import sys
from ansible.module_utils.testing import patch_module_args
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule

with patch_module_args({"region": "ap-northeast-2", "access_key": "unit", "secret_key": "not-in-any-output"}):
    module = PlatformAWSModule(argument_spec={}, supports_check_mode=True)
    module.warn("service 'api': ports '127.0.0.1:80:80': the host IP is ignored")
    getattr(module, sys.argv[1])(msg="done")
"""


@pytest.mark.parametrize("finish", ["exit_json", "fail_json"])
def test_a_warning_is_returned_once_and_without_a_deprecation(finish):
    """ansible-core 2.19 returns warn()'s warnings itself; passing them to exit_json again is deprecated."""
    collections = Path(__file__).resolve().parents[4] / ".collections"
    env = dict(os.environ, PYTHONPATH=str(collections))
    ran = subprocess.run(
        [sys.executable, "-c", MODULE_WARNS, finish], capture_output=True, text=True, check=False, env=env
    )
    result = json.loads(ran.stdout)
    # ansible-core 2.19 serializes each as a WarningSummary: {"event": {"msg": ...}, ...}
    assert [w["event"]["msg"] for w in result.get("warnings", [])] == [
        "service 'api': ports '127.0.0.1:80:80': the host IP is ignored"
    ], result
    assert "deprecations" not in result, result["deprecations"]


def nodegroup_waiter_with(statuses):
    """botocore's own nodegroup_active waiter over a stubbed DescribeNodegroup answering ``statuses``."""
    from botocore.stub import Stubber

    client = boto3.client(
        "eks", region_name="ap-northeast-2", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    stubber = Stubber(client)
    for status in statuses:
        stubber.add_response(
            "describe_nodegroup",
            {"nodegroup": {"nodegroupName": "general", "status": status}},
            {"clusterName": "c", "nodegroupName": "general"},
        )
    stubber.activate()
    return client.get_waiter("nodegroup_active"), stubber


def test_wait_fast_first_polls_after_one_then_two_seconds_not_after_the_delay():
    waiter, stubber = nodegroup_waiter_with(["CREATING", "CREATING", "ACTIVE"])
    slept = []
    wait_fast_first(waiter, 600, 20, sleep=slept.append, clusterName="c", nodegroupName="general")
    assert slept == [1, 2]
    stubber.assert_no_pending_responses()


def test_wait_fast_first_stops_at_a_failure_state_the_waiter_knows():
    from botocore.exceptions import WaiterError

    waiter, _ = nodegroup_waiter_with(["CREATE_FAILED"])
    slept = []
    with pytest.raises(WaiterError, match="terminal failure state"):
        wait_fast_first(waiter, 600, 20, sleep=slept.append, clusterName="c", nodegroupName="general")
    assert slept == []


def test_poll_pauses_back_off_to_the_delay_and_stay_there():
    pauses = poll_pauses(10)
    assert [next(pauses) for _ in range(7)] == [1, 2, 4, 8, 10, 10, 10]
    short = poll_pauses(3)
    assert [next(short) for _ in range(4)] == [1, 2, 3, 3]
