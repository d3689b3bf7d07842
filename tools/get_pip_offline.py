"""A stand-in for pip's get-pip.py that ansible-test runs to put pip into its sanity venvs.

ansible-test downloads get-pip.py from ci-files.testing.ansible.com (not reachable from these
machines) unless ``~/.ansible/test/cache/get_pip_<version>.py`` exists, and runs it as
``python get_pip.py <pip install options> <packages>``. This does the same without that download:
ensurepip installs the pip wheel the Python ships with, and that pip installs the packages asked
for (pip at ansible-test's pinned version) from the package index; when the index cannot be reached
from ansible-test's scrubbed environment (no pip configuration, no CA bundle variables), the
bundled pip stays, which is enough for ansible-test. tools/sanity.py puts this in the cache.
"""

import ensurepip
import subprocess
import sys

# get-pip.py's own options, which pip install does not know.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

if __name__ == "__main__":
    ensurepip.bootstrap(upgrade=True)
    options = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    upgrade = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--retries", "0", "--timeout", "15", *options],
        capture_output=True,
        text=True,
        check=False,
    )
    if upgrade.returncode:
        print(f"get_pip_offline: kept the bundled pip ({' '.join(options)} not installable here)", file=sys.stderr)
