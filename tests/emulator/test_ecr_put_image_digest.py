"""emulator.fixes.ecr_put_image_digest, over HTTP.

Each test gets a repository of its own instead of an emulator reset: ECR state is per repository,
and a reset costs seconds (IAM reloads the AWS managed policies).
"""

import hashlib
import json
import uuid

import pytest
from botocore.exceptions import ClientError

CONFIG = {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 7023, "digest": "sha256:" + "c" * 64}
LAYERS = [
    {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 32654, "digest": "sha256:" + "a" * 64},
    {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 16724, "digest": "sha256:" + "b" * 64},
]
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def manifest(**extra) -> str:
    # Indented on purpose: the digest must be of these bytes, not of a re-serialised document.
    body = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": CONFIG, "layers": LAYERS, **extra}
    return json.dumps(body, indent=3)


def sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


class Repository:
    def __init__(self, client):
        self.client = client
        self.name = f"teamf/digest-{uuid.uuid4().hex[:8]}"
        client.create_repository(repositoryName=self.name)

    def put_image(self, **kwargs):
        return self.client.put_image(repositoryName=kwargs.pop("repositoryName", self.name), **kwargs)

    def describe_images(self, **kwargs):
        return self.client.describe_images(repositoryName=self.name, **kwargs)

    def list_images(self, **kwargs):
        return self.client.list_images(repositoryName=self.name, **kwargs)


@pytest.fixture
def ecr(aws):
    return Repository(aws("ecr"))


def images(ecr):
    return ecr.describe_images()["imageDetails"]


def test_digest_is_the_sha256_of_the_manifest_as_sent(ecr):
    body = manifest()
    image = ecr.put_image(imageManifest=body, imageTag="v1")["image"]
    assert image["imageId"] == {"imageDigest": sha256(body), "imageTag": "v1"}
    [detail] = images(ecr)
    assert detail["imageDigest"] == sha256(body)
    assert detail["imageSizeInBytes"] == 32654 + 16724  # the layers; the config blob is not one
    assert detail["imageManifestMediaType"] == OCI_MANIFEST
    assert detail["artifactMediaType"] == CONFIG["mediaType"]


def test_explicit_digest_must_match_the_manifest(ecr):
    body = manifest()
    assert ecr.put_image(imageManifest=body, imageTag="v1", imageDigest=sha256(body))
    with pytest.raises(ClientError) as err:
        ecr.put_image(imageManifest=manifest(x=1), imageTag="v2", imageDigest=sha256(body))
    assert err.value.response["Error"]["Code"] == "ImageDigestDoesNotMatchException"
    assert "does not match the image digest that Amazon ECR has calculated" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        ecr.put_image(imageManifest=body, imageTag="v3", imageDigest="not-a-digest")
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert [d["imageTags"] for d in images(ecr)] == [["v1"]]


def test_same_manifest_under_a_new_tag_is_the_same_image(ecr):
    body = manifest()
    ecr.put_image(imageManifest=body, imageTag="abc123")
    retagged = ecr.put_image(imageManifest=body, imageTag="1.2.0")["image"]
    assert retagged["imageId"] == {"imageDigest": sha256(body), "imageTag": "1.2.0"}
    [detail] = images(ecr)
    assert sorted(detail["imageTags"]) == ["1.2.0", "abc123"]


def test_same_manifest_and_tag_again_is_image_already_exists(ecr):
    body = manifest()
    ecr.put_image(imageManifest=body, imageTag="v1")
    with pytest.raises(ClientError) as err:
        ecr.put_image(imageManifest=body, imageTag="v1")
    assert err.value.response["Error"]["Code"] == "ImageAlreadyExistsException"
    assert sha256(body) in err.value.response["Error"]["Message"]
    assert len(images(ecr)) == 1


def test_moving_a_mutable_tag_leaves_the_old_image_untagged(ecr):
    first, second = manifest(), manifest(annotations={"build": "2"})
    ecr.put_image(imageManifest=first, imageTag="latest")
    ecr.put_image(imageManifest=second, imageTag="latest")
    by_digest = {d["imageDigest"]: d.get("imageTags", []) for d in images(ecr)}
    assert by_digest == {sha256(first): [], sha256(second): ["latest"]}
    untagged = ecr.list_images(filter={"tagStatus": "UNTAGGED"})["imageIds"]
    assert untagged == [{"imageDigest": sha256(first)}]


def test_untagged_put_by_digest(ecr):
    body = manifest()
    image = ecr.put_image(imageManifest=body, imageDigest=sha256(body))["image"]
    assert image["imageId"] == {"imageDigest": sha256(body)}
    with pytest.raises(ClientError) as err:
        ecr.put_image(imageManifest=body, imageDigest=sha256(body))
    assert err.value.response["Error"]["Code"] == "ImageAlreadyExistsException"


def test_index_must_reference_manifests_the_repository_holds(ecr):
    child = manifest()
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"mediaType": OCI_MANIFEST, "size": len(child), "digest": sha256(child)}],
        }
    )
    with pytest.raises(ClientError) as err:
        ecr.put_image(imageManifest=index, imageTag="multi")
    assert err.value.response["Error"]["Code"] == "ReferencedImagesNotFoundException"
    ecr.put_image(imageManifest=child, imageDigest=sha256(child))
    ecr.put_image(imageManifest=index, imageTag="multi")
    detail = ecr.describe_images(imageIds=[{"imageTag": "multi"}])["imageDetails"][0]
    assert detail["imageDigest"] == sha256(index)
    assert detail["imageManifestMediaType"] == "application/vnd.oci.image.index.v1+json"


def test_unknown_repository_and_media_type(ecr):
    with pytest.raises(ClientError) as err:
        ecr.put_image(repositoryName="teamf/absent", imageManifest=manifest(), imageTag="v1")
    assert err.value.response["Error"]["Code"] == "RepositoryNotFoundException"
    bare = json.dumps({"schemaVersion": 2, "config": CONFIG, "layers": LAYERS})
    with pytest.raises(ClientError) as err:
        ecr.put_image(imageManifest=bare, imageTag="v1")
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    ecr.put_image(imageManifest=bare, imageTag="v1", imageManifestMediaType=OCI_MANIFEST)
    assert images(ecr)[0]["imageManifestMediaType"] == OCI_MANIFEST


def test_bare_moto_does_not_digest_the_manifest(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto digests the manifest as sent itself now: the fix can go."""
    ecr = Repository(bare_moto("ecr"))
    body = manifest()
    image = ecr.put_image(imageManifest=body, imageTag="v1")["image"]
    assert image["imageId"]["imageDigest"] != sha256(body)
