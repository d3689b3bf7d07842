"""examples/backend: each image's entrypoint, run with the host's busybox on its www/ tree, answers as dev expects.

The images are FROM scratch plus Debian's static busybox, so running the Dockerfile's own ENTRYPOINT with
the same busybox (its applets first on PATH, /www pointing at the context's www/) serves exactly what the
container serves: the paths compose's health checks and the ALB use, and users-api's call to auth-api.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, _free_port

BACKEND = REPO_ROOT / "examples" / "backend"
COMPOSE = REPO_ROOT / "inventories" / "dev" / "files" / "dev" / "docker-compose.yml"
BUSYBOX = shutil.which("busybox")
# The example's contexts and the dev compose services that run them.
SERVICES = {"auth": "auth-server", "users": "api-server"}

# busybox-static is a Debian package `make setup` installs: without it these tests fail, not skip.


def dockerfile(context: str) -> str:
    return (BACKEND / context / "Dockerfile").read_text()


def entrypoint(context: str) -> list[str]:
    match = re.search(r"^ENTRYPOINT (\[.*\])$", dockerfile(context), re.MULTILINE)
    assert match, f"{context}/Dockerfile has no exec-form ENTRYPOINT"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def applets(tmp_path_factory) -> Path:
    """busybox's applets as the image links them (busybox --install -s /bin), in a directory of their own."""
    bin_dir = tmp_path_factory.mktemp("busybox-bin")
    subprocess.run([BUSYBOX, "--install", "-s", str(bin_dir)], check=True)
    return bin_dir


class Server:
    def __init__(self, context: str, applets: Path, **env: str):
        self.port = _free_port()
        command = [part.replace("/www", str(BACKEND / context / "www")) for part in entrypoint(context)]
        command[0] = str(applets / Path(command[0]).name)
        self.process = subprocess.Popen(
            command,
            env={"PATH": str(applets), "PORT": f"127.0.0.1:{self.port}", **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, self.process.stderr.read().decode()
                time.sleep(0.05)
        raise AssertionError(f"{context} did not answer on {self.url}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def auth(applets):
    server = Server("auth", applets)
    yield server
    server.stop()


@pytest.fixture
def users(applets, auth):
    server = Server("users", applets, AUTH_URL=f"{auth.url}/auth")
    yield server
    server.stop()


def test_auth_answers_its_health_paths(auth):
    status, body = auth.get("/auth")
    assert status == 200
    assert json.loads(body) == {"service": "auth-api", "status": "ok"}
    assert auth.get("/healthz")[0] == 200


def test_users_answers_its_health_paths_and_lists_users_after_asking_auth(users):
    assert users.get("/api/health")[0] == 200
    assert users.get("/healthz")[0] == 200
    status, body = users.get("/api/users/")
    assert status == 200, body
    assert json.loads(body)["auth"] == {"service": "auth-api", "status": "ok"}
    assert users.get("/api/users/?page=1")[0] == 200
    assert users.get("/api/nothing/")[0] == 404


def test_users_stays_healthy_but_answers_502_while_auth_is_down(users, auth):
    auth.stop()
    status, body = users.get("/api/users/")
    assert status == 502
    assert auth.url in json.loads(body)["error"]
    assert users.get("/api/health")[0] == 200


def test_users_finds_auth_from_the_charts_base_url(applets, auth):
    server = Server("users", applets, AUTH_API_URL=auth.url)
    try:
        assert server.get("/api/users/")[0] == 200
    finally:
        server.stop()


@pytest.mark.parametrize("context", sorted(SERVICES))
def test_each_image_listens_where_dev_compose_expects_it(context):
    service = yaml.safe_load(COMPOSE.read_text())["services"][SERVICES[context]]
    container_port = service["ports"][0].split(":")[-1]
    assert f"EXPOSE {container_port}\n" in dockerfile(context)
    assert re.search(rf"^ENV .*\bPORT={container_port}\b", dockerfile(context), re.MULTILINE)
    # The health check compose runs inside the container needs sh and wget: busybox's applet links.
    assert 'RUN ["/bin/busybox", "--install", "-s", "/bin"]' in dockerfile(context)
    assert service["healthcheck"]["test"][0] == "CMD-SHELL" and "wget" in service["healthcheck"]["test"][1]


def test_the_contexts_hold_no_binary_busybox():
    # The build stages it (platform_components extra_files); a committed copy would go stale unseen.
    assert not list(BACKEND.glob("*/busybox"))
    assert os.access(BACKEND / "users" / "www" / "cgi-bin" / "index.cgi", os.X_OK)
