"""teamf.platform.platform, the quiet stdout callback: its lines, and real runs of a small playbook.

The playbook runs on localhost (no AWS): a change in a loop, an `until` wait, a debug
message, a --diff and, in its own run, a failure; -v must give ansible.builtin.default's output back.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ansible_collections.teamf.platform.plugins.callback.platform import (
    UNACTIONABLE,
    change_line,
    recap_line,
    unactionable,
    wait_line,
)

from tests.conftest import REPO_ROOT
from tests.integration.conftest import RECAP_LINE

# Verbatim from amazon.aws 10 modules/iam_role.py and kubernetes.core 6 modules/helm.py.
IAM_ROLE_NOTICE = (
    "In a release after 2026-05-01 iam_role.assume_role_policy_document_raw will no longer be returned.  Since "
    "release 8.0.0 assume_role_policy_document has been returned with the same format as "
    "iam_role.assume_role_policy_document_raw"
)
HELM_DIFF_HINT = (
    "The default idempotency check can fail to report changes in certain cases. "
    "Install helm diff >= 3.4.1 for better results."
)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param(IAM_ROLE_NOTICE, True, id="iam-role-raw-policy"),
        pytest.param(HELM_DIFF_HINT, True, id="helm-diff"),
        pytest.param(
            "In a release after 2026-05-01 the 'create_instance_profile' option will be removed.",
            False,
            id="iam-role-option-a-task-can-set",
        ),
        pytest.param("Module did not set no_log for secret_key", False, id="other-warning"),
        pytest.param("", False, id="empty"),
        pytest.param(None, False, id="none"),
    ],
)
def test_only_the_listed_notices_count_as_unactionable(message, expected):
    assert unactionable(message) is expected


def test_every_unactionable_notice_says_why():
    assert all(why for _pattern, why in UNACTIONABLE)


def test_nothing_reads_the_return_value_iam_role_says_goes_away():
    """The reason iam_role's notice is left out: no role, playbook or plugin reads that value."""
    readers = [
        path
        for folder in ("roles", "playbooks", "plugins")
        for path in (REPO_ROOT / folder).rglob("*")
        if path.suffix in (".yml", ".yaml", ".py", ".j2")
        and "assume_role_policy_document_raw" in path.read_text(errors="replace")
        and path.name != "platform.py"
    ]
    assert readers == []


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param([], "changed  dev  vpc : Create the VPC", id="no-loop"),
        pytest.param(["a", "b"], "changed  dev  vpc : Create the VPC: a, b", id="items"),
        pytest.param(
            ["a", "b", "c", "d", "e", "f"], "changed  dev  vpc : Create the VPC: a, b, c, d (+2)", id="many-items"
        ),
    ],
)
def test_change_line(items, expected):
    assert change_line("dev", "vpc : Create the VPC", items) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("waiting", 1, 180, 0), "waiting  dev  Wait (attempt 1 of 181, 0s)", id="start"),
        pytest.param(("waiting", 12, 180, 125.4), "waiting  dev  Wait (attempt 12 of 181, 2m05s)", id="progress"),
        pytest.param(("waited", 13, 0, 130), "waited  dev  Wait (attempt 13, 2m10s)", id="done"),
    ],
)
def test_wait_line(args, expected):
    state, attempts, retries, seconds = args
    assert wait_line(state, "dev", "Wait", attempts, retries, seconds) == expected


def test_recap_line_parses_as_the_default_recap_does():
    """The benchmarks' and the integration tests' parsers read the same numbers from it."""
    totals = {"ok": 57, "changed": 2, "unreachable": 0, "failures": 1, "skipped": 21, "rescued": 1, "ignored": 0}
    line = recap_line("dev", totals, 7)
    assert line == "dev     : ok=57 changed=2 unreachable=0 failed=1 skipped=21 rescued=1 ignored=0"
    assert re.search(r"^dev\s*:\s*ok=\d+\s+changed=(\d+)", line, re.MULTILINE)[1] == "2"  # benchmarks/vs_terraform.py
    [match] = RECAP_LINE.finditer(line)
    assert {k: int(v) for k, v in match.groupdict().items() if k != "host"} == totals


PLAYBOOK = """\
- name: Converge the things
  hosts: localhost
  gather_facts: false
  vars:
    waited: "{{ tmp }}/waited"
  tasks:
    - name: Make the files
      ansible.builtin.copy:
        dest: "{{ tmp }}/{{ item }}"
        content: "{{ item }} v2\\n"
        mode: "0644"
      loop: [one, two, three]

    - name: Leave this one alone
      ansible.builtin.command: "true"
      changed_when: false

    - name: Wait for the marker
      ansible.builtin.shell: "n=$(cat {{ waited }} 2>/dev/null || echo 0); echo $((n + 1)) > {{ waited }}; [ $n -ge 2 ]"
      register: result
      until: result.rc == 0
      retries: 180
      delay: 0
      changed_when: false

    - name: Say what exists
      ansible.builtin.debug:
        msg: ["things: one, two, three", "all good"]

    - name: Say it per thing
      ansible.builtin.debug:
        msg: "{{ item }} exists"
      loop: [one]
"""


