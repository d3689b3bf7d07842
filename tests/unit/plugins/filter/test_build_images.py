"""teamf.platform.build_images: a build output → dev's images by compose service, and every refusal."""

import copy
import re

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.build_images import build_images

DIGEST = "sha256:" + "cd" * 32
REGISTRY = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"
COMPONENTS = [
    {"name": "auth-api", "compose_service": "auth-server", "chart_key": "authApi"},
    {"name": "users-api", "compose_service": "api-server", "chart_key": "usersApi"},
]
GOOD = {
    "commit": "0" * 40,
    "images": {
        "auth-api": {"repository": f"{REGISTRY}/teamf/auth-api", "tag": "0" * 40, "digest": DIGEST},
        "users-api": {"repository": f"{REGISTRY}/teamf/users-api", "tag": "0" * 40, "digest": DIGEST},
    },
}


def test_each_component_pins_its_compose_service():
    assert build_images(GOOD, COMPONENTS) == {
        "auth-server": f"{REGISTRY}/teamf/auth-api@{DIGEST}",
        "api-server": f"{REGISTRY}/teamf/users-api@{DIGEST}",
    }


def test_a_build_of_some_components_pins_only_those():
    build = copy.deepcopy(GOOD)
    del build["images"]["users-api"]
    assert build_images(build, COMPONENTS) == {"auth-server": f"{REGISTRY}/teamf/auth-api@{DIGEST}"}


def with_image(name, image):
    build = copy.deepcopy(GOOD)
    build["images"][name] = image
    return build


@pytest.mark.parametrize(
    ("build", "components", "message"),
    [
        pytest.param([], COMPONENTS, "images_file field 'images': must map each built component", id="not-a-mapping"),
        pytest.param({"images": {}}, COMPONENTS, "field 'images': must map", id="no-images"),
        pytest.param(
            with_image("web", GOOD["images"]["auth-api"]),
            COMPONENTS,
            "field 'images.web': not a component in platform_components (auth-api, users-api)",
            id="unknown-component",
        ),
        pytest.param(with_image("auth-api", "x"), COMPONENTS, "'images.auth-api': must be a mapping", id="not-a-dict"),
        pytest.param(
            with_image("auth-api", {"repository": f"{REGISTRY}/teamf/auth-api:1", "digest": DIGEST}),
            COMPONENTS,
            "'images.auth-api.repository': '123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/auth-api:1' is not",
            id="repository-with-tag",
        ),
        pytest.param(
            with_image("auth-api", {"repository": f"{REGISTRY}/teamf/auth-api"}),
            COMPONENTS,
            "'images.auth-api.digest': None is not a sha256 digest",
            id="no-digest",
        ),
        pytest.param(
            with_image("auth-api", {"repository": f"{REGISTRY}/teamf/auth-api", "digest": "sha256:abc"}),
            COMPONENTS,
            "'images.auth-api.digest': 'sha256:abc' is not a sha256 digest",
            id="short-digest",
        ),
        pytest.param(
            GOOD,
            [{"name": "auth-api"}],
            "platform_components[0] needs 'name' and 'compose_service'",
            id="bad-component",
        ),
    ],
)
def test_refusals_name_the_field(build, components, message):
    with pytest.raises(AnsibleFilterError, match=f"^build_images: .*{re.escape(message)}"):
        build_images(build, components)


def test_messages_name_the_source():
    with pytest.raises(AnsibleFilterError, match=re.escape("build/images.json field 'images'")):
        build_images({}, COMPONENTS, source="build/images.json")
