# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The platform's deploy history: one DynamoDB item per deploy, promotion or rollback of an environment.

The table (created on first use, on-demand, like the lock table) is keyed by ``environment`` (hash) and
``id`` (range): ``YYYYMMDD-HHMMSS-xxxx``, UTC time then four random hex digits, so a Query with
``ScanIndexForward=False`` reads an environment's events newest first. An item holds ``time`` (ISO 8601,
UTC), ``who`` (the caller's ARN, from STS), ``kind`` (redeploy, deploy, promote, rollback), ``result``
(succeeded, failed), ``run`` (the run: a GitHub Actions run's URL, or user@host:pid), ``playbook``,
``message`` (why it failed) and ``from`` / ``to``: per service or release name, ``version`` (ECS: the
task definition ``family:revision``; EKS: the backend release), ``revision`` (the task definition's or
the Helm release's) and ``images``. Those two are DynamoDB maps, readable as they are in the console.

``rollback_plan`` (what a rollback puts back) and ``table_lines`` (what ``make history`` prints) are pure.
"""

from __future__ import annotations

import re
import secrets
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.dynamodb_table import create_owned_table

HASH_KEY = "environment"
RANGE_KEY = "id"
KINDS = ("redeploy", "deploy", "promote", "rollback")
RESULTS = ("succeeded", "failed")
ID_PATTERN = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$")


class AnsiblePlatformHistoryError(AnsibleAWSError):
    pass


class HistoryErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsiblePlatformHistoryError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


class TableMissing(Exception):
    """The history table does not exist (yet): no event was ever recorded."""


def new_event_id(now=None, token=None):
    """``20261202-075011-3f9a``: sorts by time (UTC), then by a random token."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(int(now if now is not None else time.time())))
    return f"{stamp}-{token or secrets.token_hex(2)}"


def event_time(event_id):
    """The ISO 8601 time of an event id."""
    day, clock = event_id.split("-")[:2]
    return f"{day[:4]}-{day[4:6]}-{day[6:]}T{clock[:2]}:{clock[2:4]}:{clock[4:]}Z"


# ---- DynamoDB attribute values -----------------------------------------------------------------


def to_attribute(value, field):
    """A DynamoDB attribute value of ``value`` (str, int, bool, None, list, dict); ``field`` names it in errors."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute(v, f"{field}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        return {"M": {str(k): to_attribute(v, f"{field}.{k}") for k, v in value.items()}}
    raise ValueError(
        f"{field}: {value!r} is a {type(value).__name__}; the history stores text, numbers, lists and maps"
    )


def from_attribute(attribute):
    ((kind, value),) = attribute.items()
    if kind == "N":
        return int(value) if re.fullmatch(r"-?\d+", value) else float(value)
    if kind == "L":
        return [from_attribute(v) for v in value]
    if kind == "M":
        return {k: from_attribute(v) for k, v in value.items()}
    if kind == "NULL":
        return None
    return value  # S, BOOL


def to_item(event):
    return {key: to_attribute(value, key) for key, value in event.items()}


def from_item(item):
    return {key: from_attribute(value) for key, value in item.items()}


# ---- DynamoDB calls ------------------------------------------------------------------------------


@HistoryErrorHandler.common_error_handler("ask STS who is recording")
def caller_arn(sts):
    """The caller's ARN (sts:GetCallerIdentity needs no permission)."""
    return sts.get_caller_identity(aws_retry=True)["Arn"]


@HistoryErrorHandler.common_error_handler("create history table")
def create_table(client, table, tags):
    create_owned_table(client, table, [(HASH_KEY, "S"), (RANGE_KEY, "S")], tags)


@HistoryErrorHandler.common_error_handler("record history event")
def put_event(client, table, event):
    """Write ``event``; its id is new, so an existing item with that key means a clash (False)."""
    try:
        client.put_item(
            TableName=table,
            Item=to_item(event),
            ConditionExpression="attribute_not_exists(#id)",
            ExpressionAttributeNames={"#id": RANGE_KEY},
            aws_retry=True,
        )
    except is_boto3_error_code("ResourceNotFoundException"):
        raise TableMissing(table) from None
    except is_boto3_error_code("ConditionalCheckFailedException"):
        return False
    return True


@HistoryErrorHandler.common_error_handler("read history")
def query_events(client, table, environment, limit):
    """The newest ``limit`` events of ``environment``, newest first; TableMissing without the table."""
    events, start = [], None
    while len(events) < limit:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        try:
            page = client.query(
                TableName=table,
                KeyConditionExpression="#env = :env",
                ExpressionAttributeNames={"#env": HASH_KEY},
                ExpressionAttributeValues={":env": {"S": environment}},
                ScanIndexForward=False,
                Limit=limit - len(events),
                ConsistentRead=True,
                aws_retry=True,
                **kwargs,
            )
        except is_boto3_error_code("ResourceNotFoundException"):
            raise TableMissing(table) from None
        events.extend(from_item(item) for item in page.get("Items", []))
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    return events


@HistoryErrorHandler.common_error_handler("read history event")
def get_event(client, table, environment, event_id):
    try:
        item = client.get_item(
            TableName=table,
            Key={HASH_KEY: {"S": environment}, RANGE_KEY: {"S": event_id}},
            ConsistentRead=True,
            aws_retry=True,
        )
    except is_boto3_error_code("ResourceNotFoundException"):
        raise TableMissing(table) from None
    return from_item(item["Item"]) if item.get("Item") else None


# ---- what users read -------------------------------------------------------------------------------


def short_version(version):
    """``teamf-dev-auth-server:4`` → ``:4`` (the family is the service's); a release stays as it is."""
    return ":" + version.rpartition(":")[2] if re.fullmatch(r"[\w-]+:\d+", version or "") else version or ""


def side(entry):
    """One side of a change: the version, else the images, else ``-``."""
    entry = entry or {}
    text = short_version(entry.get("version", ""))
    if entry.get("revision") and not text.startswith(":"):
        text += f" (rev {entry['revision']})"
    return text or ", ".join(entry.get("images") or []) or "-"


def describe_change(event):
    """``auth-server :3 → :4, api-server :5 → :6`` (names in order; those the event did not move are left out)."""
    before, after = event.get("from") or {}, event.get("to") or {}
    parts = []
    for name in sorted(set(before) | set(after)):
        old, new = side(before.get(name)), side(after.get(name))
        if old != new or event.get("result") == "failed":
            parts.append(f"{name} {old} → {new}")
    return ", ".join(parts) or "no change"


def short_who(arn):
    """``arn:aws:sts::123456789012:assumed-role/teamf-dev-deploy/run`` → ``assumed-role/teamf-dev-deploy/run``."""
    return arn.split(":", 5)[5] if (arn or "").count(":") >= 5 else arn or "?"


def table_lines(events):
    """The history as a table, one line per event, in the order given (newest first)."""
    rows = [("ID", "WHEN (UTC)", "WHO", "KIND", "FROM → TO", "RESULT")]
    for event in events:
        result = event.get("result", "")
        if result == "failed" and event.get("message"):
            result += ": " + " ".join(str(event["message"]).split())[:120]
        when = event.get("time", "").replace("T", " ").rstrip("Z")
        rows.append(
            (
                event.get("id", ""),
                when,
                short_who(event.get("who")),
                event.get("kind", ""),
                describe_change(event),
                result,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5] for row in rows]


# ---- rollback ---------------------------------------------------------------------------------------


def versions(entries):
    return {name: entry["version"] for name, entry in (entries or {}).items() if (entry or {}).get("version")}


def rollback_plan(events, current, to="", environment="", platform="ecs"):
    """What a rollback of ``environment`` puts back, as ``{"event", "targets", "error"}``.

    ``events``: the history, newest first. ``current``: name → version running now (ECS: the task
    definition ``family:revision`` of each deployable service; EKS: ``{"api": <release>}``).
    Without ``to``: the set before the newest successful deploy that was not itself a rollback (so a
    rerun of a rollback changes nothing); with no such event, on ECS each service's previous revision.
    ``to``: an event id (the set that event deployed; it must have succeeded), on ECS a revision
    (``7``, every service) or ``service:revision[,service:revision]``, on EKS a release version.
    ``targets`` holds only what differs from ``current``; ``error`` says why there is nothing to do.
    """
    to = str(to or "").strip()

    def plan(event, wanted):
        unknown = sorted(set(wanted) - set(current))
        if unknown:
            return {
                "event": event,
                "targets": {},
                "error": (
                    f"{', '.join(unknown)}: recorded in the history but not deployable on {environment} now "
                    f"({', '.join(sorted(current))})"
                ),
            }
        return {
            "event": event,
            "targets": {n: v for n, v in sorted(wanted.items()) if current.get(n) != v},
            "error": "",
        }

    if ID_PATTERN.match(to):
        event = next((e for e in events if e.get("id") == to), None)
        if event is None:
            known = ", ".join(e["id"] for e in events[:5]) or "none"
            return {
                "event": to,
                "targets": {},
                "error": (
                    f"TO={to}: no such event in {environment}'s history "
                    f"(newest: {known}; make history ENV={environment})"
                ),
            }
        if event.get("result") != "succeeded" or not versions(event.get("to")):
            return {
                "event": to,
                "targets": {},
                "error": (
                    f"TO={to}: that {event.get('kind')} {event.get('result')}, so what it deployed never ran; "
                    f"choose a succeeded event (make history ENV={environment})"
                ),
            }
        return plan(to, versions(event["to"]))
    if to:
        if platform == "eks":
            return plan("", {name: to for name in current})
        if re.fullmatch(r"\d+", to):
            wanted = {name: f"{version.rpartition(':')[0]}:{to}" for name, version in current.items()}
            return plan("", wanted)
        pairs = [pair.strip().rpartition(":") for pair in to.split(",") if pair.strip()]
        if pairs and all(name and re.fullmatch(r"\d+", rev) for name, _sep, rev in pairs):
            wanted = {
                name: f"{current[name].rpartition(':')[0]}:{rev}" if name in current else f"{name}:{rev}"
                for name, _sep, rev in pairs
            }
            return plan("", wanted)
        return {
            "event": "",
            "targets": {},
            "error": (
                f"TO={to}: not a history event id (like 20261202-075011-3f9a), a task definition revision (7) nor "
                f"service:revision pairs (auth-server:7,api-server:5)"
            ),
        }
    for event in events:
        if event.get("kind") != "rollback" and event.get("result") == "succeeded" and versions(event.get("from")):
            return plan(event["id"], versions(event["from"]))
    if platform == "ecs":
        wanted = {
            name: f"{family}:{int(rev) - 1}"
            for name, (family, _sep, rev) in ((n, v.rpartition(":")) for n, v in current.items())
            if rev.isdigit() and int(rev) > 1
        }
        if wanted:
            return plan("", wanted)
    running = ", ".join(f"{n} {v}" for n, v in sorted(current.items())) or "nothing"
    return {
        "event": "",
        "targets": {},
        "error": (
            f"nothing to roll back to on {environment}: its history has no earlier successful deploy and it runs "
            f"{running}{' (the first revisions)' if platform == 'ecs' else ''}; pass TO=<x> to choose one"
        ),
    }
