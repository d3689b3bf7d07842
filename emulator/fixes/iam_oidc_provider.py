"""IAM OpenID Connect providers: client-id operations, https-only URLs, the duplicate error.

What moto 5.2.5 does: Create/Get/List/Delete, UpdateOpenIDConnectProviderThumbprint and the tag
operations behave as documented (probed), but
- AddClientIDToOpenIDConnectProvider and RemoveClientIDFromOpenIDConnectProvider are not
  implemented (``NotImplementedError``, a 500 in server mode);
- CreateOpenIDConnectProvider accepts any URL scheme (``http://...``);
- a duplicate provider fails with EntityAlreadyExists whose message is ``Unknown``.

What AWS documents:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html (the URL
must begin with https://; it is unique per account),
https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddClientIDToOpenIDConnectProvider.html
(idempotent: adding an existing client ID is not an error),
https://docs.aws.amazon.com/IAM/latest/APIReference/API_RemoveClientIDFromOpenIDConnectProvider.html
(idempotent: removing an absent client ID is not an error); both answer NoSuchEntity for an
unknown provider and InvalidInput for a client ID outside 1-255 characters.

What the fix changes: adds the two client-id operations, rejects non-https URLs with the
ValidationError moto already uses for malformed URLs, and names the URL in the duplicate error.
"""

from __future__ import annotations

from urllib.parse import urlparse

from moto.core.responses import EmptyResult
from moto.iam.exceptions import EntityAlreadyExists, InvalidInput, ValidationError
from moto.iam.models import IAMBackend
from moto.iam.responses import IamResponse

MARKER = "_teamf_fixed"


def add_client_id_to_open_id_connect_provider(self: IAMBackend, arn: str, client_id: str) -> None:
    provider = self.get_open_id_connect_provider(arn)
    _check_client_id(client_id)
    if client_id not in provider.client_id_list:
        provider.client_id_list = [*provider.client_id_list, client_id]


def remove_client_id_from_open_id_connect_provider(self: IAMBackend, arn: str, client_id: str) -> None:
    provider = self.get_open_id_connect_provider(arn)
    _check_client_id(client_id)
    provider.client_id_list = [c for c in provider.client_id_list if c != client_id]


def _check_client_id(client_id: str) -> None:
    if not client_id or len(client_id) > 255:
        raise InvalidInput("ClientID must be between 1 and 255 characters long")


def _add_client_id_response(self: IamResponse) -> EmptyResult:
    self.backend.add_client_id_to_open_id_connect_provider(
        self._get_param("OpenIDConnectProviderArn"), self._get_param("ClientID")
    )
    return EmptyResult()


def _remove_client_id_response(self: IamResponse) -> EmptyResult:
    self.backend.remove_client_id_from_open_id_connect_provider(
        self._get_param("OpenIDConnectProviderArn"), self._get_param("ClientID")
    )
    return EmptyResult()


def _create(original):
    def create_open_id_connect_provider(self: IAMBackend, url, thumbprint_list, client_id_list, tags):
        if urlparse(url or "").scheme != "https":
            raise ValidationError("Invalid Open ID Connect Provider URL: the URL must begin with https://")
        try:
            return original(self, url, thumbprint_list, client_id_list, tags)
        except EntityAlreadyExists:
            raise EntityAlreadyExists(f"Provider with url {url} already exists.") from None

    setattr(create_open_id_connect_provider, MARKER, True)
    return create_open_id_connect_provider


def apply() -> None:
    if getattr(IAMBackend.create_open_id_connect_provider, MARKER, False):
        return
    IAMBackend.create_open_id_connect_provider = _create(IAMBackend.create_open_id_connect_provider)
    IAMBackend.add_client_id_to_open_id_connect_provider = add_client_id_to_open_id_connect_provider
    IAMBackend.remove_client_id_from_open_id_connect_provider = remove_client_id_from_open_id_connect_provider
    IamResponse.add_client_id_to_open_id_connect_provider = _add_client_id_response
    IamResponse.remove_client_id_from_open_id_connect_provider = _remove_client_id_response
