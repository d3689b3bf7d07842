#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: platform_lock
short_description: Take or release the platform's lock on an environment (a DynamoDB item)
version_added: 0.3.0
description:
  - One item per environment in a DynamoDB table the platform owns (created on first use, on-demand
    capacity) says which C(ansible-playbook) run may change that environment, with its user, host, process id,
    playbook, since when, and until when the lock counts (O(ttl)).
  - O(state=acquired) takes the lock with one conditional write (free, expired, or already this run's), so
    of two runs that start at once exactly one gets it; the other fails naming the holder, since when, and
    the command that removes a dead run's lock.
  - A lock whose holder ran on this same host and whose process is gone (killed, interrupted) is taken
    over, with a warning naming the old holder; so is any lock older than its O(ttl).
  - O(state=released) deletes the lock if this run holds it. With O(force=true) it deletes whoever's
    lock it is and returns that holder (C(make unlock)).
  - The run is identified by the controller's user, host name and C(ansible-playbook) process id, which
    the module's action plugin adds (O(owner)); run the module on the controller (local connection).
author: teamf platform engineers (@teamf)
options:
  name:
    description:
      - The lock's name, the environment's, for example V(prod).
    type: str
    required: true
  state:
    description:
      - V(acquired) takes the lock (or keeps it, when this run holds it); V(released) gives it back.
    type: str
    choices: [acquired, released]
    default: acquired
  table:
    description:
      - The DynamoDB table of the locks; created when O(state=acquired) finds none.
    type: str
    default: teamf-platform-locks
  ttl:
    description:
      - Seconds after which a lock nobody released counts as stale and any run may take it over.
      - Longer than the longest converge.
    type: int
    default: 7200
  force:
    description:
      - With O(state=released), release the lock whoever holds it.
    type: bool
    default: false
  unlock_command:
    description:
      - The command a refusal tells the user to run when the holder is dead.
      - Defaults to V(make unlock ENV=<name>).
    type: str
  owner:
    description:
      - Who takes the lock. The action plugin fills in what is missing from the controller (the
        C(ansible-playbook) process id, the user, the host name, the playbook's file name).
    type: dict
    suboptions:
      user:
        description: User name.
        type: str
      host:
        description: Host name of the controller.
        type: str
      pid:
        description: Process id of C(ansible-playbook).
        type: int
      playbook:
        description: Playbook file name(s).
        type: str
notes:
  - Supports check mode and diff mode. In check mode nothing is written (no table, no item); the module
    reports whether it could take or release the lock, and fails as it would when the lock is held.
  - O(tags) are set on the table when it is created.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Lock prod for this run
  teamf.platform.platform_lock:
    name: prod
    ttl: 7200

- name: Give it back at the end of the run
  teamf.platform.platform_lock:
    name: prod
    state: released

- name: Remove a dead run's lock (make unlock ENV=prod)
  teamf.platform.platform_lock:
    name: prod
    state: released
    force: true
"""

RETURN = r"""
lock:
  description: The lock after the run (in check mode, as it would be); empty when nobody holds it.
  returned: always
  type: dict
  contains:
    name:
      description: The lock's name.
      type: str
      sample: prod
    holder:
      description: C(user@host) of the run holding it.
      type: str
      sample: alice@laptop
    user:
      description: User name.
      type: str
    host:
      description: Host name.
      type: str
    pid:
      description: Process id of that run's C(ansible-playbook).
      type: int
      sample: 4242
    playbook:
      description: Playbook file name.
      type: str
      sample: site.yml
    run:
      description: The run's identity, C(user@host:pid).
      type: str
    since:
      description: When it was taken (UTC, ISO 8601).
      type: str
      sample: "2026-12-02T04:31:10Z"
    expires:
      description: When it counts as stale (UTC, ISO 8601).
      type: str
previous:
  description: The holder the lock was taken over from, or released from; empty when there was none.
  returned: always
  type: dict
took_over:
  description: Why a held lock was taken over, V(dead) (its process is gone) or V(expired); empty otherwise.
  returned: always
  type: str
table_created:
  description: Whether the table was created (in check mode, would be).
  returned: always
  type: bool
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: "took over prod's lock from alice@laptop (pid 4242, site.yml), held since 2026-12-02T04:31:10Z"
diff:
  description: The lock before and after.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

import getpass
import os
import socket
import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.platform_lock import (
    Holder,
    TableMissing,
    create_table,
    delete_lock,
    get_lock,
    plan_acquire,
    plan_release,
    put_lock,
    refusal,
    takeover,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


class LockManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.name = module.params["name"]
        self.table = module.params["table"]
        self.now = int(time.time())
        owner = {key: value for key, value in (module.params["owner"] or {}).items() if value not in (None, "")}
        self.me = Holder(
            user=owner.get("user") or getpass.getuser(),
            host=owner.get("host") or socket.gethostname(),
            pid=int(owner.get("pid") or os.getppid()),
            playbook=owner.get("playbook") or "",
            since=self.now,
            expires=self.now + module.params["ttl"],
        )
        self.unlock = module.params["unlock_command"] or f"make unlock ENV={self.name}"

    def read(self):
        """The current holder, and whether the table exists."""
        try:
            return get_lock(self.client, self.table, self.name), True
        except TableMissing:
            return None, False

    def result(self, changed, before, after, msg, previous=None, took_over="", table_created=False):
        result = {
            "changed": changed,
            "lock": after.as_result(self.name) if after else {},
            "previous": previous.as_result(self.name) if previous else {},
            "took_over": took_over,
            "table_created": table_created,
            "msg": msg,
        }
        if self.module._diff:
            result["diff"] = {"before": before.as_result(self.name) if before else {}, "after": result["lock"]}
        return result

    def acquire(self):
        current, table_exists = self.read()
        plan = plan_acquire(current, self.me, self.now, socket.gethostname())
        if plan.action == "refuse":
            self.module.fail_json(msg=refusal(self.name, current, self.unlock), lock=current.as_result(self.name))
        if plan.action == "keep":
            return self.result(
                False,
                current,
                current,
                f"{self.name}'s lock: held by this run since {current.as_result(self.name)['since']}",
            )
        previous = current if plan.action == "take_over" else None
        msg = takeover(self.name, current, plan.reason) if previous else f"took {self.name}'s lock"
        if previous:
            self.module.warn(msg)
        if self.module.check_mode:
            return self.result(True, current, self.me, msg, previous, plan.reason, not table_exists)
        if not table_exists:
            create_table(self.client, self.table, self.module.params["tags"])
        if not put_lock(self.client, self.table, self.name, self.me, plan.expected, self.now):
            winner, _exists = self.read()  # another run took it between the read and the write
            if winner is None:
                self.module.fail_json(msg=f"{self.name}'s lock changed while it was being taken; run again")
            self.module.fail_json(msg=refusal(self.name, winner, self.unlock), lock=winner.as_result(self.name))
        return self.result(True, current, self.me, msg, previous, plan.reason, not table_exists)

    def release(self):
        current, _exists = self.read()
        action = plan_release(current, self.me, self.module.params["force"])
        if action == "none":
            return self.result(False, None, None, f"{self.name}'s lock: not held")
        if action == "not_ours":
            msg = (
                f"{self.name}'s lock is held by {current.describe()} since {current.as_result(self.name)['since']}, "
                f"not by this run (someone ran {self.unlock}?): left as it is"
            )
            self.module.warn(msg)
            return self.result(False, current, current, msg)
        msg = f"released {self.name}'s lock, held by {current.describe()} since {current.as_result(self.name)['since']}"
        if not self.module.check_mode and not delete_lock(self.client, self.table, self.name, current.run):
            self.module.fail_json(msg=f"{self.name}'s lock changed while it was being released; run again")
        return self.result(True, current, None, msg, previous=current)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["acquired", "released"], default="acquired"),
        table=dict(type="str", default="teamf-platform-locks"),
        ttl=dict(type="int", default=7200),
        force=dict(type="bool", default=False),
        unlock_command=dict(type="str"),
        owner=dict(
            type="dict",
            options=dict(user=dict(type="str"), host=dict(type="str"), pid=dict(type="int"), playbook=dict(type="str")),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if module.params["ttl"] <= 0:
        module.fail_json(msg=f"ttl: {module.params['ttl']} is not a number of seconds above 0 (platform_lock_ttl)")
    manager = LockManager(module, module.client("dynamodb"))
    try:
        result = manager.acquire() if module.params["state"] == "acquired" else manager.release()
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"lock {module.params['name']} in table {module.params['table']}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
