"""emulator.fixes' guard: another moto, or a patch target moto changed, stops the server at start."""

from __future__ import annotations

import re
import subprocess
import sys

from emulator.fixes import MOTO_VERSION
from tests.conftest import REPO_ROOT

# The server's start, after the given lines changed the moto it finds (a new release, simulated).
START = """
import sys
{simulate}
sys.argv = ["emulator.server", "--host", "127.0.0.1", "--port", "0"]
from emulator import server
server.main()
"""


def start_server(simulate: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", START.format(simulate=simulate)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_pinned_moto_is_the_one_installed():
    import moto

    assert moto.__version__ == MOTO_VERSION
    pins = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    assert f"moto=={MOTO_VERSION}" in pins


def test_another_moto_version_stops_the_server_with_what_to_do():
    started = start_server("import moto; moto.__version__ = '5.3.0'")
    assert started.returncode == 1
    assert f"emulator fixes are written for moto {MOTO_VERSION}, but moto 5.3.0 is installed" in started.stderr
    assert "make setup" in started.stderr


def test_a_changed_signature_names_the_fix_and_the_change():
    started = start_server(
        "from moto.eks.models import EKSBackend\n"
        "EKSBackend.create_nodegroup = lambda self, cluster_name, role, nodegroup_name, subnets: None"
    )
    assert started.returncode == 1
    assert "fix iam_propagation: moto changed EKSBackend.create_nodegroup: it takes no node_role" in started.stderr


def test_a_vanished_method_names_the_fix():
    started = start_server("from moto.eks.models import EKSBackend\ndel EKSBackend.create_cluster")
    assert started.returncode == 1
    # The first fix (in name order) that wraps CreateCluster is the one named.
    assert re.search(
        r"emulator: fix eks_\w+: moto changed moto\.eks\.models\.EKSBackend: it has no create_cluster any more",
        started.stderr,
    ), started.stderr


def test_every_fix_has_a_marker_test_on_bare_moto():
    """Each fix's test file holds one ``test_bare_moto_*`` (tests/emulator/conftest.py says why)."""
    fixes = sorted(p.stem for p in (REPO_ROOT / "emulator" / "fixes").glob("*.py") if p.stem != "__init__")
    markers = {}
    for name in fixes:
        test_file = REPO_ROOT / "tests" / "emulator" / f"test_{name}.py"
        text = test_file.read_text() if test_file.exists() else ""
        markers[name] = len(re.findall(r"^def test_bare_moto_\w+\(bare_moto", text, re.MULTILINE))
    assert len(fixes) >= 37
    assert {name: count for name, count in markers.items() if count != 1} == {}
