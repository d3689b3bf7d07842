"""The aws-for-fluent-bit DaemonSet, played by the stand-in: pods' container logs to CloudWatch Logs.

Opt-in (``--aws-endpoint URL``): without it nothing here runs and nothing is written anywhere.

What the stand-in does otherwise: no container runs, so a cluster with the aws-for-fluent-bit release
(charts/standins/aws-for-fluent-bit) ships nothing and its CloudWatch Logs group stays missing.

What fluent-bit documents (https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch, and
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-setup-logs-FluentBit.html
for how EKS pods' streams are named):

- The ``tail`` input (``Tag kube.*``, ``Path /var/log/containers/*.log``) tags each record with its
  file's path, ``/`` turned to ``.``: ``kube.var.log.containers.<pod>_<namespace>_<container>-<id>.log``,
  the kubelet's file name for a container (``<id>``: the 64-hex container id).
- The ``kubernetes`` filter adds the pod's metadata: ``{"log": …, "stream": "stdout", "kubernetes":
  {"pod_name", "namespace_name", "container_name", "container_image", "docker_id", "host", …}}``.
- The ``cloudwatch_logs`` output sends records whose tag its ``Match`` selects to ``log_group_name``
  in ``region``, one stream per tag named ``log_stream_prefix`` + the tag (or ``log_stream_name``);
  with ``auto_create_group`` true (case-insensitive) it creates a missing group, with
  ``log_retention_days`` as its retention; otherwise PutLogEvents fails on the missing group.

What this changes: when a pod goes Running (a bare Pod, or the pods a Deployment's ReplicaSet, a
StatefulSet or a DaemonSet would run, named as their controllers name them), and the cluster holds a
ConfigMap whose ``fluent-bit.conf`` has a ``cloudwatch_logs`` output, each container's stream gets two
records stamped now: ``container <name> started`` and ``image <image>, pod <pod>``. They are the
stand-in's lines, not an application's: they prove where the logs go and that a reader finds them.
Each pod is shipped once (a pod that started before the ConfigMap existed is not shipped later:
fluent-bit tails new lines only). Writes go with boto3 (credentials testing/testing) to the endpoint,
on a worker thread; a failure is logged and the stand-in carries on.

Not simulated: stopped containers, other inputs, filters and outputs, ``log_group_template`` /
``log_stream_template`` and record accessors in names, ``log_key``, retries of failed writes.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("emulator.kube.fluentbit")

TRUE = ("true", "on", "yes", "1")


def sections(conf: str) -> list[dict[str, str]]:
    """The sections of a classic-mode fluent-bit.conf: ``{"": "OUTPUT", "name": "cloudwatch_logs", …}``.

    Keys are lower-cased (fluent-bit's are case-insensitive); ``@INCLUDE``/``@SET`` and comments are skipped.
    """
    found: list[dict[str, str]] = []
    for raw in conf.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "@")):
            continue
        if line.startswith("[") and line.endswith("]"):
            found.append({"": line[1:-1].strip().upper()})
        elif found:
            key, _, value = line.partition(" ")
            found[-1][key.lower()] = value.strip()
    return found


def cloudwatch_outputs(configmaps: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every ``cloudwatch_logs`` [OUTPUT] of the ConfigMaps that hold a ``fluent-bit.conf``."""
    return [
        section
        for cm in configmaps
        for section in sections((cm.get("data") or {}).get("fluent-bit.conf", ""))
        if section[""] == "OUTPUT" and section.get("name", "").lower() == "cloudwatch_logs"
    ]


def container_id(pod_uid: str, container: str) -> str:
    return hashlib.sha256(f"{pod_uid}/{container}".encode()).hexdigest()


def tag(pod: str, namespace: str, container: str, cid: str) -> str:
    """The tail input's tag for the container's file /var/log/containers/<pod>_<ns>_<container>-<id>.log."""
    return f"kube.var.log.containers.{pod}_{namespace}_{container}-{cid}.log"


def records(pod: str, namespace: str, node: str, container: dict[str, Any], cid: str) -> list[str]:
    """The kubernetes filter's records for what the stand-in says of a container that started."""
    image = container.get("image", "")
    meta = {
        "pod_name": pod,
        "namespace_name": namespace,
        "host": node,
        "container_name": container["name"],
        "docker_id": cid,
        "container_image": image,
    }
    lines = [f"container {container['name']} started", f"image {image}, pod {pod}"]
    return [json.dumps({"log": f"{line}\n", "stream": "stdout", "kubernetes": meta}) for line in lines]


class FluentBit:
    """Ships the started lines of pods to CloudWatch Logs at ``endpoint`` as the cluster's fluent-bit would."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.shipped: set[tuple[str, str]] = set()
        self.clients: dict[str, Any] = {}
        # One worker: writes stay in order, and a slow or absent endpoint never blocks the API.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fluent-bit")

    def reset(self) -> None:
        self.shipped.clear()

    def pods_running(
        self,
        configmaps: list[dict[str, Any]],
        namespace: str,
        pods: list[tuple[str, str]],
        containers: list[dict[str, Any]],
        node: str,
    ) -> None:
        """``pods`` (name, uid) of ``namespace`` run ``containers``; ship each pod not shipped before."""
        new = [(name, uid) for name, uid in pods if (namespace, name) not in self.shipped]
        self.shipped.update((namespace, name) for name, _ in new)
        outputs = cloudwatch_outputs(configmaps)
        if not new or not outputs:
            return
        stamp = int(time.time() * 1000)
        for output in outputs:
            streams = []
            for name, uid in new:
                for container in containers:
                    cid = container_id(uid, container["name"])
                    record_tag = tag(name, namespace, container["name"], cid)
                    if not fnmatch.fnmatchcase(record_tag, output.get("match", "*")):
                        continue
                    stream = output.get("log_stream_name") or output.get("log_stream_prefix", "") + record_tag
                    lines = records(name, namespace, node, container, cid)
                    events = [{"timestamp": stamp, "message": line} for line in lines]
                    streams.append((stream, events))
            if streams:
                self.worker.submit(self._put, output, streams)

    def _client(self, region: str):
        if region not in self.clients:
            import boto3  # only a stand-in started with --aws-endpoint needs it
            from botocore.config import Config

            session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
            config = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard", "max_attempts": 2})
            self.clients[region] = session.client("logs", region_name=region, endpoint_url=self.endpoint, config=config)
        return self.clients[region]

    def _put(self, output: dict[str, str], streams: list[tuple[str, list[dict[str, Any]]]]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        group, region = output.get("log_group_name", ""), output.get("region", "")
        if not group or not region:
            log.warning("fluent-bit: cloudwatch_logs output without log_group_name or region: %s", output)
            return
        try:
            client = self._client(region)
            exists = client.exceptions.ResourceAlreadyExistsException
            if output.get("auto_create_group", "false").lower() in TRUE:
                try:
                    client.create_log_group(logGroupName=group)
                    days = int(output.get("log_retention_days", "0") or 0)
                    if days > 0:  # only on a group fluent-bit created, as fluent-bit does
                        client.put_retention_policy(logGroupName=group, retentionInDays=days)
                except exists:
                    pass
            for stream, events in streams:
                with contextlib.suppress(exists):
                    client.create_log_stream(logGroupName=group, logStreamName=stream)
                client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
                log.info("fluent-bit: %d events to %s %s (%s)", len(events), group, stream, region)
        except (BotoCoreError, ClientError, ValueError) as exc:  # ValueError: an endpoint that is no URL
            log.warning("fluent-bit: shipping to %s in %s at %s failed: %s", group, region, self.endpoint, exc)
