"""Fault injection: make the emulator throttle or fail a share of calls, the way AWS does.

Real AWS throttles and, now and then, fails with a 5xx; SDKs retry both. moto never does either, so
code that only ever met the emulator has never had its retry paths run. This module lets tests and
users turn that on, reproducibly: a WSGI middleware wrapped around moto's server application
(``emulator.server``) that answers a configurable share of API calls, chosen per service and action,
with the error AWS itself returns for that service's protocol, instead of passing them to moto.

Configuration: one JSON document, either at start through the environment or at run time.

    TEAMF_EMULATOR_FAULTS='{"rate": 0.2, "seed": 7, "services": ["ec2", "eks"], "kinds": ["throttling", "5xx"]}'

    {"rate": R, "seed": S, "services": [...], "actions": [...], "kinds": [...]}   one rule, or
    {"seed": S, "rules": [{"rate": R, "services": [...], "actions": [...], "kinds": [...]}, ...]}

``rate`` (0..1, required) is the chance that a matching call fails. ``services`` are SigV4 signing
names as in the credential scope (``ec2``, ``eks``, ``ecs``, ``iam``, ``elasticloadbalancing``,
``monitoring``, ...; ``elbv2``/``elb`` and ``cloudwatch`` are accepted for the last two); ``actions``
are operation names (``DescribeVpcs``); an empty or missing list matches every service or action.
``kinds``: ``throttling`` (default), ``internal`` (HTTP 500), ``unavailable`` (HTTP 503); ``5xx``
means both of the last two, ``500``/``503`` name them by status. The first rule that matches a call
decides it. ``seed`` (default: drawn at random and reported, so any run can be replayed) seeds a
``random.Random``: for the same configuration and the same sequence of calls the same calls fail.
Only calls that match a rule consume random numbers (one per call, plus one to pick the kind when a
rule has several), so other traffic does not shift the sequence; concurrent callers interleave in
arrival order. An invalid ``TEAMF_EMULATOR_FAULTS`` stops the server at start.

At run time, on the emulator itself (never faulted, never counted, like all of ``/moto-api/``):

    GET    /moto-api/teamf/faults                 → 200 status (below)
    POST   /moto-api/teamf/faults  {config}       → 200 status; replaces the rules, reseeds, zeroes the counters
    DELETE /moto-api/teamf/faults                 → 200 status as it was; then off, counters zeroed

    status = {"enabled": bool, "config": {"seed": S, "rules": [...]} | null,
              "requests": {"total": N, "by_service": {"ec2": {"DescribeVpcs": 12, ...}, ...}},
              "faults": {"total": M, "by_kind": {"throttling": 3, "internal": 0, "unavailable": 1},
                         "by_service": {"ec2": {"DescribeVpcs": {"throttling": 3}}, ...}},
              "log": [{"request": 5, "service": "ec2", "action": "DescribeVpcs", "kind": "throttling",
                       "status": 503, "code": "RequestLimitExceeded"}, ...]}   (the last 500 faults)

Requests are counted whether or not faults are on (since start, or the last POST/DELETE), retries
included: every attempt an SDK makes is one request. ``POST /moto-api/reset`` leaves all of this
alone. The CLI wraps the endpoint: ``python -m emulator faults set|status|off`` (see
``emulator/README.md``).

What a faulted call gets, per protocol (detected from the request: ``X-Amz-Target`` → JSON,
``Action=`` in the query or form body → query/EC2, otherwise REST by the service's botocore model):

    EC2 query       503 <Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit
                    exceeded.</Message></Error></Errors><RequestID>…</RequestID></Response>
                    500 InternalError, 503 Unavailable (same shape)
    query (IAM, STS, ELBv2, Auto Scaling, CloudFormation, ...)
                    400 <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate
                    exceeded</Message></Error><RequestId>…</RequestId></ErrorResponse>
                    500 InternalFailure, 503 ServiceUnavailable (Type Receiver)
    JSON (ECS, ECR, KMS, Logs, SSM, Cloud Map, ...)
                    400 {"__type": "ThrottlingException", "message": "Rate exceeded"}, header
                    x-amzn-ErrorType: ThrottlingException, Content-Type the request's application/x-amz-json-1.x
                    500 InternalFailure, 503 ServiceUnavailable (same shape)
    REST-JSON (EKS) 429 {"message": "Rate exceeded"}, x-amzn-ErrorType: ThrottlingException
                    500 ServerException, 503 ServiceUnavailableException
    REST-XML, S3    503 <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>…</Error>
                    500 InternalError, 503 ServiceUnavailable
    REST-XML, other (Route 53, ...) the query shape

Where the service's botocore model declares its own error for the case, that error's code and HTTP
status win over the protocol default above: throttling takes the first modeled code of
ThrottlingException, Throttling, RequestLimitExceeded, TooManyRequestsException, RequestThrottled,
ThrottledException, RequestThrottledException, SlowDown (EKS: ThrottlingException 429; Cloud Map:
RequestLimitExceeded 429, as its throttling guide says; Logs, SSM: ThrottlingException); ``internal``
takes a modeled server fault named like ServerException/InternalServerError/KMSInternalException
(ECS, ECR: ServerException; KMS: KMSInternalException; SSM: InternalServerError), ``unavailable`` a
modeled fault with status 503 (EKS: ServiceUnavailableException). Every code used is one that
botocore's standard retry mode classifies as throttling (``botocore/retries/standard.py``
``ThrottledRetryableChecker``), or a 500/503 it retries as transient. Faulted responses also carry
``x-teamf-fault: <kind>`` so logs can tell them from moto's own errors. Calls the middleware cannot
attribute to a service (unsigned, unknown), Smithy RPCv2 CBOR calls (moto does not serve them) and
the instance metadata paths are counted where possible but never faulted.

AWS documentation followed:
https://docs.aws.amazon.com/general/latest/gr/api-retries.html (Error retries and exponential backoff in AWS)
https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html (which errors SDKs retry)
https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html (RequestLimitExceeded)
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (shape, InternalError, Unavailable)
https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html (query services' common errors)
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
https://docs.aws.amazon.com/eks/latest/APIReference/CommonErrors.html
https://docs.aws.amazon.com/cloud-map/latest/dg/throttling.html (RequestLimitExceeded)
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (SlowDown, InternalError, ServiceUnavailable)
https://smithy.io/2.0/aws/protocols/ (awsQuery, ec2Query, awsJson1_0/1_1, restJson1, restXml error serialisation)
"""

