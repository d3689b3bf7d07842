"""ECR tag immutability: a tag an immutable repository already holds cannot be put again.

What moto 5.2.5 does: a tag that already exists in an ``IMMUTABLE`` repository fails PutImage with
``ImageAlreadyExistsException`` ("Image with digest ... already exists"), the error for an
unchanged re-push, so clients cannot tell a refused overwrite from a no-op. Exclusion filters are
matched as regular expressions from the tag's start (``dev-*`` matches ``dev`` and ``devXYZ``).

What AWS documents:
https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html

"After tag immutability is turned on, the ImageTagAlreadyExistsException error is returned if you
push an image with a tag that is already in the repository." That holds for a re-push of the very
same manifest too (aws/containers-roadmap#2179 asks AWS to relax exactly that); through the
registry API it reads "tag invalid: The image tag '<tag>' already exists in the '<repository>'
repository and cannot be overwritten because the repository is immutable." Exclusion filters are
wildcards (``*``): under ``IMMUTABLE_WITH_EXCLUSION`` matching tags stay mutable, under
``MUTABLE_WITH_EXCLUSION`` matching tags are immutable. A new tag on an existing image is fine.

What the fix changes: ``ECRBackend._resolve_image_tag_mutability`` (called by PutImage, see
``ecr_put_image_digest``) raises ``ImageTagAlreadyExistsException`` with AWS's message whenever the
tag is immutable and already present, and matches exclusion filters as wildcards.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from moto.core.exceptions import ServiceException
from moto.ecr.models import ECRBackend, Image, Repository, RepoTagMutability


class ImageTagAlreadyExistsException(ServiceException):
    code = "ImageTagAlreadyExistsException"


def tag_is_immutable(repository: Repository, tag: str) -> bool:
    filters = repository.image_tag_mutability_exclusion_filters or []
    excluded = any(fnmatchcase(tag, exclusion.get("filter", "")) for exclusion in filters)
    mutability = repository.image_tag_mutability
    if mutability == RepoTagMutability.IMMUTABLE_WITH_EXCLUSION:
        return not excluded
    if mutability == RepoTagMutability.MUTABLE_WITH_EXCLUSION:
        return excluded
    return mutability == RepoTagMutability.IMMUTABLE


def resolve_image_tag_mutability(self: ECRBackend, repository: Repository, proposed_image_tag: str) -> list[Image]:
    tagged = [image for image in repository.images if proposed_image_tag in image.image_tags]
    if tagged and tag_is_immutable(repository, proposed_image_tag):
        raise ImageTagAlreadyExistsException(
            f"The image tag '{proposed_image_tag}' already exists in the '{repository.name}' repository "
            "and cannot be overwritten because the repository is immutable."
        )
    return tagged


def apply() -> None:
    ECRBackend._resolve_image_tag_mutability = resolve_image_tag_mutability
