#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ecs_rollout
short_description: Roll ECS services to new task definitions and wait until they are healthy
version_added: 0.2.0
description:
  - Puts one or many ECS services on the task definitions given and waits, for all of them in
    parallel, until each new deployment is C(COMPLETED), every task is running, the services' load
    balancer targets are healthy and the optional HTTP probe passes.
  - A service whose C(PRIMARY) deployment already runs the wanted task definition (full ARNs are
    compared; C(family:revision) is resolved first) with the wanted deployment settings is left alone,
    so rerunning with the same task definitions changes nothing.
  - A deployment that fails (C(FAILED), a deployment circuit breaker rollback, or O(wait_timeout)) is
    rolled back to the task definition that was C(PRIMARY) before the run when
    O(rollback_on_failure=true), the rollback is waited for, and the task fails with, per failing
    service, the reason and the service events that explain it.
  - Unlike C(ecs-cli) and C(ecs-deploy), a circuit breaker rollback is reported as a failure.
author: teamf platform engineers (@teamf)
options:
  services:
    description:
      - The services to roll and their target task definitions.
    type: list
    elements: dict
    required: true
    suboptions:
      cluster:
        description: Name or ARN of the service's cluster.
        type: str
        required: true
      service:
        description: Name or ARN of the service.
        type: str
        required: true
      task_definition:
        description:
          - The task definition to run, as ARN or C(family:revision) (a bare family means its latest
            C(ACTIVE) revision).
        type: str
        required: true
      desired_count:
        description: Number of tasks to run; the service's current count when not given.
        type: int
  minimum_healthy_percent:
    description: Lower limit of running tasks during a deployment, in percent of the desired count.
    type: int
    default: 100
  maximum_percent:
    description: Upper limit of running and pending tasks during a deployment, in percent of the desired count.
    type: int
    default: 200
  circuit_breaker:
    description:
      - Turn on the ECS deployment circuit breaker, always with its rollback, so ECS stops a
        deployment whose tasks keep failing and returns to the last completed one.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each deployment (and again for each rollback) before giving up on it.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two looks at a service.
    type: float
    default: 5
  check_targets:
    description:
      - For services with load balancers, also wait until every target in each of their target
        groups is C(healthy).
    type: bool
    default: true
  http_probe:
    description:
      - An HTTP check that must pass, for every service, once the deployment reached its steady state.
      - Failing answers are retried until O(wait_timeout).
    type: dict
    suboptions:
      url:
        description: URL to C(GET).
        type: str
        required: true
      status:
        description: Expected HTTP status.
        type: int
        default: 200
      timeout:
        description: Seconds to wait for one answer.
        type: int
        default: 5
  rollback_on_failure:
    description:
      - Put a failing service back on its previous task definition and wait for that.
      - With V(false) the service is left as the failure left it (the circuit breaker may still have
        rolled it back on its own).
    type: bool
    default: true
  progress_file:
    description:
      - File to append one JSON line to per service state change while waiting.
      - Set by the action plugin to show progress; there is normally no need to set it.
    type: path
notes:
  - Supports check mode and diff mode. In check mode no service is updated; RV(services[].status)
    says what would happen (V(deployed) or V(unchanged)).
  - >-
    B(Progress while waiting.) Ansible shows a module's output only when it returns, so the
    collection's action plugin runs the module in a background thread with a O(progress_file) and
    prints one line per service state change, for example
    C([localhost] ecs_rollout auth-server: IN_PROGRESS 1/2 running, targets 1/2 healthy) followed by
    the seconds since the update. Lines go to standard error,
    leaving standard output to the callback plugin. This works when the module runs on the controller
    (C(connection: local) or C(delegate_to: localhost), as AWS modules usually do); elsewhere, or with
    the C(async) keyword, the task runs normally and reports at the end.
  - Services that are left alone but whose deployment on the wanted task definition is still in
    progress are waited for too, so a rerun after an interrupted run does not report success early.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Roll the dev services to the revisions just registered
  teamf.platform.ecs_rollout:
    services:
      - cluster: teamf-dev
        service: auth-server
        task_definition: "{{ auth_taskdef.taskdefinition_arn }}"
      - cluster: teamf-dev
        service: shop-web
        task_definition: shop-web:42
        desired_count: 2
    wait_timeout: 900
    http_probe:
      url: https://dev.teamf.example/health
  register: rollout

