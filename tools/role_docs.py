"""Render each role's "Role Variables" tables from its meta/argument_specs.yml into its README.

    python tools/role_docs.py            # rewrite the generated section of every roles/*/README.md
    python tools/role_docs.py --check    # exit 1 naming the READMEs whose section is out of date

The generated section sits between BEGIN and END below; everything else in a README is hand-written
and left as it is. A README without the markers is an error, not a place to append to: where the
tables go in the text is the author's choice.

Output is deterministic: entry points and options in the order the spec file lists them, entry
points that share one spec (a YAML anchor and its aliases) rendered once under all their names.
"""

import argparse
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BEGIN = "<!-- BEGIN generated from meta/argument_specs.yml: make docs -->"
END = "<!-- END generated -->"

# Ansible's markup (https://docs.ansible.com/ansible/latest/dev_guide/ansible_markup.html): the
# semantic and code ones become code spans, emphasis becomes plain text, links become links.
_CODE = ("C", "V", "O", "RV", "E", "M", "P")
_MARKUP = re.compile(r"\b(RV|[CVOEMPIBUL])\(((?:\\.|[^\\)])*)\)")
_UNESCAPE = re.compile(r"\\(.)")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _convert(match: re.Match) -> str:
    kind, body = match.group(1), _UNESCAPE.sub(r"\1", match.group(2))
    if kind == "P":
        # P(namespace.collection.name#type): the type is what the surrounding sentence says.
        return _code(body.split("#", 1)[0])
    if kind in ("O", "RV"):
        # O(ansible.builtin.copy#module:dest=x) names another plugin's option: keep only the option.
        body = body.rsplit(":", 1)[-1] if "#" in body else body
        return _code(body)
    if kind in _CODE:
        return _code(body)
    if kind == "U":
        return f"<{body}>"
    if kind == "L":
        text, _, url = body.rpartition(",")
        return f"[{text.strip()}]({url.strip()})"
    return body  # I(), B()


def markup_to_markdown(text: str) -> str:
    """Ansible markup in ``text`` as Markdown: C(x), V(x), O(x), P(x#role), M(x) -> `x`; I(x), B(x) -> x."""
    return _MARKUP.sub(_convert, text.replace("HORIZONTALLINE", " "))


def _cell(text: str) -> str:
    """Text that stays inside one Markdown table cell: one line, pipes escaped (also inside code spans)."""
    return " ".join(text.split()).replace("|", "\\|")


def _description(option: dict) -> str:
    description = option.get("description", "")
    paragraphs = [description] if isinstance(description, str) else description
    return _cell(" ".join(markup_to_markdown(str(p)) for p in paragraphs))


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return '""'
    if isinstance(value, list | dict):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**9).strip()
    return str(value)


def _type(option: dict) -> str:
    kind = option.get("type", "str")
    text = f"`{kind}` of `{option['elements']}`" if "elements" in option else f"`{kind}`"
    if "choices" in option:
        text += ": " + ", ".join(_code(_value(choice)) for choice in option["choices"])
    return _cell(text)


def _requirement(option: dict) -> str:
    if option.get("required"):
        return "required"
    if "default" in option:
        return _cell(_code(_value(option["default"])))
    return "optional"


def _rows(options: dict, parent: str = "") -> list[str]:
    rows = []
    for name, option in options.items():
        option = option or {}
        full = f"{parent}.{name}" if parent else name
        rows.append(f"| `{full}` | {_type(option)} | {_requirement(option)} | {_description(option)} |")
        rows.extend(_rows(option.get("options") or {}, full))
    return rows


def render(specs_file: Path) -> str:
    """The generated section (markers included) for one role's argument_specs.yml."""
    specs = yaml.safe_load(specs_file.read_text())["argument_specs"]
    groups: list[tuple[list[str], dict]] = []
    for entry_point, spec in specs.items():
        # Aliases load as the very same object; an identical copy is the same contract too.
        same = next((names for names, other in groups if other is spec or other == spec), None)
        if same is not None:
            same.append(entry_point)
        else:
            groups.append(([entry_point], spec))
    lines = [BEGIN, ""]
    for names, spec in groups:
        title = ", ".join(f"`{name}`" for name in names)
        plural = "Entry points" if len(names) > 1 else "Entry point"
        lines += [f"### {plural} {title}", ""]
        if spec.get("short_description"):
            lines += [markup_to_markdown(" ".join(spec["short_description"].split())) + ".", ""]
        lines += ["| variable | type | required / default | description |", "|---|---|---|---|"]
        lines += _rows(spec.get("options") or {})
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def generated_section(readme_text: str, readme: Path) -> tuple[int, int]:
    """Start and end offsets of the marked section (markers included) in ``readme_text``."""
    start, end = readme_text.find(BEGIN), readme_text.find(END)
    if start < 0 or end < start or readme_text.count(BEGIN) != 1 or readme_text.count(END) != 1:
        raise ValueError(f"{readme}: needs exactly one {BEGIN!r} ... {END!r} pair, in that order")
    return start, end + len(END)


def updated_readme(role: Path) -> tuple[str, str]:
    """The README's current text and the text it should have."""
    readme = role / "README.md"
    text = readme.read_text()
    start, end = generated_section(text, readme)
    return text, text[:start] + render(role / "meta" / "argument_specs.yml") + text[end:]


def roles(repo: Path = REPO) -> list[Path]:
    return sorted(path.parent for path in (repo / "roles").glob("*/tasks"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a README is stale")
    args = parser.parse_args(argv)
    stale = []
    for role in roles():
        current, wanted = updated_readme(role)
        if current == wanted:
            continue
        stale.append(role.name)
        if not args.check:
            (role / "README.md").write_text(wanted)
            print(f"updated roles/{role.name}/README.md")
    if args.check and stale:
        print(f"out of date (run make docs): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
