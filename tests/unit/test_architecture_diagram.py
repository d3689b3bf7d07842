"""docs/architecture.svg is what tools/architecture.py draws from the inventories now (make docs)."""

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("architecture", REPO / "tools" / "architecture.py")
architecture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(architecture)

RENDERED = architecture.render()


def test_checked_in_picture_is_up_to_date():
    assert (REPO / "docs" / "architecture.svg").read_text() == RENDERED, "docs/architecture.svg is stale: run make docs"


def test_picture_shows_each_environments_inventory():
    texts = [t.text for t in ET.fromstring(RENDERED).iter("{http://www.w3.org/2000/svg}text")]
    joined = "\n".join(texts)
    for env in ("dev", "staging", "prod"):
        host_vars = yaml.safe_load((REPO / "inventories" / env / "host_vars" / f"{env}.yml").read_text())
        assert f"VPC {host_vars['vpc_cidr']}," in joined, env
    for env in ("staging", "prod"):
        values = yaml.safe_load((REPO / "inventories" / env / "values" / "api.yml").read_text())
        assert f"Ingress (ALB) {values['usersApi']['expose']['ingress']['host']} -> users-api" in joined
    assert "  /api/* -> api-server :8080" in texts
    assert "  nodes general: m6i.large ON_DEMAND 2-6 (desired 3)" in texts  # prod's host_vars sizes


def test_check_mode_reports_a_stale_picture(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "architecture.svg"
    stale.write_text("<svg/>")
    monkeypatch.setattr(architecture, "OUTPUT", stale)
    assert architecture.main(["--check"]) == 1
    assert "architecture.svg is stale: run make docs" in capsys.readouterr().err
    stale.write_text(RENDERED)
    assert architecture.main(["--check"]) == 0