- name: Fail fast without rollback (investigate a broken image by hand)
  teamf.platform.ecs_rollout:
    services:
      - {cluster: teamf-dev, service: worker, task_definition: worker:17}
    circuit_breaker: false
    rollback_on_failure: false
    wait_timeout: 300
"""

RETURN = r"""
services:
  description: One item per service, in the order of O(services).
  returned: always
  type: list
  elements: dict
  contains:
    service:
      description: The service as given.
      type: str
      sample: auth-server
    cluster:
      description: The cluster as given.
      type: str
      sample: teamf-dev
    previous_task_definition:
      description: ARN of the task definition C(PRIMARY) before the run.
      type: str
      sample: arn:aws:ecs:ap-northeast-2:123456789012:task-definition/auth-server:6
    task_definition:
      description: ARN of the wanted task definition.
      type: str
      sample: arn:aws:ecs:ap-northeast-2:123456789012:task-definition/auth-server:7
    status:
      description:
        - V(unchanged) (nothing to do), V(deployed), V(rolled_back) (failed, and back on the previous
          task definition) or V(failed) (failed and not rolled back, or the rollback failed too).
      type: str
      sample: deployed
    reason:
      description: Why the deployment failed.
      type: str
      returned: when the deployment failed
      sample: "ECS deployment circuit breaker: tasks failed to start."
    elapsed_seconds:
      description: Seconds from the update until the service was healthy or given up on (rollback included).
      type: float
      sample: 74.2
    events:
      description:
        - For a failed deployment, messages of the service events from the update to the failure,
          newest first (at most 10). Empty otherwise.
      type: list
      elements: str
      sample: ["(service auth-server) has reached a steady state."]
diff:
  description: Task definition ARN per C(cluster/service) before and after.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

