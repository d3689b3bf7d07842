"""ECR BatchGetImage: each result names the image id that was asked for; tag and digest both match.

What moto 5.2.5 does: an image id with both ``imageTag`` and ``imageDigest`` matches an image that
has either of them (so one id can return two images); a result's ``imageId`` carries whatever tag
the image was last given rather than the one requested; a failure's ``imageId`` drops the
requested digest and reports ``imageTag: "null"``.

What AWS documents:
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageFailure.html

Each requested image id (tag, digest or both) yields the image it identifies, with its manifest
and ``imageManifestMediaType`` and the requested id completed with the image's digest, or an
``ImageFailure`` with that image id and ``failureCode`` ``ImageNotFound``.

What the fix changes: BatchGetImage resolves each id by tag and digest together and reports it as
asked. This is how ``emulator.registry`` serves manifests, so a pull by tag and by digest return
exactly the bytes PutImage stored.
"""

from __future__ import annotations

from typing import Any

from moto.ecr.exceptions import InvalidParameterException
from moto.ecr.models import ECRBackend


def batch_get_image(
    self: ECRBackend,
    repository_name: str,
    registry_id: str | None = None,
    image_ids: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    repository = self._get_repository(repository_name, registry_id)
    if not image_ids:
        raise InvalidParameterException('Missing required parameter in input: "imageIds"')
    images, failures = [], []
    for image_id in image_ids:
        tag, digest = image_id.get("imageTag"), image_id.get("imageDigest")
        found = next(
            (
                image
                for image in repository.images
                if (tag or digest)
                and (not tag or tag in image.image_tags)
                and (not digest or digest == image.get_image_digest())
            ),
            None,
        )
        if found is None:
            failures.append(
                {
                    "imageId": dict(image_id),
                    "failureCode": "ImageNotFound",
                    "failureReason": "Requested image not found",
                }
            )
            continue
        images.append(
            {
                "registryId": repository.registry_id,
                "repositoryName": repository.name,
                "imageId": {**({"imageTag": tag} if tag else {}), "imageDigest": found.get_image_digest()},
                "imageManifest": found.image_manifest,
                "imageManifestMediaType": found.image_manifest_media_type,
            }
        )
    return {"images": images, "failures": failures}


def apply() -> None:
    ECRBackend.batch_get_image = batch_get_image