from __future__ import annotations

import collections
import dataclasses
import http
import io
import json
import logging
import os
import random
import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

ENV = "TEAMF_EMULATOR_FAULTS"
PATH = "/moto-api/teamf/faults"
LOG_SIZE = 500

THROTTLING, INTERNAL, UNAVAILABLE = KINDS = ("throttling", "internal", "unavailable")
KIND_ALIASES = {"5xx": (INTERNAL, UNAVAILABLE), "500": (INTERNAL,), "503": (UNAVAILABLE,)}
# Client names people type → the signing name in the credential scope (what the counters show).
SERVICE_ALIASES = {"elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing", "cloudwatch": "monitoring"}
# Signing name → botocore's service name, where they differ (for the model: protocol, errors, REST paths).
BOTOCORE_NAMES = {
    "elasticloadbalancing": "elbv2",
    "monitoring": "cloudwatch",
    "email": "ses",
    "states": "stepfunctions",
}
UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity": "sts", "AssumeRoleWithSAML": "sts"}
UNKNOWN = "(unknown)"
FAULTABLE_PROTOCOLS = {"ec2", "query", "json", "rest-json", "rest-xml"}

LOG = logging.getLogger(__name__)

_SCOPE = re.compile(r"[^/\s,=]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")

_MSG_RATE = "Rate exceeded"
_MSG_INTERNAL = "The request processing has failed because of an unknown error, exception or failure."
_MSG_UNAVAILABLE = "The request has failed due to a temporary failure of the server."
# protocol flavour → kind → (HTTP status, code, message)
DEFAULT_ERRORS: dict[str, dict[str, tuple[int, str, str]]] = {
    "ec2": {
        THROTTLING: (503, "RequestLimitExceeded", "Request limit exceeded."),
        INTERNAL: (500, "InternalError", "An internal error has occurred."),
        UNAVAILABLE: (503, "Unavailable", "The server is overloaded and can't handle the request."),
    },
    "query": {
        THROTTLING: (400, "Throttling", _MSG_RATE),
        INTERNAL: (500, "InternalFailure", _MSG_INTERNAL),
        UNAVAILABLE: (503, "ServiceUnavailable", _MSG_UNAVAILABLE),
    },
    "json": {
        THROTTLING: (400, "ThrottlingException", _MSG_RATE),
        INTERNAL: (500, "InternalFailure", _MSG_INTERNAL),
        UNAVAILABLE: (503, "ServiceUnavailable", _MSG_UNAVAILABLE),
    },
    "s3": {
        THROTTLING: (503, "SlowDown", "Please reduce your request rate."),
        INTERNAL: (500, "InternalError", "We encountered an internal error. Please try again."),
        UNAVAILABLE: (503, "ServiceUnavailable", "Reduce your request rate."),
    },
}
DEFAULT_ERRORS["rest-json"] = DEFAULT_ERRORS["json"]
DEFAULT_ERRORS["rest-xml"] = DEFAULT_ERRORS["query"]
S3_SERVICES = {"s3", "s3control"}

