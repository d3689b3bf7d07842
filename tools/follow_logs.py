"""Follow a service's log events after playbooks/ops/logs.yml printed the recent ones (make logs FOLLOW=1).

The playbook wrote where the logs are (region, endpoint, profile, the groups and stream prefixes) and the time it
read up to into a private file; no credentials are in it. This reads and removes the file, then polls
FilterLogEvents every ``--interval`` seconds and prints each new event, until ``--max-seconds`` have passed or
Ctrl-C, which both end it with exit 0. Credentials come from boto3's usual chain (the profile, the environment);
an emulator endpoint accepts any, so without one there it signs with placeholder keys.
A missing file means the playbook stopped before (it said why): nothing to do.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import botocore.exceptions


def source_of(stream: str) -> str:
    """ECS: <container>/<first 8 of the task id>; EKS (fluent-bit): the pod."""
    if ".containers." in stream:
        return stream.split(".containers.")[-1].split("_")[0]
    parts = stream.split("/")
    return f"{parts[-2]}/{parts[-1][:8]}" if len(parts) >= 2 else stream


def line(event: dict) -> str:
    stamp = datetime.fromtimestamp(event["timestamp"] / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-4]
    return f"{stamp}Z  {source_of(event.get('logStreamName', ''))}  {event.get('message', '').rstrip()}"


class Follower:
    """New events of the sources from ``start_time`` on, each once (events sharing a millisecond included)."""

    def __init__(self, client, sources: list[dict], start_time: int):
        self.client, self.sources, self.start_time = client, sources, start_time
        self.seen: set[str] = set()

    def poll(self) -> list[dict]:
        found = []
        for source in self.sources:
            params = {"logGroupName": source["group"], "startTime": self.start_time}
            if source.get("prefix"):
                params["logStreamNamePrefix"] = source["prefix"]
            try:
                for page in self.client.get_paginator("filter_log_events").paginate(**params):
                    found += page.get("events", [])
            except self.client.exceptions.ResourceNotFoundException:
                continue  # the group is not there yet: the playbook said so
        # Time, stream, then ingestion order: event ids are decimal strings (shorter is older).
        new = sorted(
            (e for e in found if e["eventId"] not in self.seen),
            key=lambda e: (e["timestamp"], e.get("logStreamName", ""), len(e["eventId"]), e["eventId"]),
        )
        if new:
            newest = new[-1]["timestamp"]
            # Keep only the ids at the newest millisecond: the next read starts there.
            self.seen = {e["eventId"] for e in found if e["timestamp"] == newest}
            self.start_time = newest
        return new


def client_for(handoff: dict):
    session = boto3.session.Session(profile_name=handoff.get("profile") or None, region_name=handoff["region"])
    extra = {}
    if handoff.get("endpoint_url"):
        extra["endpoint_url"] = handoff["endpoint_url"]
        if session.get_credentials() is None:
            extra.update(aws_access_key_id="emulator", aws_secret_access_key="emulator")
    return session.client("logs", **extra)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("handoff", type=Path)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop following after this long")
    args = parser.parse_args(argv)
    if not args.handoff.exists():
        return 0
    handoff = json.loads(args.handoff.read_text())
    args.handoff.unlink()
    follower = Follower(client_for(handoff), handoff["sources"], int(handoff["start_time"]))
    prefixes = ", ".join(f"{s['group']} {s['prefix']}*" for s in handoff["sources"])
    print(f"following {prefixes} (Ctrl-C ends it; at most {args.max_seconds:.0f}s)", flush=True)
    deadline = time.monotonic() + args.max_seconds
    try:
        while True:
            for event in follower.poll():
                print(line(event), flush=True)
            if time.monotonic() >= deadline:
                print(f"stopped following after {args.max_seconds:.0f}s", flush=True)
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
    except botocore.exceptions.BotoCoreError as exc:
        print(f"follow_logs: {exc}", file=sys.stderr)
        return 1
    except botocore.exceptions.ClientError as exc:
        print(f"follow_logs: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
