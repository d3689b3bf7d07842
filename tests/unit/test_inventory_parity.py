"""staging and prod are one definition: they may differ only in the documented parity fields."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
INVENTORIES = REPO / "inventories"


def host_vars(inventory: str, host: str) -> dict:
    """Variables of ``host`` as ansible-inventory merges them (group_vars + host_vars, unrendered)."""
    out = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(INVENTORIES / inventory), "--list"],
        cwd=REPO,
        env={"ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)["_meta"]["hostvars"][host]


def parity_fields() -> list[str]:
    shared = yaml.safe_load((INVENTORIES / "shared" / "group_vars" / "eks_environments.yml").read_text())
    return shared["platform_parity_fields"]


def without(variables: dict, fields: list[str]) -> dict:
    return {key: value for key, value in variables.items() if key not in fields}


def test_staging_and_prod_differ_only_in_parity_fields():
    staging, prod = host_vars("staging", "staging"), host_vars("prod", "prod")
    fields = parity_fields()
    assert without(staging, fields) == without(prod, fields)
    assert {f: staging[f] for f in fields} != {f: prod[f] for f in fields}


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_local_inventory_runs_the_real_definitions(env):
    real = host_vars(env, env)
    local = host_vars("local", env)
    # What inventories/local/group_vars/emulator.yml sets (endpoints, credentials, stand-in charts) and nothing else.
    emulator_only = set(yaml.safe_load((INVENTORIES / "local" / "group_vars" / "emulator.yml").read_text()))
    # The one real variable it replaces: the emulator's account is not AWS's (the account guard checks it).
    assert without(local, list(emulator_only)) == without(real, ["platform_aws_account_id"])
    assert local["platform_aws_account_id"] == "123456789012"


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_host_vars_hold_only_parity_fields(env):
    own = yaml.safe_load((INVENTORIES / env / "host_vars" / f"{env}.yml").read_text())
    assert set(own) <= set(parity_fields()), f"move {set(own) - set(parity_fields())} to eks_environments.yml"


@pytest.mark.parametrize("env", ["dev", "staging", "prod", "local"])
def test_every_inventory_links_the_shared_definitions(env):
    for link in (INVENTORIES / env / "group_vars").glob("*.yml"):
        if link.name == "emulator.yml":
            continue
        assert link.is_symlink() and link.resolve().parent == (INVENTORIES / "shared" / "group_vars").resolve()