# Modeled codes botocore's standard retry mode treats as throttling, in the order we prefer them.
_THROTTLING_CODES = (
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "ThrottledException",
    "RequestThrottledException",
    "SlowDown",
)
_INTERNAL_SHAPE = re.compile(r"(Server|Internal|Service)(Server|Service)?(Error|Exception|Failure|Fault)")


class FaultConfigError(ValueError):
    """A fault configuration that cannot be used (the message says why)."""


class FaultsUnavailable(RuntimeError):
    """The emulator's fault endpoint did not answer."""


# --- configuration ---------------------------------------------------------------------------------


def _names(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise FaultConfigError(f"{what} must be a name or a list of names, not {value!r}")
    return tuple(dict.fromkeys(value))


@dataclasses.dataclass(frozen=True)
class Rule:
    rate: float
    services: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = (THROTTLING,)

    @classmethod
    def parse(cls, data: Any) -> Rule:
        if not isinstance(data, dict):
            raise FaultConfigError(f"a rule is an object, not {data!r}")
        unknown = set(data) - {"rate", "services", "actions", "kinds"}
        if unknown:
            raise FaultConfigError(f"unknown rule keys {sorted(unknown)}; use rate, services, actions, kinds")
        rate = data.get("rate")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise FaultConfigError(f"rate must be a number from 0 to 1, not {rate!r}")
        services = tuple(
            dict.fromkeys(SERVICE_ALIASES.get(s.lower(), s.lower()) for s in _names(data.get("services"), "services"))
        )
        kinds: list[str] = []
        for kind in _names(data.get("kinds", [THROTTLING]), "kinds") or (THROTTLING,):
            expanded = KIND_ALIASES.get(kind.lower(), (kind.lower(),))
            if not set(expanded) <= set(KINDS):
                raise FaultConfigError(f"unknown kind {kind!r}; use {', '.join(KINDS)}, 5xx, 500 or 503")
            kinds.extend(k for k in expanded if k not in kinds)
        return cls(float(rate), services, _names(data.get("actions"), "actions"), tuple(kinds))

    def matches(self, service: str, action: str) -> bool:
        return (not self.services or service in self.services) and (not self.actions or action in self.actions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "services": list(self.services),
            "actions": list(self.actions),
            "kinds": list(self.kinds),
        }

    def describe(self) -> str:
        services = ", ".join(self.services) or "every service"
        actions = ", ".join(self.actions) or "all actions"
        return f"{self.rate * 100:g}% of calls to {services} ({actions}) → {' or '.join(self.kinds)}"


@dataclasses.dataclass(frozen=True)
class FaultConfig:
    seed: int
    rules: tuple[Rule, ...]

    @classmethod
    def parse(cls, data: Any) -> FaultConfig:
        """From a JSON document (text) or its decoded value; see the module docstring."""
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise FaultConfigError(f"not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise FaultConfigError(f"the configuration is a JSON object, not {data!r}")
        shorthand = {"rate", "services", "actions", "kinds"}
        unknown = set(data) - shorthand - {"seed", "rules"}
        if unknown:
            raise FaultConfigError(
                f"unknown keys {sorted(unknown)}; use seed with rules, or rate/services/actions/kinds"
            )
        if "rules" in data:
            if shorthand & set(data):
                raise FaultConfigError("give either rules or one rule's rate/services/actions/kinds, not both")
            if not isinstance(data["rules"], list):
                raise FaultConfigError("rules must be a list of rules")
            rules = tuple(Rule.parse(rule) for rule in data["rules"])
        elif "rate" in data:
            rules = (Rule.parse({key: data[key] for key in shorthand if key in data}),)
        else:
            raise FaultConfigError("give a rate (one rule) or a list of rules")
        seed = data.get("seed")
        if seed is None:
            seed = secrets.randbelow(2**32)
        elif isinstance(seed, bool) or not isinstance(seed, int):
            raise FaultConfigError(f"seed must be an integer, not {seed!r}")
        return cls(seed, rules)

    def as_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "rules": [rule.as_dict() for rule in self.rules]}


def config_from_environment(environ: dict[str, str] | None = None) -> FaultConfig | None:
    text = (os.environ if environ is None else environ).get(ENV, "").strip()
    return FaultConfig.parse(text) if text else None


# --- state: rules, random numbers, counters --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Call:
    """What the middleware learnt about one API request."""

    service: str  # SigV4 signing name, or "(unknown)"
    action: str  # operation name, or "(unknown)"
    protocol: str | None  # ec2, query, json, rest-json, rest-xml; None: cannot answer in its protocol
    content_type: str = "application/x-amz-json-1.1"
    method: str = "POST"

    @property
    def faultable(self) -> bool:
        return self.service != UNKNOWN and self.protocol in FAULTABLE_PROTOCOLS


class FaultInjector:
    """Rules, the seeded random stream and the counters of one emulator process; thread-safe."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config)

    def configure(self, config: FaultConfig | None) -> dict[str, Any]:
        """Replace the rules (None: off), reseed, zero the counters; return the new status."""
        with self._lock:
            self._config = config
            self._random = random.Random(config.seed if config else 0)
            self._requests: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
            self._faults: dict[str, dict[str, collections.Counter[str]]] = collections.defaultdict(
                lambda: collections.defaultdict(collections.Counter)
            )
            self._total = 0
            self._log: collections.deque[dict[str, Any]] = collections.deque(maxlen=LOG_SIZE)
            return self._status()

    def disable(self) -> dict[str, Any]:
        """Turn faults off and zero the counters; return the status as it was just before."""
        with self._lock:
            before = self._status()
        self.configure(None)
        return before

    def status(self) -> dict[str, Any]:
        with self._lock:
            return self._status()

    def _status(self) -> dict[str, Any]:
        by_kind = dict.fromkeys(KINDS, 0)
        for actions in self._faults.values():
            for kinds in actions.values():
                for kind, count in kinds.items():
                    by_kind[kind] += count
        return {
            "enabled": self._config is not None,
            "config": self._config.as_dict() if self._config else None,
            "requests": {
                "total": self._total,
                "by_service": {service: dict(sorted(c.items())) for service, c in sorted(self._requests.items())},
            },
            "faults": {
                "total": sum(by_kind.values()),
                "by_kind": by_kind,
                "by_service": {
                    service: {action: dict(kinds) for action, kinds in sorted(actions.items())}
                    for service, actions in sorted(self._faults.items())
                },
            },
            "log": list(self._log),
        }

    def decide(self, call: Call) -> tuple[int, str | None]:
        """Count ``call``; return its request number and the kind of fault to answer it with, if any."""
        with self._lock:
            self._total += 1
            self._requests[call.service][call.action] += 1
            if self._config is None or not call.faultable:
                return self._total, None
            rule = next((r for r in self._config.rules if r.matches(call.service, call.action)), None)
            if rule is None or self._random.random() >= rule.rate:
                return self._total, None
            kind = rule.kinds[0] if len(rule.kinds) == 1 else self._random.choice(rule.kinds)
            self._faults[call.service][call.action][kind] += 1
            return self._total, kind

    def record(self, number: int, call: Call, kind: str, status: int, code: str) -> None:
        """Log a fault ``decide`` chose, once its response is known."""
        entry = {"request": number, "service": call.service, "action": call.action, "kind": kind}
        with self._lock:
            self._log.append(dict(entry, status=status, code=code))


INJECTOR = FaultInjector()

# --- telling what a request is ---------------------------------------------------------------------

_models: dict[str, dict[str, Any] | None] = {}
_Route = tuple[str, re.Pattern[str], dict[str, str | None], frozenset[str], int, str]
_rest_routes: dict[str, list[_Route]] = {}
_models_lock = threading.Lock()


def service_model(service: str) -> dict[str, Any] | None:
    """botocore's service-2 model for a signing name, or None (cached)."""
    name = BOTOCORE_NAMES.get(service, service)
    with _models_lock:
        if name not in _models:
            from botocore.exceptions import DataNotFoundError
            from botocore.loaders import create_loader

            try:
                _models[name] = create_loader().load_service_model(name, "service-2")
            except DataNotFoundError:
                _models[name] = None
        return _models[name]


def _routes(service: str, model: dict[str, Any]) -> list[_Route]:
    """Each operation's HTTP binding: method, path pattern, required query keys and headers, specificity."""
    with _models_lock:
        if service in _rest_routes:
            return _rest_routes[service]
    routes = []
    for name, operation in model.get("operations", {}).items():
        method = operation.get("http", {}).get("method", "POST")
        path, _, query = operation.get("http", {}).get("requestUri", "/").partition("?")
        pattern, literal = "", 0
        for part in re.split(r"(\{[^}]+\})", path.rstrip("/") or "/"):
            if part.startswith("{"):
                pattern += ".+" if part.endswith("+}") else "[^/]+"
            else:
                pattern += re.escape(part)
                literal += len(part)
        required_query: dict[str, str | None] = {}
        for item in filter(None, query.split("&")):
            key, sep, value = item.partition("=")
            required_query[key] = value if sep else None
        # Operations that share a binding (S3 PutObject and CopyObject) differ in required members.
        shape = model["shapes"].get(operation.get("input", {}).get("shape", ""), {})
        required_headers = set()
        for member_name in shape.get("required", []):
            member = shape.get("members", {}).get(member_name, {})
            location_name = member.get("locationName", member_name)
            if member.get("location") == "header":
                required_headers.add(location_name.lower())
            elif member.get("location") == "querystring":
                required_query.setdefault(location_name, None)
        score = literal + 100 * (len(required_query) + len(required_headers))
        routes.append((method, re.compile(f"^{pattern}$"), required_query, frozenset(required_headers), score, name))
    with _models_lock:
        _rest_routes[service] = routes
    return routes


def rest_action(
    service: str, model: dict[str, Any], method: str, raw_path: str, query: dict[str, list[str]], headers: set[str]
) -> str:
    """The operation whose HTTP binding (method, requestUri, required members) fits the request best."""
    path = raw_path.rstrip("/") or "/"
    best, best_score = UNKNOWN, -1
    for op_method, pattern, required_query, required_headers, score, name in _routes(service, model):
        if op_method != method or score <= best_score or not required_headers <= headers or not pattern.match(path):
            continue
        if all(key in query and (value is None or value in query[key]) for key, value in required_query.items()):
            best, best_score = name, score
    return best


def _form_body(environ: dict[str, Any]) -> str:
    """A form-encoded body (the query protocol's parameters), put back for moto to read again."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return ""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""
    if length <= 0:
        return ""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body.decode("utf-8", "replace")


def inspect_request(environ: dict[str, Any]) -> Call | None:
    """The service, action and protocol of an API request; None for the emulator's own paths."""
    path = environ.get("PATH_INFO", "")
    if path.startswith("/moto-api") or path == "/favicon.ico" or path.startswith("/latest/"):
        return None
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", "")) or _SCOPE.search(
        (query.get("X-Amz-Credential") or [""])[0]
    )
    service = scope["service"].lower() if scope else UNKNOWN
    method = environ.get("REQUEST_METHOD", "GET").upper()
    content_type = environ.get("CONTENT_TYPE", "")
    target = environ.get("HTTP_X_AMZ_TARGET")
    if environ.get("HTTP_SMITHY_PROTOCOL"):
        return Call(service, path.rpartition("/operation/")[2] or UNKNOWN, None, content_type, method)
    if target:
        json_type = content_type if content_type.startswith("application/x-amz-json") else "application/x-amz-json-1.1"
        return Call(service, target.rpartition(".")[2] or UNKNOWN, "json", json_type, method)
    action = (query.get("Action") or [""])[0]
    if not action and method == "POST":
        action = (urllib.parse.parse_qs(_form_body(environ)).get("Action") or [""])[0]
    if action:
        if service == UNKNOWN:
            service = UNSIGNED_ACTIONS.get(action, UNKNOWN)
        return Call(service, action, "ec2" if service == "ec2" else "query", content_type, method)
    model = service_model(service) if service != UNKNOWN else None
    if model is None:
        return Call(service, UNKNOWN, None, content_type, method)
    protocol = model["metadata"].get("protocol")
    raw_path = environ.get("RAW_URI", environ.get("REQUEST_URI", path)).partition("?")[0] or path
    headers = {key[5:].replace("_", "-").lower() for key in environ if key.startswith("HTTP_")}
    action = rest_action(service, model, method, raw_path, query, headers)
    return Call(service, action, protocol if protocol in ("rest-json", "rest-xml") else None, content_type, method)


