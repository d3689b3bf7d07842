"""teamf.platform.build_components: platform_components checked against a source checkout, and every refusal."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.build_components import build_components


@pytest.fixture
def source(tmp_path):
    for context in ("backend/auth", "backend/users"):
        (tmp_path / context).mkdir(parents=True)
        (tmp_path / context / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "tool").write_text("binary\n")
    return tmp_path


def components(**changes):
    """Two good components; ``changes`` maps an index to the keys to set (None removes the key)."""
    result = [
        {"name": "auth-api", "chart_key": "authApi", "compose_service": "auth-server", "context": "backend/auth"},
        {"name": "users-api", "chart_key": "usersApi", "context": "backend/users", "dockerfile": "Dockerfile"},
    ]
    for index, keys in changes.items():
        component = result[int(index[1:])]
        for key, value in keys.items():
            if value is None:
                component.pop(key, None)
            else:
                component[key] = value
    return result


def test_resolves_every_component_in_order(source):
    resolved = build_components(components(c0={"extra_files": {"busybox": str(source / "tool")}}), str(source))
    assert resolved == [
        {
            "name": "auth-api",
            "repository": "teamf/auth-api",
            "context": str(source / "backend" / "auth"),
            "context_relative": "backend/auth",
            "dockerfile": "Dockerfile",
            "build_args": {},
            "extra_files": {"busybox": str(source / "tool")},
        },
        {
            "name": "users-api",
            "repository": "teamf/users-api",
            "context": str(source / "backend" / "users"),
            "context_relative": "backend/users",
            "dockerfile": "Dockerfile",
            "build_args": {},
            "extra_files": {},
        },
    ]


@pytest.mark.parametrize("selected", ["users-api", " users-api ,", ["users-api"]], ids=["string", "spaces", "list"])
def test_selects_by_name_and_checks_only_what_it_builds(source, selected):
    broken_auth = components(c0={"context": "backend/missing"})
    resolved = build_components(broken_auth, str(source), selected=selected, namespace="acme")
    assert [(c["name"], c["repository"]) for c in resolved] == [("users-api", "acme/users-api")]


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        pytest.param([], {}, "platform_components must list the components", id="empty"),
        pytest.param(None, {}, "platform_components must list the components", id="undefined"),
        pytest.param(
            components(), {"selected": "billing"}, "components: billing not in platform_components", id="unknown"
        ),
        pytest.param(components(c1={"name": "auth-api"}), {}, "auth-api is declared 2 times", id="duplicate"),
        pytest.param(components(c0={"name": "Auth API"}), {}, ".name: 'Auth API' is not a repository name", id="name"),
        pytest.param(components(c0={"context": None}), {}, ".context: None must be a path relative", id="no-context"),
        pytest.param(components(c0={"context": "/abs"}), {}, ".context: '/abs' must be a path relative", id="absolute"),
        pytest.param(components(c0={"context": "../x"}), {}, ".context: '../x' must be a path relative", id="escapes"),
        pytest.param(
            components(c0={"context": "backend/nope"}),
            {},
            "platform_components[0] (auth-api).context: backend/nope is not a directory of source_dir",
            id="missing-context",
        ),
        pytest.param(
            components(c1={"dockerfile": "Containerfile"}),
            {},
            "platform_components[1] (users-api).dockerfile: 'Containerfile' is not a file",
            id="missing-dockerfile",
        ),
        pytest.param(components(c0={"build_args": ["A=1"]}), {}, ".build_args: must be a mapping", id="build-args"),
        pytest.param(
            components(c0={"extra_files": {"busybox": "/nonexistent"}}),
            {},
            ".extra_files.busybox: '/nonexistent' is not a file on the controller",
            id="extra-missing",
        ),
        pytest.param(["auth-api"], {}, "platform_components[0]: must be a mapping", id="not-a-mapping"),
    ],
)
def test_refusals_name_the_variable(source, value, kwargs, expected):
    with pytest.raises(AnsibleFilterError) as error:
        build_components(value, str(source), **kwargs)
    assert str(error.value).startswith("build_components: ")
    assert expected in str(error.value)


def test_every_problem_is_reported_at_once(source):
    broken = components(c0={"context": "backend/nope"}, c1={"dockerfile": "Other"})
    with pytest.raises(AnsibleFilterError) as error:
        build_components(broken, str(source))
    assert "(auth-api).context" in str(error.value) and "(users-api).dockerfile" in str(error.value)
