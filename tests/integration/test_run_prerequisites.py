"""What a run needs before it starts - an inventory, AWS credentials, the tools - refused at once, by name.

Each case fails before any request that could change AWS (zero mutating requests at the emulator).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, ansible_env
from tests.integration.conftest import mutating_requests, run_playbook, zero_request_counters
from tests.integration.test_bad_inputs import make_inventory

VENV_BIN = Path(sys.executable).parent
# A PATH without the venv: what a shell has when .venv/bin/ansible-playbook runs unactivated.
SYSTEM_PATH = os.pathsep.join(p for p in ("/usr/local/bin", "/usr/bin", "/bin") if Path(p).is_dir())


@pytest.fixture
def kube_endpoints(monkeypatch):
    for env in ("BROKEN", "GOOD"):
        monkeypatch.setenv(f"TEAMF_TEST_KUBE_ENDPOINT_{env}", "http://127.0.0.1:9")


@pytest.mark.parametrize("playbook", ["site.yml", "playbooks/validate.yml", "playbooks/teardown.yml"])
def test_a_run_without_an_inventory_fails_and_says_to_add_one(tmp_path, playbook):
    """Without -i (and no inventory configured) a run used to match no host and exit 0."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"), ANSIBLE_INVENTORY=str(tmp_path / "none"))
    proc = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), playbook, "-e", "confirm=dev"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = proc.stdout + proc.stderr  # the [ERROR] line (stderr) has the message on one line
    assert proc.returncode != 0, output
    assert "No inventory, so no environment to work on: name one with -i" in output, output
    assert "ansible-playbook site.yml -i inventories/local" in output


def no_credentials_inventory(tmp_path):
    """inventories/local as it is (links to its files) but without the emulator's access keys."""
    local = REPO_ROOT / "inventories" / "local"
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    for name in ("hosts.yml", "host_vars", "files"):
        (inventory / name).symlink_to(local / name)
    for group_vars in (local / "group_vars").iterdir():
        if group_vars.name != "emulator.yml":
            (inventory / "group_vars" / group_vars.name).symlink_to(group_vars.resolve())
    emulator_vars = (local / "group_vars" / "emulator.yml").read_text().splitlines()
    kept = [line for line in emulator_vars if not line.startswith(("aws_access_key", "aws_secret_key"))]
    assert len(kept) == len(emulator_vars) - 2
    (inventory / "group_vars" / "emulator.yml").write_text("\n".join(kept) + "\n")
    return inventory


@pytest.mark.parametrize(
    "playbook",
    [["site.yml", "--limit", "dev"], ["playbooks/teardown.yml", "-e", "confirm=dev"]],
    ids=["site", "teardown"],
)
def test_missing_credentials_are_named_with_the_inventory_and_profile(tmp_path, emulator, playbook):
    """No keys, no profile, empty AWS config files: one message, before anything is asked of AWS."""
    inventory = no_credentials_inventory(tmp_path)
    (tmp_path / "credentials").write_text("")
    (tmp_path / "config").write_text("")
    env = {name: value for name, value in ansible_env(emulator).items() if not name.startswith("AWS_")}
    env.update(
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_EC2_METADATA_DISABLED="true",  # no instance metadata here; on a laptop botocore gives up as fast
    )
    zero_request_counters(emulator.url)
    run = run_playbook(emulator, playbook[0], inventory, *playbook[1:], env=env)
    assert run.rc != 0
    assert f"no AWS credentials for inventory {inventory} (profile default): " in run.output, run.output[-3000:]
    assert "Unable to locate credentials" in run.output
    assert run.stats["dev"]["changed"] == 0
    assert mutating_requests(emulator.url) == {}


def test_validation_finds_helm_in_the_venv_without_it_on_path(tmp_path, playbook, clean_emulator, kube_endpoints):
    """`.venv/bin/ansible-playbook` unactivated: PATH has no helm, the venv beside ansible-playbook has."""
    assert not any((Path(p) / "helm").exists() for p in SYSTEM_PATH.split(os.pathsep))
    inventory = make_inventory(tmp_path, {})
    env = dict(ansible_env(clean_emulator), PATH=SYSTEM_PATH)
    run = run_playbook(clean_emulator, "playbooks/validate.yml", inventory, env=env)
    assert run.rc == 0, run.output[-3000:]


def test_validation_names_a_missing_tool_and_the_fix(tmp_path, clean_emulator, kube_endpoints):
    """A venv without helm (the Python and packages of ours, nothing in its bin but python): refused up front."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text((VENV_BIN.parent / "pyvenv.cfg").read_text())
    (venv / "lib").symlink_to(VENV_BIN.parent / "lib")
    (venv / "bin" / "python").symlink_to((VENV_BIN / "python").resolve())
    inventory = make_inventory(tmp_path, {})
    zero_request_counters(clean_emulator.url)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), str(VENV_BIN / "ansible-playbook"), "site.yml", "-i", str(inventory)],
        cwd=REPO_ROOT,
        env=dict(ansible_env(clean_emulator), PATH=SYSTEM_PATH),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"helm not found on PATH nor in {venv / 'bin'}: run make setup" in output, output[-3000:]
    assert mutating_requests(clean_emulator.url) == {}