# --- what AWS answers ------------------------------------------------------------------------------


def _modeled_error(model: dict[str, Any] | None, kind: str) -> tuple[int | None, str] | None:
    """(status or None, code) of the service's own modeled error for ``kind``, if it declares one."""
    if model is None:
        return None
    shapes = [(name, shape) for name, shape in model.get("shapes", {}).items() if shape.get("exception")]
    if kind == THROTTLING:
        by_code = {shape.get("error", {}).get("code") or name: shape for name, shape in shapes}
        for code in _THROTTLING_CODES:
            if code in by_code:
                return by_code[code].get("error", {}).get("httpStatusCode"), code
        return None
    for name, shape in shapes:
        status = shape.get("error", {}).get("httpStatusCode")
        if not shape.get("fault"):
            continue
        if kind == INTERNAL and status in (None, 500) and _INTERNAL_SHAPE.search(name):
            return 500, shape.get("error", {}).get("code") or name
        if kind == UNAVAILABLE and status == 503 and "Unavailable" in name:
            return 503, shape.get("error", {}).get("code") or name
    return None


def fault_error(call: Call, kind: str) -> tuple[int, str, str]:
    """(HTTP status, code, message) that AWS answers ``call`` with for a fault of ``kind``."""
    assert call.protocol is not None
    flavour = "s3" if call.protocol == "rest-xml" and call.service in S3_SERVICES else call.protocol
    status, code, message = DEFAULT_ERRORS[flavour][kind]
    if flavour not in ("ec2", "s3"):
        modeled = _modeled_error(service_model(call.service), kind)
        if modeled:
            status, code = modeled[0] or status, modeled[1]
    return status, code, message


