"""emulator.fixes.ecr_image_tag_immutability, over HTTP."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

MEDIA = "application/vnd.oci.image.manifest.v1+json"


def manifest(build: str) -> str:
    config = {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "sha256:" + "c" * 64}
    body = {"schemaVersion": 2, "mediaType": MEDIA, "config": config, "layers": [], "annotations": {"build": build}}
    return json.dumps(body)


def error(call, **kwargs):
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]


class Ecr:
    """ECR calls on one repository of the test's own (cheaper than resetting the emulator)."""

    def __init__(self, client):
        self.client = client
        self.name = f"teamf/api-{uuid.uuid4().hex[:8]}"

    def create_repository(self, **kwargs):
        return self.client.create_repository(repositoryName=self.name, **kwargs)

    def put_image(self, **kwargs):
        return self.client.put_image(repositoryName=self.name, **kwargs)

    def describe_images(self, **kwargs):
        return self.client.describe_images(repositoryName=self.name, **kwargs)


@pytest.fixture
def ecr(aws):
    return Ecr(aws("ecr"))


def test_immutable_tag_refuses_other_bytes_with_aws_message(ecr):
    ecr.create_repository(imageTagMutability="IMMUTABLE")
    original = ecr.put_image(imageManifest=manifest("1"), imageTag="abc")["image"]
    failure = error(ecr.put_image, imageManifest=manifest("2"), imageTag="abc")
    assert failure == {
        "Code": "ImageTagAlreadyExistsException",
        "Message": f"The image tag 'abc' already exists in the '{ecr.name}' repository and cannot be overwritten "
        "because the repository is immutable.",
    }
    [detail] = ecr.describe_images()["imageDetails"]
    assert (detail["imageDigest"], detail["imageTags"]) == (original["imageId"]["imageDigest"], ["abc"])


def test_immutable_tag_refuses_the_same_bytes_too(ecr):
    ecr.create_repository(imageTagMutability="IMMUTABLE")
    ecr.put_image(imageManifest=manifest("1"), imageTag="abc")
    failure = error(ecr.put_image, imageManifest=manifest("1"), imageTag="abc")
    assert failure["Code"] == "ImageTagAlreadyExistsException"
    assert len(ecr.describe_images()["imageDetails"]) == 1


def test_immutable_repository_accepts_a_new_tag_on_an_existing_image(ecr):
    ecr.create_repository(imageTagMutability="IMMUTABLE")
    ecr.put_image(imageManifest=manifest("1"), imageTag="abc")
    ecr.put_image(imageManifest=manifest("1"), imageTag="1.0.0")
    [detail] = ecr.describe_images()["imageDetails"]
    assert sorted(detail["imageTags"]) == ["1.0.0", "abc"]


@pytest.mark.parametrize(
    ("mutability", "tag", "refused"),
    [
        ("IMMUTABLE_WITH_EXCLUSION", "dev-1", False),
        ("IMMUTABLE_WITH_EXCLUSION", "devx", True),  # a wildcard, not a regular expression
        ("IMMUTABLE_WITH_EXCLUSION", "1.0.0", True),
        ("MUTABLE_WITH_EXCLUSION", "dev-1", True),
        ("MUTABLE_WITH_EXCLUSION", "latest", False),
    ],
    ids=lambda v: str(v),
)
def test_exclusion_filters_are_wildcards(ecr, mutability, tag, refused):
    ecr.create_repository(
        imageTagMutability=mutability,
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "dev-*"}],
    )
    ecr.put_image(imageManifest=manifest("1"), imageTag=tag)
    if refused:
        failure = error(ecr.put_image, imageManifest=manifest("2"), imageTag=tag)
        assert failure["Code"] == "ImageTagAlreadyExistsException"
    else:
        ecr.put_image(imageManifest=manifest("2"), imageTag=tag)
    tagged = ecr.describe_images(imageIds=[{"imageTag": tag}])["imageDetails"]
    assert len(tagged) == 1


def test_mutable_repository_moves_the_tag(ecr):
    ecr.create_repository()
    ecr.put_image(imageManifest=manifest("1"), imageTag="latest")
    moved = ecr.put_image(imageManifest=manifest("2"), imageTag="latest")["image"]
    [detail] = ecr.describe_images(imageIds=[{"imageTag": "latest"}])["imageDetails"]
    assert detail["imageDigest"] == moved["imageId"]["imageDigest"]


def test_bare_moto_refuses_an_immutable_tag_as_an_unchanged_push(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto answers ImageTagAlreadyExistsException itself now: the fix can go."""
    ecr = Ecr(bare_moto("ecr"))
    ecr.create_repository(imageTagMutability="IMMUTABLE")
    ecr.put_image(imageManifest=manifest("1"), imageTag="abc")
    failure = error(ecr.put_image, imageManifest=manifest("2"), imageTag="abc")
    assert failure["Code"] == "ImageAlreadyExistsException"
