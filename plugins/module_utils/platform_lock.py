# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The platform's lock: one DynamoDB item per environment, so two runs never change one environment at once.

The item (key ``lock``: the environment's name) says who holds it: ``user``, ``host``, ``pid`` (the
``ansible-playbook`` process), ``playbook``, ``since`` (ISO 8601, UTC) and ``expires`` (epoch seconds;
also the table's TTL attribute, so DynamoDB eventually deletes what nobody released). A run takes the
lock with one conditional PutItem: the item does not exist, OR it has expired, OR it is the run the
caller expects (itself, or the dead holder it takes over from). Two runs that both saw a free lock race
on that condition and exactly one wins (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
Expressions.ConditionExpressions.html).

The planners (``plan_acquire``, ``plan_release``) are pure; the calls below them raise
AnsiblePlatformLockError for the module to report once. ``client`` is ``PlatformAWSModule.client("dynamodb")``.
"""

from __future__ import annotations

import dataclasses
import os
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.dynamodb_table import create_owned_table

KEY = "lock"
TAKE_CONDITION = "attribute_not_exists(#lock) OR #expires < :now OR #run = :expected"


class AnsiblePlatformLockError(AnsibleAWSError):
    pass


class LockErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsiblePlatformLockError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


@dataclasses.dataclass(frozen=True)
class Holder:
    """Who holds (or wants) a lock: one ansible-playbook run, identified as user@host:pid."""

    user: str
    host: str
    pid: int
    playbook: str = ""
    since: int = 0  # epoch seconds
    expires: int = 0

    @property
    def run(self):
        return f"{self.user}@{self.host}:{self.pid}"

    def describe(self):
        """``alice@laptop (pid 4242, site.yml)``"""
        return f"{self.user}@{self.host} (pid {self.pid}{', ' + self.playbook if self.playbook else ''})"

    def as_result(self, name):
        return {
            "name": name,
            "holder": f"{self.user}@{self.host}",
            "user": self.user,
            "host": self.host,
            "pid": self.pid,
            "playbook": self.playbook,
            "run": self.run,
            "since": iso(self.since),
            "expires": iso(self.expires),
        }

    def to_item(self, name):
        return {
            KEY: {"S": name},
            "user": {"S": self.user},
            "host": {"S": self.host},
            "pid": {"N": str(self.pid)},
            "playbook": {"S": self.playbook},
            "run": {"S": self.run},
            "since": {"N": str(self.since)},
            "expires": {"N": str(self.expires)},
        }

    @classmethod
    def from_item(cls, item):
        text = {key: value.get("S", value.get("N", "")) for key, value in item.items()}
        return cls(
            user=text.get("user", "?"),
            host=text.get("host", "?"),
            pid=int(text.get("pid") or 0),
            playbook=text.get("playbook", ""),
            since=int(text.get("since") or 0),
            expires=int(text.get("expires") or 0),
        )


@dataclasses.dataclass(frozen=True)
class Plan:
    """What acquiring does: ``take`` (free), ``keep`` (this run holds it), ``take_over`` (``reason``:
    ``expired`` or ``dead``), or ``refuse``; ``expected`` is the run the conditional write accepts."""

    action: str
    reason: str = ""
    expected: str = ""


def pid_alive(pid):
    """Whether process ``pid`` runs on this machine (signal 0 checks without signalling).

    A killed process its parent has not reaped yet (a zombie, state Z in /proc on Linux) runs no more.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (macOS): signal 0 is all there is
        return True


def plan_acquire(current, me, now, this_host, alive=pid_alive):
    """How ``me`` gets the lock ``current`` (a Holder or None) describes, at epoch ``now``."""
    if current is None:
        return Plan("take", expected=me.run)
    if current.run == me.run:
        return Plan("keep", expected=me.run)
    if current.expires <= now:
        return Plan("take_over", "expired", expected=current.run)
    if current.host == this_host and not alive(current.pid):
        return Plan("take_over", "dead", expected=current.run)
    return Plan("refuse")


def plan_release(current, me, force):
    """``none`` (nothing held), ``delete`` (this run's, or ``force``), or ``not_ours``."""
    if current is None:
        return "none"
    if force or current.run == me.run:
        return "delete"
    return "not_ours"


def refusal(name, holder, unlock):
    return (
        f"{name} is being converged by {holder.describe()} since {iso(holder.since)}; wait for it, "
        f"or if that run is dead: {unlock} (the lock counts as stale after {iso(holder.expires)}, platform_lock_ttl)"
    )


def takeover(name, holder, reason):
    why = (
        f"pid {holder.pid} is no longer running on {holder.host}"
        if reason == "dead"
        else f"it expired at {iso(holder.expires)} (platform_lock_ttl)"
    )
    return f"took over {name}'s lock from {holder.describe()}, held since {iso(holder.since)}: {why}"


# ---- DynamoDB ------------------------------------------------------------------------------------


class TableMissing(Exception):
    """The lock table does not exist (yet)."""


@LockErrorHandler.common_error_handler("read lock")
def get_lock(client, table, name):
    """The Holder of lock ``name``, or None; TableMissing when ``table`` does not exist."""
    try:
        item = client.get_item(TableName=table, Key={KEY: {"S": name}}, ConsistentRead=True, aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException"):
        raise TableMissing(table) from None
    return Holder.from_item(item["Item"]) if item.get("Item") else None


@LockErrorHandler.common_error_handler("create lock table")
def create_table(client, table, tags):
    """The table on first use: on-demand capacity, ``expires`` as its TTL attribute."""
    create_owned_table(client, table, [(KEY, "S")], tags, ttl_attribute="expires")


@LockErrorHandler.common_error_handler("write lock")
def put_lock(client, table, name, holder, expected, now):
    """Write ``holder`` if the lock is free, expired or held by run ``expected``; False when another won."""
    try:
        client.put_item(
            TableName=table,
            Item=holder.to_item(name),
            ConditionExpression=TAKE_CONDITION,
            ExpressionAttributeNames={"#lock": KEY, "#expires": "expires", "#run": "run"},
            ExpressionAttributeValues={":now": {"N": str(now)}, ":expected": {"S": expected}},
            aws_retry=True,
        )
    except is_boto3_error_code("ConditionalCheckFailedException"):
        return False
    return True


@LockErrorHandler.common_error_handler("delete lock")
def delete_lock(client, table, name, run):
    """Delete the lock if run ``run`` still holds it; False when someone else does by now."""
    try:
        client.delete_item(
            TableName=table,
            Key={KEY: {"S": name}},
            ConditionExpression="#run = :run",
            ExpressionAttributeNames={"#run": "run"},
            ExpressionAttributeValues={":run": {"S": run}},
            aws_retry=True,
        )
    except is_boto3_error_code("ConditionalCheckFailedException"):
        return False
    return True
