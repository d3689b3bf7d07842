"""Shared fixtures: a private emulator per test session, and boto3 clients bound to it."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import socket
import sys
import uuid
from pathlib import Path

import boto3
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from emulator.launcher import Emulator  # noqa: E402  (needs the repo root on sys.path first)
from emulator.registry.launcher import RegistryEmulator  # noqa: E402

REGION = "ap-northeast-2"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """A running emulator on a free port, stopped at the end of the session.

    Each xdist worker gets its own. Tests that need an empty account call ``emulator.reset()``.
    """
    emu = Emulator(port=_free_port(), state_dir=tmp_path_factory.mktemp("emulator"))
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def aws(emulator):
    """Factory for boto3 clients talking to the emulator: ``aws("ec2").describe_vpcs()``."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)

    def client(service: str):
        return session.client(service, endpoint_url=emulator.url)

    return client


@pytest.fixture
def clean_emulator(emulator):
    emulator.reset()
    return emulator


def put_empty_image(ecr, repository: str, tag: str) -> str:
    """Put an image ECR holds under ``tag`` (an empty OCI manifest: ECR needs nothing more); its digest."""
    config = json.dumps({"architecture": "amd64", "os": "linux"})
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "sha256:" + hashlib.sha256(config.encode()).hexdigest(),
                "size": len(config),
            },
            "layers": [],
        }
    )
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag=tag, imageDigest=digest)
    return digest


def ansible_env(emulator: Emulator) -> dict[str, str]:
    """Environment for ansible-playbook runs against ``emulator`` from the checkout."""
    return dict(
        os.environ,
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        TEAMF_TEST_ENDPOINT=emulator.url,
        ANSIBLE_FORCE_COLOR="0",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )


@pytest.fixture(scope="session")
def emulator_factory(tmp_path_factory):
    """Start private emulators with extra server environment: ``emulator_factory(NAME="value")``.

    For knobs the server reads at start (``TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS``, ...). Emulators with
    the same ``isolation`` label and environment are shared within the session (a test module that
    relies on exact revision numbers passes a label of its own); all are stopped at its end.
    """
    started: dict[tuple, Emulator] = {}

    def start(isolation: str = "", **env: str) -> Emulator:
        key = (isolation, *sorted((name, str(value)) for name, value in env.items()))
        if key not in started:
            with pytest.MonkeyPatch.context() as patch:
                for name, value in env.items():
                    patch.setenv(name, str(value))
                emu = Emulator(port=_free_port(), state_dir=tmp_path_factory.mktemp("emulator-env"))
                emu.start()
            started[key] = emu
        return started[key]

    yield start
    for emu in started.values():
        emu.stop()


@dataclasses.dataclass(frozen=True)
class RegistryStandIn:
    """The registry stand-in (``emulator.registry``) and the private emulator whose ECR it fronts."""

    emulator: Emulator
    server: RegistryEmulator

    @property
    def endpoint(self) -> str:
        """host:port, as image references and ``platform_registry_endpoint`` spell it."""
        return self.server.endpoint

    @property
    def url(self) -> str:
        return self.server.url

    def ecr(self):
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        return session.client("ecr", endpoint_url=self.emulator.url)

    def password(self) -> str:
        """A fresh registry password, as ``aws ecr get-login-password`` prints it."""
        token = self.ecr().get_authorization_token()["authorizationData"][0]["authorizationToken"]
        return base64.b64decode(token).decode().partition(":")[2]

    def create_repository(self, prefix: str = "teamf/test", **kwargs) -> str:
        """A new ECR repository with a unique name (cheaper than resetting the emulator)."""
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.ecr().create_repository(repositoryName=name, **kwargs)
        return name


@pytest.fixture(scope="session")
def registry(emulator_factory, tmp_path_factory) -> RegistryStandIn:
    """A running registry stand-in on a free port, bound to an emulator of its own (one per xdist worker).

    That emulator knows the registry's URL (GetDownloadUrlForLayer points there). Both stop at the
    end of the session.
    """
    port = _free_port()
    emu = emulator_factory(isolation="registry", TEAMF_EMULATOR_REGISTRY_URL=f"http://127.0.0.1:{port}")
    server = RegistryEmulator(port=port, state_dir=tmp_path_factory.mktemp("registry"), ecr_endpoint=emu.url)
    server.start()
    yield RegistryStandIn(emu, server)
    server.stop()
