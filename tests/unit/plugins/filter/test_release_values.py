"""teamf.platform.release_values: release manifests → chart values, and every refusal."""

import copy
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.release_values import release_values

REPO = Path(__file__).resolve().parents[4]
DIGEST = "sha256:" + "ab" * 32
GOOD = {
    "version": "2.3.4",
    "chart": {"version": "1.0.0"},
    "images": {
        "authApi": {"repository": "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/auth-api", "tag": "2.3.4"},
        "usersApi": {"repository": "registry.example:5000/teamf/users-api", "digest": DIGEST},
        "redis": {"repository": "redis", "tag": "7.4.2-alpine"},
    },
}


def changed(path, value):
    """GOOD with one field (dotted path) set to value, or removed when value is ...."""
    manifest = copy.deepcopy(GOOD)
    *parents, leaf = path.split(".")
    node = manifest
    for key in parents:
        node = node.setdefault(key, {})
    if value is ...:
        node.pop(leaf)
    else:
        node[leaf] = value
    return manifest


def test_values_pin_every_image_and_the_release():
    values = release_values(GOOD, version="2.3.4", chart_version="1.0.0")
    assert values == {
        "release": "2.3.4",
        "authApi": {"image": {"repository": GOOD["images"]["authApi"]["repository"], "tag": "2.3.4", "digest": ""}},
        "usersApi": {"image": {"repository": "registry.example:5000/teamf/users-api", "tag": "", "digest": DIGEST}},
        "redis": {"image": {"repository": "redis", "tag": "7.4.2-alpine", "digest": ""}},
    }


def test_release_wide_values_are_kept_beside_the_images():
    manifest = changed("values", {"authApi": {"env": {"A": "1"}}, "networkPolicy": {"enabled": False}})
    values = release_values(manifest)
    assert values["authApi"] == {"env": {"A": "1"}, "image": values["authApi"]["image"]}
    assert values["networkPolicy"] == {"enabled": False}
    assert manifest["values"]["authApi"] == {"env": {"A": "1"}}, "the manifest itself is not modified"


@pytest.mark.parametrize(
    ("manifest", "kwargs", "field", "hint"),
    [
        ("not a mapping", {}, "(top)", "YAML mapping"),
        (changed("owner", "me"), {}, "owner", "unknown key"),
        (changed("version", "1.2"), {}, "version", "MAJOR.MINOR.PATCH"),
        (changed("version", ...), {}, "version", "MAJOR.MINOR.PATCH"),
        (GOOD, {"version": "2.3.5"}, "version", "name the file after its version"),
        (changed("chart", ...), {}, "chart.version", "required"),
        (changed("chart.version", ""), {}, "chart.version", "required"),
        (GOOD, {"chart_version": "1.1.0"}, "chart.version", "cut a new release"),
        (changed("images", ["x"]), {}, "images", "must map each component"),
        (changed("images.redis", ...), {}, "images.redis", "missing"),
        (changed("images.worker", {"repository": "w", "tag": "1"}), {}, "images.worker", "not a component"),
        (changed("images.redis", "redis:7"), {}, "images.redis", "must be a mapping"),
        (changed("images.redis.pull", "always"), {}, "images.redis.pull", "unknown key"),
        (changed("images.redis.repository", "redis:7"), {}, "images.redis.repository", "no tag"),
        (changed("images.redis.repository", ""), {}, "images.redis.repository", "not an image repository"),
        (changed("images.redis.tag", ""), {}, "images.redis", "needs a 'tag' or a 'digest'"),
        (changed("images.redis.tag", "latest"), {}, "images.redis.tag", "'latest' can change"),
        (changed("images.redis.tag", "bad tag"), {}, "images.redis.tag", "not a valid image tag"),
        (changed("images.usersApi.digest", "sha256:abc"), {}, "images.usersApi.digest", "64 hex digits"),
        (changed("source", "abc"), {}, "source", "must be a mapping"),
        (changed("source.branch", "main"), {}, "source.branch", "unknown key"),
        (changed("source.commit", "abc123"), {}, "source.commit", "40 lowercase hex"),
        (changed("values", ["x"]), {}, "values", "mapping of chart values"),
        (changed("values", {"release": "9.9.9"}), {}, "values.release", "remove it"),
        (changed("values", {"authApi": {"image": {"tag": "x"}}}), {}, "values.authApi.image", "belong under 'images'"),
        (changed("values", {"redis": "on"}), {}, "values.redis", "must be a mapping"),
    ],
)
def test_refusals_name_the_field(manifest, kwargs, field, hint):
    with pytest.raises(AnsibleFilterError) as error:
        release_values(manifest, **kwargs)
    assert f"field '{field}'" in str(error.value)
    assert hint in str(error.value)


def test_the_source_commit_is_provenance_only():
    assert release_values(changed("source", {"commit": "0f" * 20})) == release_values(GOOD)


def test_latest_is_accepted_when_pinned_by_digest():
    manifest = changed("images.redis", {"repository": "redis", "tag": "latest", "digest": DIGEST})
    assert release_values(manifest)["redis"]["image"]["digest"] == DIGEST


@pytest.mark.parametrize("path", sorted((REPO / "releases").glob("*.yml")), ids=lambda p: p.name)
def test_every_checked_in_release_is_valid_for_the_current_chart(path):
    chart_version = yaml.safe_load((REPO / "charts" / "api" / "Chart.yaml").read_text())["version"]
    values = release_values(yaml.safe_load(path.read_text()), version=path.stem, chart_version=chart_version)
    assert values["release"] == path.stem