def render_fault(call: Call, kind: str) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """(status, code, headers, body) of the error response, in the call's protocol."""
    status, code, message = fault_error(call, kind)
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id), ("x-teamf-fault", kind)]
    if call.protocol == "json":
        headers += [("Content-Type", call.content_type), ("x-amzn-ErrorType", code)]
        body = json.dumps({"__type": code, "message": message}).encode()
    elif call.protocol == "rest-json":
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        body = json.dumps({"message": message}).encode()
    else:
        headers.append(("Content-Type", "text/xml"))
        if call.protocol == "ec2":
            error = f"<Errors><Error><Code>{code}</Code><Message>{escape(message)}</Message></Error></Errors>"
            xml = f"<Response>{error}<RequestID>{request_id}</RequestID></Response>"
        elif call.service in S3_SERVICES:
            headers += [("x-amz-request-id", request_id), ("x-amz-id-2", request_id)]
            error = f"<Code>{code}</Code><Message>{escape(message)}</Message>"
            xml = f"<Error>{error}<RequestId>{request_id}</RequestId></Error>"
        else:
            fault_type = "Sender" if status < 500 else "Receiver"
            error = f"<Error><Type>{fault_type}</Type><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
            xml = f"<ErrorResponse>{error}<RequestId>{request_id}</RequestId></ErrorResponse>"
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}'.encode()
    if call.method == "HEAD":
        body = b""
    headers.append(("Content-Length", str(len(body))))
    return status, code, headers, body


