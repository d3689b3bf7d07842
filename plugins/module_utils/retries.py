# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retries for every AWS call of the collection's modules: throttling and 5xx, jittered, bounded, recorded.

AWS throttles (``ThrottlingException``, ``Throttling``, ``RequestLimitExceeded``, ...) and now and then
answers 500 or 503. amazon.aws's ``AWSRetry`` retries a fixed list of codes that lacks the ones the
JSON and REST-JSON services answer (EKS, ECS, ECR: ``ThrottlingException``, ``ServerException``), so
those calls only had botocore's own three attempts, and waiters and paginators no retry of ours at all.

``PlatformAWSModule.client(service)`` is the one place the modules get clients from. Its calls made
with ``aws_retry=True`` retry here, its waiters retry each poll, and ``@retry_listing`` retries a
paginated listing as a whole. botocore's own retries are off for these clients (one attempt per
call), so this is the only layer: at most ``attempts`` tries per call (10, or what ``aws_config``'s
``retries`` says), sleeping ``uniform(0, min(max_delay, delay * 2**n))`` before retry ``n + 1``
("full jitter", https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/). Every retry
is written to the module log and returned as ``aws_retries`` (the task result, shown at ``-v``).
"""

from __future__ import annotations

import functools
import random
import threading
import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

try:
    from botocore import xform_name
    from botocore.exceptions import ClientError, HTTPClientError, WaiterError
    from botocore.exceptions import ConnectionError as BotocoreConnectionError
    from botocore.waiter import NormalizedOperationMethod, Waiter
except ImportError:  # AnsibleAWSModule reports the missing botocore
    ClientError = HTTPClientError = BotocoreConnectionError = WaiterError = type("NeverRaised", (Exception,), {})

# botocore's standard retry mode's throttling codes (botocore/retries/standard.py), less the ones that
# name a quota rather than a rate (LimitExceededException: IAM and EKS say so when a quota is full,
# and waiting does not free it) and DynamoDB's TransactionInProgressException.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
# Server faults by the codes services model for them (whatever the status), and request timeouts.
SERVER_ERROR_CODES = frozenset(
    {
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalServerException",
        "ServerException",
        "KMSInternalException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "Unavailable",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
# IAM eventual consistency: a role created seconds ago is not visible to the service that assumes it
# yet (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
# EKS answers CreateCluster and CreateNodegroup with InvalidParameterException "Role with arn: …,
# could not be assumed …"; the Terraform AWS provider and eksctl retry it, so do these modules, within
# the same bound. Other InvalidParameterExceptions mean a wrong request and are not retried.
PROPAGATION_ERRORS = {"InvalidParameterException": ("could not be assumed",)}
# Any answer with these statuses, whatever its code (429: throttled; botocore's transient statuses).
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})

ATTEMPTS = 10
DELAY = 1.0
MAX_DELAY = 20.0
# What the clients get for botocore's own retries: none, this module's are the only ones.
SINGLE_ATTEMPT = {"mode": "standard", "total_max_attempts": 1}


def retry_reason(error):
    """The AWS error code (or exception name) to retry ``error`` for; None when retrying cannot help."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code") or ""
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in THROTTLING_CODES or code in SERVER_ERROR_CODES or status in RETRIED_STATUSES:
            return code or f"HTTP {status}"
        message = (error.response.get("Error", {}).get("Message") or "").lower()
        if any(fragment in message for fragment in PROPAGATION_ERRORS.get(code, ())):
            return f"{code} (IAM role not visible yet)"
        return None
    if isinstance(error, (BotocoreConnectionError, HTTPClientError)):
        return type(error).__name__
    return None


def backoff_bound(retry, delay=DELAY, max_delay=MAX_DELAY):
    """The longest sleep before retry number ``retry`` (1 for the first): ``delay * 2**(retry - 1)``, capped."""
    return min(max_delay, delay * 2 ** (retry - 1))


def attempts_from(aws_config):
    """The bound a module's ``aws_config`` sets (``retries.total_max_attempts``, or botocore's
    ``retries.max_attempts``, which counts retries), else ATTEMPTS: one knob for both retry layers."""
    retries = (aws_config or {}).get("retries") or {}
    if retries.get("total_max_attempts"):
        return max(1, int(retries["total_max_attempts"]))
    if retries.get("max_attempts") is not None:
        return max(1, int(retries["max_attempts"]) + 1)
    return ATTEMPTS


def describe_retry(entry):
    """One line for the module log."""
    what = f"{entry['service']} {entry['operation']}: {entry['error']} on attempt {entry['attempt']}"
    if entry.get("gave_up"):
        return f"{what}, the last one allowed: giving up"
    return f"{what}, retrying in {entry['delay']:.2f}s"


class RetryLog:
    """What was retried, in order; safe to share between threads (ecs_rollout waits in several)."""

    def __init__(self, log=None):
        self.entries = []
        self._log = log
        self._lock = threading.Lock()

    def __call__(self, entry):
        with self._lock:
            self.entries.append(entry)
        if self._log is not None:
            self._log(describe_retry(entry))


