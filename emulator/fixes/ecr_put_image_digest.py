"""ECR PutImage: the image digest is the manifest's sha256; one image per digest; sizes from layers.

What moto 5.2.5 does:
- without ``imageDigest``, the digest is sha256 of the layer digests joined together (so it differs
  from what any registry client computes), or a random one for manifests without layers; an
  ``imageDigest`` that does not match the manifest is stored as given;
- ``imageSizeInBytes`` is the config blob's size (50 MiB when the config has no size);
- moving a tag to a new manifest deletes the image that had it, even though AWS keeps it untagged;
- a repository that does not exist is a plain ``Exception`` (HTTP 500);
- an image index may reference manifests the repository does not hold.

What AWS documents:
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html
https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-retag.html

An image is identified by its digest, the sha256 of the manifest exactly as pushed.
``imageDigest`` is optional; one that does not match "the digest that Amazon ECR calculated for the
image" fails with ``ImageDigestDoesNotMatchException`` (a value that is not a digest at all fails
the parameter pattern: ``InvalidParameterException``). Putting a manifest the repository already
holds under a new tag adds the tag to that image (the documented way to retag); putting it again
with a tag it already has (or untagged) fails with ``ImageAlreadyExistsException`` ("no changes to
the manifest or image tag after the last push"). A tag moved to another image leaves the old image
in the repository, untagged. ``imageSizeInBytes`` is the size of the image's layers (the config blob
is not a layer); ``artifactMediaType`` is the config's media type (``application/vnd.cncf.helm.
config.v1+json`` for a Helm chart). A manifest list or image index naming manifests the repository
lacks fails with ``ReferencedImagesNotFoundException``; an unknown repository with
``RepositoryNotFoundException``.

What the fix changes: PutImage is reimplemented to the above; tag immutability stays in
``ECRBackend._resolve_image_tag_mutability`` (see ``ecr_image_tag_immutability``). Layer uploads
are not checked against ``LayersNotFoundException``: images pushed through ``emulator.registry``
keep their blobs in the registry, which refuses manifests with missing blobs itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from moto.core.exceptions import ServiceException
from moto.ecr.exceptions import ImageAlreadyExistsException, InvalidParameterException
from moto.ecr.models import ECRBackend, Image

DIGEST_PATTERN = re.compile(r"[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+")


class ImageDigestDoesNotMatchException(ServiceException):
    code = "ImageDigestDoesNotMatchException"


class ReferencedImagesNotFoundException(ServiceException):
    code = "ReferencedImagesNotFoundException"


def manifest_digest(manifest: str) -> str:
    return "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def _parsed(image: Image) -> dict[str, Any]:
    try:
        parsed = json.loads(image.image_manifest)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _create_digest(self: Image) -> None:
    self._image_digest = manifest_digest(self.image_manifest)


def get_image_size_in_bytes(self: Image) -> int | None:
    layers = _parsed(self).get("layers")
    if not isinstance(layers, list):
        return None
    return sum(int(layer.get("size") or 0) for layer in layers if isinstance(layer, dict))


def artifact_media_type(self: Image) -> str | None:
    config = _parsed(self).get("config")
    return config.get("mediaType") if isinstance(config, dict) else None


def _untag(image: Image, tag: str) -> None:
    image.remove_tag(tag)
    if not image.image_tags:
        image.image_tag = None


def put_image(
    self: ECRBackend,
    repository_name: str,
    image_manifest: str,
    image_tag: str | None,
    image_manifest_mediatype: str | None = None,
    digest: str | None = None,
) -> Image:
    repository = self._get_repository(repository_name)
    try:
        parsed = json.loads(image_manifest)
    except (TypeError, ValueError):
        raise InvalidParameterException(
            "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
        ) from None
    if not isinstance(parsed, dict):
        raise InvalidParameterException(
            "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
        )
    media_type = image_manifest_mediatype or parsed.get("mediaType")
    if not media_type:
        raise InvalidParameterException("image manifest mediatype not provided in manifest or parameter")

    calculated = manifest_digest(image_manifest)
    if digest is not None:
        if not DIGEST_PATTERN.fullmatch(digest):
            raise InvalidParameterException(
                "Invalid parameter at 'imageDigest' failed to satisfy constraint: "
                "'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''"
            )
        if digest != calculated:
            raise ImageDigestDoesNotMatchException(
                f"The image with digest '{digest}' in repository '{repository_name}' and registry ID "
                f"'{repository.registry_id}' does not match the image digest that Amazon ECR has calculated."
            )

    held = {image.get_image_digest() for image in repository.images}
    referenced = [m.get("digest") for m in parsed.get("manifests") or [] if isinstance(m, dict)]
    missing = [d for d in referenced if d not in held]
    if missing:
        raise ReferencedImagesNotFoundException(
            f"The manifest list is referencing an image that does not exist: {', '.join(map(str, missing))} "
            f"(not in the repository '{repository_name}')"
        )

    tagged = self._resolve_image_tag_mutability(repository, image_tag) if image_tag else []
    image = next((i for i in repository.images if i.get_image_digest() == calculated), None)
    if image is not None and (image_tag is None or image_tag in image.image_tags):
        raise ImageAlreadyExistsException(
            registry_id=repository.registry_id,
            image_tag=image_tag or "null",
            digest=calculated,
            repository_name=repository_name,
        )
    for other in tagged:
        if other is not image:
            _untag(other, image_tag)
    if image is None:
        image = Image(self.account_id, image_tag, image_manifest, repository_name, media_type, calculated)
        repository.images.append(image)
    else:
        image.update_tag(image_tag)
    return image


def apply() -> None:
    Image._create_digest = _create_digest
    Image.get_image_size_in_bytes = get_image_size_in_bytes
    Image.artifact_media_type = property(artifact_media_type)
    ECRBackend.put_image = put_image
