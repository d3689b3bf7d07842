"""Every module, filter and callback documents itself in a form ansible-doc can show.

A DOCUMENTATION block that is not valid YAML only shows up when someone runs ansible-doc (or
ansible-lint warns in passing); here it fails the build, naming the plugin.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PLUGINS = {
    kind: sorted(p.stem for p in (REPO_ROOT / "plugins" / folder).glob("*.py") if p.stem != "__init__")
    for kind, folder in (("module", "modules"), ("filter", "filter"), ("callback", "callback"))
}
# Callbacks are configured, not called: they document options, no examples or return values.
WITHOUT_EXAMPLES = {"callback"}


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_ansible_doc_shows_every_plugin(kind):
    names = [f"teamf.platform.{name}" for name in PLUGINS[kind]]
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-doc"), "--json", "-t", kind, *names],
        env=dict(os.environ, ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg")),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert sorted(docs) == names, proc.stderr
    for name in names:
        doc = docs[name]["doc"]
        assert doc["short_description"], name
        assert doc["version_added"], name
        if kind not in WITHOUT_EXAMPLES:
            assert docs[name]["examples"], name
            assert docs[name]["return"], name