class RetryPolicy:
    """A ``retry_decorator`` for RetryingBotoClientWrapper: ``policy(call)`` retries what retry_reason names.

    ``record`` receives one dict per retry (service, operation, error, attempt, delay) and one with
    ``gave_up`` when the last attempt fails too; that error is raised again, saying how many retries
    were made, as botocore says it ("reached max retries: 9").
    """

    def __init__(
        self,
        service,
        record=None,
        attempts=ATTEMPTS,
        delay=DELAY,
        max_delay=MAX_DELAY,
        sleep=time.sleep,
        jitter=random.uniform,
    ):
        self.service = service
        self.record = record or RetryLog()
        self.attempts = attempts
        self.delay = delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.jitter = jitter

    def __call__(self, call):
        @functools.wraps(call)
        def retrying(*args, **kwargs):
            attempt = 1
            while True:
                try:
                    return call(*args, **kwargs)
                except (ClientError, BotocoreConnectionError, HTTPClientError) as error:
                    reason = retry_reason(error)
                    if reason is None:
                        raise
                    entry = {
                        "service": self.service,
                        "operation": getattr(error, "operation_name", None) or call.__name__,
                        "error": reason,
                        "attempt": attempt,
                    }
                    if attempt >= self.attempts:
                        self.record(dict(entry, gave_up=True))
                        if isinstance(error, ClientError):
                            raise _after_retries(error, attempt - 1) from error
                        raise
                    pause = self.jitter(0, backoff_bound(attempt, self.delay, self.max_delay))
                    self.record(dict(entry, delay=round(pause, 3)))
                    self.sleep(pause)
                    attempt += 1

        return retrying


def _after_retries(error, retries):
    """The ClientError ``error`` again, its message saying how many retries were made (botocore's words)."""
    metadata = dict(error.response.get("ResponseMetadata") or {}, RetryAttempts=retries, MaxAttemptsReached=True)
    return type(error)(dict(error.response, ResponseMetadata=metadata), error.operation_name)


class RetryingClient(RetryingBotoClientWrapper):
    """amazon.aws's client wrapper whose waiters retry each poll too.

    botocore's waiter calls the raw client: a throttled poll ends the wait with WaiterError once the
    client's own retries are spent (here there are none), and the wrapper passes get_waiter through.
    """

    def get_waiter(self, waiter_name):
        waiter = self.client.get_waiter(waiter_name)
        poll = functools.partial(getattr(self, xform_name(waiter.config.operation)), aws_retry=True)
        return Waiter(waiter.name, waiter.config, NormalizedOperationMethod(poll))


# The pauses before the second, third, ... poll of wait_fast_first, before it settles on its delay.
FIRST_PAUSES = (1, 2, 4, 8)


def poll_pauses(delay):
    """The pauses between polls: FIRST_PAUSES below ``delay``, then ``delay`` for ever."""
    yield from (pause for pause in FIRST_PAUSES if pause < delay)
    while True:
        yield delay


def wait_fast_first(waiter, timeout, delay, sleep=time.sleep, **params):
    """``waiter.wait(**params)`` for at most ``timeout`` seconds, polling fast first, then every ``delay``.

    botocore's waiters poll at one fixed delay (20 s for a nodegroup or a cluster), so a resource that
    is ready a second after the call is paid for with the whole delay. Here the polls come after 1, 2,
    4 and 8 seconds (those below ``delay``), then every ``delay`` seconds: a wait of T seconds makes at
    most T / delay + 4 polls, a few more than the fixed delay's, and a quick transition is seen quickly.
    A failure state the waiter knows still ends the wait at once, with botocore's WaiterError.
    """
    deadline = time.monotonic() + timeout
    for pause in FIRST_PAUSES:
        if pause >= delay:
            break
        try:
            return waiter.wait(**params, WaiterConfig={"Delay": pause, "MaxAttempts": 1})
        except WaiterError as error:
            if "Max attempts exceeded" not in str(error):
                raise
        if time.monotonic() + pause >= deadline:
            break
        sleep(pause)
    remaining = max(deadline - time.monotonic(), 0)
    return waiter.wait(**params, WaiterConfig={"Delay": delay, "MaxAttempts": max(1, int(remaining // delay) + 1)})


def retry_listing(listing):
    """Retry ``listing(client, ...)`` as a whole with the client's own policy.

    For paginated listings: botocore's paginators call the raw client, out of the wrapper's reach. A
    retry starts the listing over, which suits the short listings the modules make. Calls inside the
    listing must not pass ``aws_retry=True`` (the retries would multiply).
    """

    @functools.wraps(listing)
    def retrying(client, *args, **kwargs):
        return client.retry(listing)(client, *args, **kwargs)

    return retrying


class PlatformAWSModule(AnsibleAWSModule):
    """AnsibleAWSModule whose clients retry throttling and 5xx (RetryPolicy), and whose result says so.

    The result carries ``aws_retries`` (one entry per retry) whenever a call was retried.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.aws_retries = RetryLog(self.log)

    def client(self, service, **extra_params):
        aws_config = self.params.get("aws_config") or {}
        policy = RetryPolicy(service, self.aws_retries, attempts=attempts_from(aws_config))
        # aws_config (module_defaults may set it for every AWS module) keeps its other settings.
        conn = super().client(service, aws_config=dict(aws_config, retries=SINGLE_ATTEMPT), **extra_params)
        return RetryingClient(conn, policy)

    def exit_json(self, *args, **kwargs):
        super().exit_json(*args, **self._with_retries(kwargs))

    def fail_json(self, *args, **kwargs):
        super().fail_json(*args, **self._with_retries(kwargs))

    def _with_retries(self, result):
        # amazon.aws 10 passes the module's warnings to exit_json/fail_json again on ansible-core 2.19,
        # which already returns every warn() and says "Passing `warnings` to `exit_json` or `fail_json`
        # is deprecated" (each warning then shows twice): the warnings stay on the AnsibleModule only.
        self._warnings = []
        retries = getattr(self, "aws_retries", None)  # None while AnsibleAWSModule is still starting
        if retries is not None and retries.entries and "aws_retries" not in result:
            result = dict(result, aws_retries=list(retries.entries))
        return result