import time
from contextlib import contextmanager

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.ecs_rollout import (
    ProgressLog,
    Watch,
    describe_service,
    events_since,
    newest_event_id,
    previous_deployment,
    primary_deployment,
    service_changes,
    short_name,
    task_definition_arn,
    update_service,
    wanted_deployment_configuration,
    watch_all,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


class Rollout:
    """One entry of ``services`` and what happens to it."""

    def __init__(self, entry, label):
        self.entry = entry
        self.label = label
        self.cluster = entry["cluster"]
        self.service = entry["service"]
        self.target = None
        self.previous = None
        self.changes = {}
        self.deployment_id = None
        self.event_marker = None
        self.status = "unchanged"
        self.reason = None
        self.started = None  # when this run first updated it
        self.watch_started = None  # when the deployment being waited for started
        self.elapsed = 0.0
        self.events = []
        self.clients = None  # (ecs, elbv2 or None) of the thread that waits for it
        self.watches_targets = False

    def result(self):
        result = dict(
            service=self.service,
            cluster=self.cluster,
            previous_task_definition=self.previous,
            task_definition=self.target,
            status=self.status,
            elapsed_seconds=round(self.elapsed, 1),
            events=self.events,
        )
        if self.reason:
            result["reason"] = self.reason
        return result


@contextmanager
def naming(rollout):
    """Add the service to the message of an AWS error raised while working on it."""
    try:
        yield
    except AnsibleAWSError as exc:
        exc.message = f"{exc.message} (services: {rollout.service} in cluster {rollout.cluster})"
        raise


class RolloutManager:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.ecs = self.client("ecs")
        self.report = ProgressLog(self.params["progress_file"])
        self.configuration = wanted_deployment_configuration(
            self.params["minimum_healthy_percent"], self.params["maximum_percent"], self.params["circuit_breaker"]
        )
        entries = self.params["services"]
        self.rollouts = [Rollout(entry, label) for entry, label in zip(entries, self.labels(), strict=True)]
        self.resolved = {}
        self.result_diff = None

    def client(self, service):
        return self.module.client(service)

    def labels(self):
        names = [entry["service"] for entry in self.params["services"]]
        return [
            name if names.count(name) == 1 else f"{entry['cluster']}/{name}"
            for name, entry in zip(names, self.params["services"], strict=True)
        ]

    def resolve(self, reference):
        if reference not in self.resolved:
            self.resolved[reference] = task_definition_arn(self.ecs, reference)
        return self.resolved[reference]

    # --- plan -------------------------------------------------------------------------------
    def plan(self, rollout):
        with naming(rollout):
            service = describe_service(self.ecs, rollout.cluster, rollout.service)
            if service is None:
                self.module.fail_json(msg=f"services: service {rollout.service} not found in cluster {rollout.cluster}")
            rollout.target = self.resolve(rollout.entry["task_definition"])
        primary = primary_deployment(service)
        rollout.previous = primary.get("taskDefinition") or service.get("taskDefinition")
        rollout.changes = service_changes(service, rollout.target, self.configuration, rollout.entry["desired_count"])
        rollout.event_marker = newest_event_id(service)
        rollout.watches_targets = self.params["check_targets"] and bool(service.get("loadBalancers"))
        if rollout.changes:
            rollout.status = "deployed"
        elif primary.get("rolloutState") == "IN_PROGRESS":
            # Someone (an interrupted run?) is already deploying the wanted revision: see it through.
            rollout.deployment_id = primary["id"]
            earlier = previous_deployment(service)
            rollout.previous = earlier["taskDefinition"] if earlier else rollout.previous

    def diff(self):
        if self.module._diff:
            self.result_diff = {
                "before": {f"{r.cluster}/{r.service}": r.previous for r in sorted_rollouts(self.rollouts)},
                "after": {f"{r.cluster}/{r.service}": r.target for r in sorted_rollouts(self.rollouts)},
            }

    # --- apply ------------------------------------------------------------------------------
    def start(self, rollout):
        what = f"{short_name(rollout.previous)} → {short_name(rollout.target)}"
        self.report(rollout.label, f"updating ({what})")
        rollout.started = rollout.watch_started = time.monotonic()
        with naming(rollout):
            updated = update_service(self.ecs, rollout.cluster, rollout.service, rollout.changes)
        rollout.deployment_id = primary_deployment(updated)["id"]

    def wait(self, rollouts):
        jobs = [
            Watch(
                label=r.label,
                cluster=r.cluster,
                service=r.service,
                deployment_id=r.deployment_id,
                ecs=r.clients[0],
                elbv2=r.clients[1],
                timeout=self.params["wait_timeout"],
                poll_interval=self.params["poll_interval"],
                started=r.watch_started,
                check_targets=self.params["check_targets"],
                probe=self.params["http_probe"],
                report=self.report,
            )
            for r in rollouts
        ]
        return watch_all(jobs)

    def roll_back(self, rollout, outcome):
        """Start the way back to the previous task definition; False when there is none to go to."""
        if rollout.previous in (None, rollout.target):
            return False
        primary = primary_deployment(outcome.service)
        if primary.get("taskDefinition") == rollout.previous and primary.get("id") != rollout.deployment_id:
            # The circuit breaker is already rolling back: wait for its deployment.
            self.report(rollout.label, f"circuit breaker rolling back to {short_name(rollout.previous)}")
            rollout.deployment_id = primary["id"]
            rollout.watch_started = time.monotonic()
            return True
        self.report(rollout.label, f"rolling back to {short_name(rollout.previous)}")
        rollout.watch_started = time.monotonic()
        with naming(rollout):
            updated = update_service(self.ecs, rollout.cluster, rollout.service, {"taskDefinition": rollout.previous})
        rollout.deployment_id = primary_deployment(updated)["id"]
        return True

    def run(self):
        for rollout in self.rollouts:
            self.plan(rollout)
        self.diff()
        changed = any(r.changes for r in self.rollouts)
        if self.module.check_mode:
            return changed, []

        # Clients take a while to create: make them all before the first update, not while deploying.
        for rollout in self.rollouts:
            if rollout.changes or rollout.deployment_id:
                rollout.clients = (self.client("ecs"), self.client("elbv2") if rollout.watches_targets else None)
        for rollout in self.rollouts:
            if rollout.changes:
                self.start(rollout)
            elif rollout.deployment_id:
                rollout.started = rollout.watch_started = time.monotonic()
            else:
                self.report(rollout.label, f"unchanged ({short_name(rollout.target)})")
        waiting = [r for r in self.rollouts if r.deployment_id]
        failed = []
        for rollout, outcome in zip(waiting, self.wait(waiting), strict=True):
            rollout.elapsed = time.monotonic() - rollout.started
            if outcome.state == "completed":
                self.report(rollout.label, f"{rollout.status} in {rollout.elapsed:.0f}s")
                continue
            rollout.status, rollout.reason = "failed", outcome.reason
            # The events up to the failure explain it; the rollback's own come after.
            rollout.events = events_since(outcome.service, rollout.event_marker)
            self.report(rollout.label, f"failed: {outcome.reason}")
            failed.append((rollout, outcome))

        if self.params["rollback_on_failure"]:
            rolling_back = [r for r, outcome in failed if self.roll_back(r, outcome)]
            changed |= bool(rolling_back)
            for rollout, outcome in zip(rolling_back, self.wait(rolling_back), strict=True):
                rollout.elapsed = time.monotonic() - rollout.started
                if outcome.state == "completed":
                    rollout.status = "rolled_back"
                    self.report(rollout.label, f"rolled back to {short_name(rollout.previous)}")
                else:
                    rollout.reason += f"; the rollback to {short_name(rollout.previous)} failed too: {outcome.reason}"
        return changed, [r for r, _outcome in failed]


def sorted_rollouts(rollouts):
    return sorted(rollouts, key=lambda r: (r.cluster, r.service))


def failure_message(failed):
    parts = []
    for rollout in failed:
        outcome = "rolled back to " + short_name(rollout.previous) if rollout.status == "rolled_back" else "left as is"
        text = f"{rollout.label} ({rollout.cluster}): {short_name(rollout.target)} failed: {rollout.reason}; {outcome}"
        if rollout.events:
            text += ". Recent events: " + " | ".join(rollout.events[:5])
        parts.append(text)
    return f"{len(failed)} of the services failed to roll out. " + " ;; ".join(parts)


def main():
    argument_spec = dict(
        services=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                cluster=dict(type="str", required=True),
                service=dict(type="str", required=True),
                task_definition=dict(type="str", required=True),
                desired_count=dict(type="int"),
            ),
        ),
        minimum_healthy_percent=dict(type="int", default=100),
        maximum_percent=dict(type="int", default=200),
        circuit_breaker=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        poll_interval=dict(type="float", default=5),
        check_targets=dict(type="bool", default=True),
        http_probe=dict(
            type="dict",
            options=dict(
                url=dict(type="str", required=True),
                status=dict(type="int", default=200),
                timeout=dict(type="int", default=5),
            ),
        ),
        rollback_on_failure=dict(type="bool", default=True),
        progress_file=dict(type="path"),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    keys = [(entry["cluster"], entry["service"]) for entry in module.params["services"]]
    duplicates = sorted({f"{cluster}/{service}" for cluster, service in keys if keys.count((cluster, service)) > 1})
    if duplicates:
        module.fail_json(msg=f"services: each service may appear once, repeated: {', '.join(duplicates)}")

    manager = RolloutManager(module)
    try:
        changed, failed = manager.run()
    except AnsibleAWSError as exc:
        if exc.exception:
            module.fail_json_aws(exc.exception, msg=exc.message)
        module.fail_json(msg=exc.message)

    result = dict(changed=changed, services=[r.result() for r in manager.rollouts])
    if manager.result_diff:
        result["diff"] = manager.result_diff
    if failed:
        module.fail_json(msg=failure_message(failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
