"""ansible-test sanity on what the collection ships: ``make sanity``.

ansible-test wants the collection at ``.../ansible_collections/teamf/platform`` and tests every
file there. The checkout also holds the emulator, the benchmarks, the charts and the inventories,
which are not the collection (galaxy.yml ``build_ignore``), so this builds the artifact with
``ansible-galaxy collection build``, unpacks it into a temporary ``ansible_collections`` tree next
to the collections it depends on (from the venv's ansible bundle), adds ``tests/sanity/`` (the
ignore file with each exception's reason) and runs ``ansible-test sanity`` there with the venv's
Python. ansible-test puts pip into its test venvs with a get-pip.py it downloads from
ci-files.testing.ansible.com, which these machines cannot reach: ``tools/get_pip_offline.py`` takes
its place in ansible-test's cache when nothing is cached yet.

    .venv/bin/python tools/sanity.py                    # every test but pylint (see SKIPPED)
    .venv/bin/python tools/sanity.py --test validate-modules
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Dependencies the modules' documentation fragments and imports name (galaxy.yml dependencies).
DEPENDENCIES = ("amazon", "community", "kubernetes", "ansible")
# pylint: minutes on two cores, and ruff (make lint) runs the checks this project chose on every file.
SKIPPED = ("pylint",)


def seed_get_pip() -> None:
    from ansible_test._internal import python_requirements

    # The pip version ansible-test bootstraps (its infrastructure packages: pip='24.2').
    found = re.search(r"pip='([0-9.]+)'", Path(python_requirements.__file__).read_text())
    if found is None:
        raise SystemExit("ansible-test changed how it pins pip: update tools/sanity.py seed_get_pip()")
    version = found[1]
    cache = Path.home() / ".ansible" / "test" / "cache" / f"get_pip_{version.replace('.', '_')}.py"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "tools" / "get_pip_offline.py", cache)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--test", action="append", default=[], help="run only this sanity test (repeatable)")
    args = parser.parse_args()
    seed_get_pip()
    with tempfile.TemporaryDirectory(prefix="teamf-sanity-") as tmp:
        work = Path(tmp)
        subprocess.run(
            [str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(work), str(ROOT)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (artifact,) = work.glob("teamf-platform-*.tar.gz")
        tree = work / "ansible_collections"
        collection = tree / "teamf" / "platform"
        collection.mkdir(parents=True)
        with tarfile.open(artifact) as archive:
            archive.extractall(collection, filter="data")
        shutil.copytree(ROOT / "tests" / "sanity", collection / "tests" / "sanity")
        bundled = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
        for namespace in DEPENDENCIES:
            (tree / namespace).symlink_to(bundled / "site-packages" / "ansible_collections" / namespace)
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        command = [str(BIN / "ansible-test"), "sanity", "--python", python, "--color", "no"]
        command += [arg for test in args.test for arg in ("--test", test)] or [
            arg for test in SKIPPED for arg in ("--skip-test", test)
        ]
        return subprocess.run(command, cwd=collection, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
