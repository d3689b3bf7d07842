"""ECR GetDownloadUrlForLayer: a download URL for layers an image references, AWS's errors otherwise.

What moto 5.2.5 does: raises ``NotImplementedError`` (HTTP 500) for every call.

What AWS documents:
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetDownloadUrlForLayer.html

"You can only get URLs for image layers that are referenced in an image." The answer is
``{"downloadUrl", "layerDigest"}``, a pre-signed URL that needs no other credentials. A layer that
was uploaded but is not referenced by an image fails with ``LayerInaccessibleException``; an
unknown layer with ``LayersNotFoundException``; a digest that is not one with
``InvalidParameterException``; an unknown repository with ``RepositoryNotFoundException``.

What the fix changes: implements the call. A layer is referenced when an image of the repository
names it as a layer or as its config blob. The blobs themselves live in the registry stand-in
(``emulator.registry``), so ``downloadUrl`` points there:
``<registry>/v2/<repository>/blobs/<digest>?X-Amz-Security-Token=<password>``, where the password is
an ``ecr_authorization_token`` password limited to that one blob and valid for an hour. The
registry's base URL comes from ``TEAMF_EMULATOR_REGISTRY_URL`` in the emulator's environment
(default ``http://127.0.0.1:$TEAMF_REGISTRY_PORT``, port 5000 unless set).
"""

from __future__ import annotations

import json
import os
import re
import time
from urllib.parse import quote

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecr.exceptions import InvalidParameterException
from moto.ecr.models import ECRBackend
from moto.ecr.responses import ECRResponse

from emulator.fixes.ecr_authorization_token import issue_password

REGISTRY_URL_ENV = "TEAMF_EMULATOR_REGISTRY_URL"
URL_LIFETIME_S = 3600
LAYER_DIGEST = re.compile(r"[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+")


class LayersNotFoundException(ServiceException):
    code = "LayersNotFoundException"


class LayerInaccessibleException(ServiceException):
    code = "LayerInaccessibleException"


def registry_url() -> str:
    default = f"http://127.0.0.1:{os.environ.get('TEAMF_REGISTRY_PORT') or 5000}"
    return (os.environ.get(REGISTRY_URL_ENV) or default).rstrip("/")


def _referenced_blobs(manifest: str) -> set[str]:
    try:
        parsed = json.loads(manifest)
    except ValueError:
        return set()
    if not isinstance(parsed, dict):
        return set()
    entries = [parsed.get("config"), *(parsed.get("layers") or [])]
    return {entry["digest"] for entry in entries if isinstance(entry, dict) and "digest" in entry}


def get_download_url_for_layer(
    self: ECRBackend, repository_name: str, layer_digest: str, registry_id: str | None = None
) -> dict[str, str]:
    repository = self._get_repository(repository_name, registry_id)
    if not LAYER_DIGEST.fullmatch(layer_digest or ""):
        raise InvalidParameterException(
            "Invalid parameter at 'layerDigest' failed to satisfy constraint: "
            "'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''"
        )
    if not any(layer_digest in _referenced_blobs(image.image_manifest) for image in repository.images):
        where = f"in the repository with name '{repository_name}' in the registry with id '{repository.registry_id}'"
        if layer_digest in repository.layers:
            raise LayerInaccessibleException(
                f"The layer with digest '{layer_digest}' {where} is not associated with an image."
            )
        raise LayersNotFoundException(f"The layer with digest '{layer_digest}' does not exist {where}.")
    password = issue_password(
        repository.registry_id,
        self.region_name,
        time.time() + URL_LIFETIME_S,
        scope=f"{repository_name}@{layer_digest}",
    )
    url = f"{registry_url()}/v2/{repository_name}/blobs/{layer_digest}?X-Amz-Security-Token={quote(password)}"
    return {"downloadUrl": url, "layerDigest": layer_digest}


def response_get_download_url_for_layer(self: ECRResponse) -> ActionResult:
    return ActionResult(
        self.ecr_backend.get_download_url_for_layer(
            self._get_param("repositoryName"), self._get_param("layerDigest"), self._get_param("registryId")
        )
    )


def apply() -> None:
    ECRBackend.get_download_url_for_layer = get_download_url_for_layer
    ECRResponse.get_download_url_for_layer = response_get_download_url_for_layer
