"""Hand an ECS Exec session from playbooks/ops/exec.yml to the Session Manager plugin (make exec).

The playbook wrote the session (its token is a secret) to a private file; this reads it, removes it and
replaces itself with ``session-manager-plugin``, called as the AWS CLI calls it for ``aws ecs
execute-command`` (awscli/customizations/ecs/executecommand.py): the session JSON, the region,
``StartSession``, the profile, ``{"Target": "ecs:<cluster>_<task ID>_<runtime ID>"}`` and the endpoint.
A missing file means the playbook opened no session (no plugin, or it printed the command): nothing to do.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def plugin_argv(handoff: dict) -> list[str]:
    return [
        "session-manager-plugin",
        json.dumps(handoff["session"]),
        handoff["region"],
        "StartSession",
        handoff.get("profile", ""),
        json.dumps({"Target": handoff["target"]}),
        handoff["endpoint"],
    ]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: exec_handoff.py <handoff file>", file=sys.stderr)
        return 2
    path = Path(argv[1])
    if not path.exists():
        return 0
    handoff = json.loads(path.read_text())
    path.unlink()
    args = plugin_argv(handoff)
    os.execvp(args[0], args)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv))
