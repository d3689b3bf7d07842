"""Drift check: site.yml in check mode for one environment, with an exit code (make drift ENV=<env>).

    python tools/drift.py --env dev --inventory inventories/dev [ansible-playbook options...]

Exit 0: the environment is as the inventory defines it; 2: drift, listed below the run's own output
with each change's diff (the resources named by the tasks and their items); 1: the run failed, so
nothing can be said about drift (unreachable endpoint, bad inventory, missing credentials).
``ansible-playbook --check`` exits 0 either way; the ``teamf.platform.drift`` callback
(plugins/callback/drift.py) records what would change and this turns it into the exit code.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NO_DRIFT, ERROR, DRIFT = 0, 1, 2


def render_diff(diff: dict) -> list[str]:
    """One diff of a task result as unified-diff lines (what ``--diff`` prints)."""
    if "prepared" in diff:
        return str(diff["prepared"]).splitlines()
    before, after = diff.get("before", ""), diff.get("after", "")
    if not isinstance(before, str) or not isinstance(after, str):
        # An empty before (or after) is a resource that does not exist (or would not).
        before = json.dumps(before, indent=2, sort_keys=True, default=str) if before else ""
        after = json.dumps(after, indent=2, sort_keys=True, default=str) if after else ""
    return list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=diff.get("before_header", "before"),
            tofile=diff.get("after_header", "after"),
            lineterm="",
        )
    )


def drift_lines(report: dict, env: str) -> list[str]:
    changes = report.get("hosts", {}).get(env, {}).get("changed", [])
    lines = [f"drift: {env} differs from its inventory in {len(changes)} place(s):"]
    for change in changes:
        where = f"{change['role']}: " if change.get("role") else ""
        item = f" [{change['item']}]" if change.get("item") else ""
        resource = f" ({change['resource']})" if change.get("resource") else ""
        lines.append(f"  ~ {where}{change['task']}{item}{resource}")
        for diff in change.get("diff", []):
            lines += [f"      {line}" for line in render_diff(diff)]
        if not change.get("diff"):
            lines.append(f"      ({change.get('action') or 'the module'} reports no diff: compare with the inventory)")
    return lines


def verdict(rc: int, report: dict | None, env: str) -> tuple[int, list[str]]:
    """The exit code and the lines to print, from ansible-playbook's exit code and the callback's report."""
    if report is None:
        return ERROR, [f"drift: the check of {env} did not run to the end (ansible-playbook exit {rc}): see above"]
    host = report.get("hosts", {}).get(env, {})
    stats = report.get("stats", {})
    if rc != 0 or host.get("failed") or host.get("unreachable"):
        failed = [f"  ! {f['task']}: {f['msg']}" for f in host.get("failed", [])]
        return ERROR, [f"drift: the check of {env} failed (ansible-playbook exit {rc}); drift unknown", *failed]
    if env not in stats:
        return ERROR, [f"drift: the check ran no task on {env} (is it a host of the inventory?)"]
    if not report.get("check_mode"):
        return ERROR, ["drift: the run was not in check mode"]
    if host.get("changed"):
        return DRIFT, drift_lines(report, env)
    return NO_DRIFT, [f"drift: none, {env} is as its inventory defines it"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True)
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--playbook", default="site.yml")
    args, extra = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory(prefix="drift-") as work:
        report_path = Path(work) / "report.json"
        enabled = [c for c in os.environ.get("ANSIBLE_CALLBACKS_ENABLED", "").split(",") if c]
        env = dict(
            os.environ,
            TEAMF_DRIFT_REPORT=str(report_path),
            ANSIBLE_CALLBACKS_ENABLED=",".join([*enabled, "teamf.platform.drift"]),
        )
        command = [
            str(Path(sys.executable).parent / "ansible-playbook"),
            args.playbook,
            "-i",
            args.inventory,
            "--limit",
            args.env,
            "--check",
            "--diff",
            *extra,
        ]
        rc = subprocess.run(command, cwd=REPO_ROOT, env=env, check=False).returncode
        report = json.loads(report_path.read_text()) if report_path.exists() else None
    code, lines = verdict(rc, report, args.env)
    print("\n".join(lines), file=sys.stderr if code == ERROR else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
