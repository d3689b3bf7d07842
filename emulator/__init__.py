"""Embedded AWS emulator: moto server plus the project's fidelity fixes.

The demo and every test talk to it over HTTP exactly as they would talk to AWS. Where moto differs
from documented AWS behaviour in a way the product depends on, a module under ``emulator.fixes``
corrects it; each fix names the AWS documentation it follows and has a boto3 test in
``tests/emulator``.
"""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566
