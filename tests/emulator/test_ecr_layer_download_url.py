"""emulator.fixes.ecr_layer_download_url on bare moto; test_registry.py proves the fix, through emulator.registry."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

CONFIG = {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "sha256:" + "c" * 64}
LAYER = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 10, "digest": "sha256:" + "a" * 64}


def test_bare_moto_has_no_get_download_url_for_layer(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto implements GetDownloadUrlForLayer itself now: the fix can go."""
    ecr, name = bare_moto("ecr"), f"teamf/layer-{uuid.uuid4().hex[:8]}"
    ecr.create_repository(repositoryName=name)
    body = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": CONFIG}
    ecr.put_image(repositoryName=name, imageManifest=json.dumps({**body, "layers": [LAYER]}), imageTag="v1")
    with pytest.raises(ClientError) as refused:
        ecr.get_download_url_for_layer(repositoryName=name, layerDigest=LAYER["digest"])
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