def run(tmp_path, *args, playbook=PLAYBOOK):
    (tmp_path / "play.yml").write_text(playbook)
    if not (tmp_path / "one").exists():
        (tmp_path / "one").write_text("one v1\n")
    env = {k: v for k, v in os.environ.items() if k != "ANSIBLE_STDOUT_CALLBACK"}
    env.update(ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        [
            *(str(Path(sys.executable).parent / "ansible-playbook"), str(tmp_path / "play.yml")),
            *("-e", f"tmp={tmp_path}", "-i", "localhost,", "-c", "local"),
            *("-e", f"ansible_python_interpreter={sys.executable}", *args),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_a_run_prints_plays_changes_waits_debug_and_the_recap(tmp_path):
    rc, out, err = run(tmp_path, "--diff")
    assert rc == 0, out + err
    lines = out.splitlines()
    assert lines[0] == "== Converge the things (localhost)"
    assert "changed  localhost  Make the files: one, two, three" in lines
    assert [line.split(" (attempt")[0] for line in lines if line.startswith("wait")] == [
        "waiting  localhost  Wait for the marker",
        "waited  localhost  Wait for the marker",
    ]
    assert re.search(r"^waited  localhost  Wait for the marker \(attempt 3, \d+s\)$", out, re.MULTILINE)
    assert "localhost  things: one, two, three" in lines and "localhost  all good" in lines
    assert "localhost  one exists" in lines
    assert "RETRYING" not in out and "TASK [" not in out and "ok: [localhost]" not in out
    # The diff comes after every task, before the recap.
    diff_at, recap_at = lines.index("== Diff"), lines.index("== Recap")
    assert diff_at < recap_at and diff_at > lines.index("localhost  one exists")
    assert "-one v1" in lines[diff_at:recap_at] and "+one v2" in lines[diff_at:recap_at]
    assert lines[recap_at + 1].startswith("localhost : ok=5 changed=1 unreachable=0 failed=0")
    assert lines[recap_at + 2].strip() == "changed: Make the files"


def test_a_rerun_that_changes_nothing_prints_the_play_and_the_recap(tmp_path):
    assert run(tmp_path)[0] == 0
    (tmp_path / "waited").write_text("5\n")
    rc, out, err = run(tmp_path)
    assert rc == 0, out + err
    assert [line for line in out.splitlines() if not line.startswith("localhost  ")] == [
        "== Converge the things (localhost)",
        "== Recap",
        "localhost : ok=5 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0",
    ]


def test_a_failure_is_printed_in_full(tmp_path):
    failing = textwrap.dedent(
        """\
        - name: Fail
          hosts: localhost
          gather_facts: false
          tasks:
            - name: Refuse the input
              ansible.builtin.fail:
                msg: "vpc_cidr: 10.0.0.0/33 is not an IPv4 CIDR"
        """
    )
    rc, out, _err = run(tmp_path, playbook=failing)
    assert rc == 2
    assert "TASK [Refuse the input]" in out
    assert "fatal: [localhost]: FAILED!" in out and "vpc_cidr: 10.0.0.0/33 is not an IPv4 CIDR" in out
    assert "localhost : ok=0 changed=0 unreachable=0 failed=1" in out


def test_verbose_runs_print_what_the_default_callback_prints(tmp_path):
    rc, out, err = run(tmp_path, "-v")
    assert rc == 0, out + err
    assert "PLAY [Converge the things]" in out and "TASK [Make the files]" in out
    assert "changed: [localhost] => (item=one)" in out
    assert "FAILED - RETRYING: [localhost]: Wait for the marker (179 retries left)." in out
    assert re.search(r"^localhost\s+: ok=5\s+changed=1\s+unreachable=0\s+failed=0", out, re.MULTILINE)


TWO_HOSTS = """\
- name: Converge two environments
  hosts: dev,prod
  gather_facts: false
  tasks:
    - name: Write the file of environment {{ environment_name }}
      ansible.builtin.copy:
        dest: "{{ tmp }}/{{ inventory_hostname }}"
        content: "{{ environment_name }}\\n"
        mode: "0644"
"""


def test_each_host_s_lines_name_the_task_with_its_own_variables(tmp_path):
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        "[all]\n"
        f"dev environment_name=dev ansible_connection=local ansible_python_interpreter={sys.executable}\n"
        f"prod environment_name=prod ansible_connection=local ansible_python_interpreter={sys.executable}\n"
    )
    rc, out, err = run(tmp_path, "-i", str(inventory), playbook=TWO_HOSTS)
    assert rc == 0, out + err
    lines = out.splitlines()
    assert "changed  dev  Write the file of environment dev" in lines
    assert "changed  prod  Write the file of environment prod" in lines
    recap = lines[lines.index("== Recap") :]
    assert "changed: Write the file of environment prod" in [line.strip() for line in recap]
