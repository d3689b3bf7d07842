"""Bare moto for the marker tests: the same moto the emulator runs, with none of its fixes.

Each fix in ``emulator/fixes/`` has a marker test (``test_bare_moto_*`` beside the test proving
the fix) that shows the behaviour the fix exists for on bare moto. When an upgrade of moto makes a
marker test fail, moto now behaves as AWS does there itself: the fix it names can go.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
import pytest

from tests.conftest import REGION, _free_port

START_TIMEOUT_S = 60


@pytest.fixture(scope="session")
def bare_moto():
    """Factory for boto3 clients of a moto server without the emulator's fixes (its own process)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()
            break
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"bare moto did not start on {url} (exit {server.poll()})") from None
            time.sleep(0.2)
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)

    def client(service: str):
        return session.client(service, endpoint_url=url)

    client.url = url
    yield client
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
