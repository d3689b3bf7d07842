"""OCI distribution registry stand-in bound to the emulator's ECR, over plain HTTP.

moto serves the ECR API but no registry (``GET /v2/`` is a 404), so nothing can ``docker push``,
``buildah push``, ``skopeo copy`` or ``helm push`` into it. This package is the registry half of ECR
(``<account>.dkr.ecr.<region>.amazonaws.com``): the OCI distribution API (aiohttp) with blobs
streamed to files under the state directory, and every manifest committed to and served from the
emulator's ECR (PutImage, BatchGetImage, ListImages), so ``describe-images`` and the registry never
disagree. It admits only passwords the emulator's GetAuthorizationToken issued and only
repositories ECR has. See README.md beside this file.
"""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "ap-northeast-2"