# --- the middleware and the endpoint ---------------------------------------------------------------


class FaultMiddleware:
    """WSGI middleware: counts every API request and answers the ones the rules pick with a fault."""

    def __init__(self, app: Callable[..., Iterable[bytes]], injector: FaultInjector = INJECTOR) -> None:
        self.app = app
        self.injector = injector

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            call = inspect_request(environ)
        except Exception:  # never let the fault layer break a request moto could have served
            LOG.exception("faults: could not classify %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            call = None
        if call is None:
            return self.app(environ, start_response)
        number, kind = self.injector.decide(call)
        if kind is None:
            return self.app(environ, start_response)
        status, code, headers, body = render_fault(call, kind)
        self.injector.record(number, call, kind, status, code)
        LOG.warning("faults: request %d %s %s → %d %s (%s)", number, call.service, call.action, status, code, kind)
        start_response(f"{status} {http.HTTPStatus(status).phrase}", headers)
        return [body]


def faults_endpoint(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``GET/POST/DELETE /moto-api/teamf/faults`` (moto_api url handler)."""
    json_headers = {"Content-Type": "application/json"}
    if request.method == "GET":
        return 200, json_headers, json.dumps(INJECTOR.status())
    if request.method == "DELETE":
        return 200, json_headers, json.dumps(INJECTOR.disable())
    if request.method == "POST":
        try:
            config = FaultConfig.parse(request.data or b"")
        except FaultConfigError as exc:
            return 400, json_headers, json.dumps({"error": str(exc)})
        return 200, json_headers, json.dumps(INJECTOR.configure(config))
    return 405, json_headers, json.dumps({"error": "use GET (status), POST (set rules) or DELETE (off)"})


def install(app: Callable[..., Iterable[bytes]], config: FaultConfig | None = None) -> FaultMiddleware:
    """Register the endpoint with moto's /moto-api app, apply ``config``, wrap ``app``."""
    from moto.moto_api._internal import urls as moto_api_urls

    moto_api_urls.url_paths.setdefault("{0}" + PATH, faults_endpoint)
    INJECTOR.configure(config)
    return FaultMiddleware(app, INJECTOR)


# --- client side (the CLI, tests) ------------------------------------------------------------------


def call_endpoint(base_url: str, method: str = "GET", config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Talk to a running emulator's fault endpoint; return the status it answers with."""
    data = json.dumps(config).encode() if config is not None else None
    req = urllib.request.Request(
        f"{base_url}{PATH}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            reason = json.loads(exc.read()).get("error", exc.reason)
        except ValueError:
            reason = exc.reason
        if exc.code == 400:
            raise FaultConfigError(reason) from None
        raise FaultsUnavailable(f"{base_url}{PATH} answered {exc.code}: {reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise FaultsUnavailable(f"no emulator answers at {base_url} ({exc}); start it first") from None
