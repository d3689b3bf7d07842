"""emulator.fixes.ecr_batch_get_image on bare moto; test_registry.py proves the fix, through emulator.registry."""

import json
import uuid

CONFIG = {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "sha256:" + "c" * 64}


def manifest(layer_digest: str) -> str:
    layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 10, "digest": layer_digest}
    body = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": CONFIG}
    return json.dumps({**body, "layers": [layer]})


def test_bare_moto_matches_an_image_id_by_its_tag_or_its_digest(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto matches the tag and the digest together itself now: the fix can go."""
    ecr, name = bare_moto("ecr"), f"teamf/get-{uuid.uuid4().hex[:8]}"
    ecr.create_repository(repositoryName=name)
    v1 = ecr.put_image(repositoryName=name, imageManifest=manifest("sha256:" + "a" * 64), imageTag="v1")["image"]
    v2 = ecr.put_image(repositoryName=name, imageManifest=manifest("sha256:" + "b" * 64), imageTag="v2")["image"]
    # No image has both the tag v1 and v2's digest, yet this one id answers with two images.
    wanted = {"imageTag": "v1", "imageDigest": v2["imageId"]["imageDigest"]}
    got = ecr.batch_get_image(repositoryName=name, imageIds=[wanted])
    assert [i["imageId"]["imageDigest"] for i in got["images"]] == [
        v1["imageId"]["imageDigest"],
        v2["imageId"]["imageDigest"],
    ]
    assert got["failures"] == []
