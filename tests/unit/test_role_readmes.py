"""Every role's README documents its variables as meta/argument_specs.yml declares them (tools/role_docs.py)."""

import importlib.util
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("role_docs", REPO / "tools" / "role_docs.py")
role_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(role_docs)

ROLES = role_docs.roles()


def test_every_role_is_found():
    """The parametrized tests below would pass vacuously if the role lookup found nothing."""
    assert {role.name for role in ROLES} >= {"ci_identity", "ecs_dev", "eks", "helm_release", "iam", "vpc"}


@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_readme_variables_match_argument_specs(role):
    assert (role / "meta" / "argument_specs.yml").is_file(), f"roles/{role.name} has no meta/argument_specs.yml"
    assert (role / "README.md").is_file(), f"roles/{role.name} has no README.md"
    current, wanted = role_docs.updated_readme(role)
    assert current == wanted, (
        f"roles/{role.name}/README.md: the Role Variables section differs from meta/argument_specs.yml; run make docs"
    )


@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_generated_tables_render(role):
    """Each option is one table row of four cells: no description breaks a row with a pipe or a newline."""
    section = role_docs.render(role / "meta" / "argument_specs.yml")
    tokens = MarkdownIt("commonmark").enable("table").parse(section)
    rendered = []
    for start, token in enumerate(tokens):
        if token.type == "tr_open":
            end = next(j for j in range(start, len(tokens)) if tokens[j].type == "tr_close")
            rendered.append([t.content for t in tokens[start:end] if t.type == "inline"])
    written = [
        [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        for line in section.splitlines()
        if line.startswith("| ")
    ]
    # A raw pipe would split a row in the source; the renderer would silently drop the extra cell.
    assert all(len(row) == 4 for row in written), f"roles/{role.name}: a row is not four cells"
    assert rendered == written, f"roles/{role.name}: the tables do not render as written"
    assert len(written) > section.count("\n### "), f"roles/{role.name}: a table without rows"


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("C(helm) from PATH", "`helm` from PATH"),
        ("V(present) converges, V(absent) removes.", "`present` converges, `absent` removes."),
        ("With O(registry_state=absent), delete", "With `registry_state=absent`, delete"),
        ("O(ansible.builtin.copy#module:dest)", "`dest`"),
        ("the P(teamf.platform.vpc#role) role's C(vpc_id)", "the `teamf.platform.vpc` role's `vpc_id`"),
        ("with M(kubernetes.core.helm): local", "with `kubernetes.core.helm`: local"),
        ("I(never) and B(always)", "never and always"),
        ("RV(changed) and E(HOME)", "`changed` and `HOME`"),
        ("see U(https://example.com/x)", "see <https://example.com/x>"),
        ("see L(the docs, https://example.com/x)", "see [the docs](https://example.com/x)"),
        ("V([auth-api, users-api])", "`[auth-api, users-api]`"),
        ("C(${ECR_REGISTRY}) and C(oci://)", "`${ECR_REGISTRY}` and `oci://`"),
        (r"C(a\)b)", "`a)b`"),
        ("C(a`b)", "`` a`b ``"),
        ("ECS (EC2) and AB(c) stay", "ECS (EC2) and AB(c) stay"),
        ("O(helm_release_releases[].chart_repo_url)", "`helm_release_releases[].chart_repo_url`"),
    ],
    ids=[
        "code",
        "value",
        "option-with-value",
        "option-of-another-plugin",
        "plugin",
        "module",
        "italic-bold-plain",
        "return-value-env",
        "url",
        "link",
        "brackets-inside",
        "dollar-braces",
        "escaped-paren",
        "backtick-inside",
        "not-markup",
        "list-option",
    ],
)
def test_markup_to_markdown(text, markdown):
    assert role_docs.markup_to_markdown(text) == markdown


def _write_role(tmp_path: Path, specs: str) -> Path:
    (tmp_path / "meta").mkdir(parents=True)
    (tmp_path / "meta" / "argument_specs.yml").write_text(specs)
    return tmp_path / "meta" / "argument_specs.yml"


def test_render_table(tmp_path):
    """Aliased entry points once, choices and elements in the type, pipes escaped, suboptions as parent.child."""
    specs = _write_role(
        tmp_path,
        """
argument_specs:
  main: &spec
    short_description: Demo
    options:
      demo_mode:
        description: V(a) or V(b|c), in C(x | y).
        type: str
        choices: [a, "b|c"]
        default: a
      demo_items:
        description: [First line., Second line.]
        type: list
        elements: dict
        required: true
        options:
          name: {description: Item name., type: str, required: true}
          size: {description: Size., type: int, default: 2}
      demo_extra: {description: Optional., type: dict}
      demo_flags: {description: Flags., type: list, elements: str, default: [x, y]}
      demo_empty: {description: Empty., type: str, default: ""}
  validate: *spec
  other:
    options:
      demo_on: {description: On., type: bool, default: true}
""",
    )
    assert role_docs.render(specs) == "\n".join(
        [
            role_docs.BEGIN,
            "",
            "### Entry points `main`, `validate`",
            "",
            "Demo.",
            "",
            "| variable | type | required / default | description |",
            "|---|---|---|---|",
            r"| `demo_mode` | `str`: `a`, `b\|c` | `a` | `a` or `b\|c`, in `x \| y`. |",
            "| `demo_items` | `list` of `dict` | required | First line. Second line. |",
            "| `demo_items.name` | `str` | required | Item name. |",
            "| `demo_items.size` | `int` | `2` | Size. |",
            "| `demo_extra` | `dict` | optional | Optional. |",
            "| `demo_flags` | `list` of `str` | `[x, y]` | Flags. |",
            '| `demo_empty` | `str` | `""` | Empty. |',
            "",
            "### Entry point `other`",
            "",
            "| variable | type | required / default | description |",
            "|---|---|---|---|",
            "| `demo_on` | `bool` | `true` | On. |",
            "",
            role_docs.END,
        ]
    )


def test_stale_readme_is_reported(tmp_path):
    role = tmp_path / "demo"
    specs = _write_role(role, "argument_specs:\n  main:\n    options:\n      demo_x: {description: X., type: str}\n")
    (role / "README.md").write_text(
        f"# demo\n\nHand-written.\n\n{role_docs.BEGIN}\n| old |\n{role_docs.END}\n\nMore.\n"
    )
    current, wanted = role_docs.updated_readme(role)
    assert current != wanted
    assert wanted == f"# demo\n\nHand-written.\n\n{role_docs.render(specs)}\n\nMore.\n"


def test_readme_without_markers_is_an_error(tmp_path):
    role = tmp_path / "demo"
    _write_role(role, "argument_specs:\n  main:\n    options: {}\n")
    (role / "README.md").write_text("# demo\n\n## Role Variables\n")
    with pytest.raises(ValueError, match=r"README\.md: needs exactly one"):
        role_docs.updated_readme(role)
