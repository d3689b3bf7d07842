"""teamf.platform inventory_names: misspelt, unknown and missing variables found from the files alone."""

import pytest
from ansible_collections.teamf.platform.plugins.plugin_utils import inventory_names


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("{{ nodegroup_general_scaling }}", {"nodegroup_general_scaling"}, id="bare"),
        pytest.param("{{ iam_role_arns.eks_cluster | default('') }}", set(), id="attribute-defaulted"),
        pytest.param("{{ vpc_subnet_ids_by_tier[eks_subnet_tier] | d([]) }}", {"eks_subnet_tier"}, id="index"),
        pytest.param("{{ [platform_x] if platform_x | default('') | length else [] }}", set(), id="guarded-elsewhere"),
        pytest.param("{% if platform_y is defined %}{{ platform_y }}{% endif %}", set(), id="is-defined"),
        pytest.param("{{ hostvars[h].ci_identity_role_arn }}", set(), id="attribute-of-other"),
        pytest.param("{{ 'platform_quoted' }}", set(), id="string-literal"),
        pytest.param(["{{ vpc_a }}", {"k": "{{ vpc_b }}"}], {"vpc_a", "vpc_b"}, id="nested"),
        pytest.param("plain vpc_cidr text", set(), id="not-a-template"),
        pytest.param("{{ other_prefix }}", set(), id="not-ours"),
    ],
)
def test_required_reads(value, expected):
    assert inventory_names.required_reads(value) == expected


def test_produced_names_are_set_fact_keys():
    tasks = [
        {"name": "a", "ansible.builtin.set_fact": {"vpc_id": "x", "vpc_subnet_ids_by_tier": {}}},
        {"block": [{"set_fact": {"eks_cluster_endpoint": "y"}}], "rescue": [{"ansible.builtin.debug": {"msg": 1}}]},
    ]
    assert inventory_names.produced_names(tasks) == {"vpc_id", "vpc_subnet_ids_by_tier", "eks_cluster_endpoint"}


@pytest.fixture
def inventory(tmp_path):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "group_vars" / "all.yml").write_text("platform_name: teamf\nplatform_region: r\n")
    (tmp_path / "group_vars" / "eks.yml").write_text(
        "nodegroup_groups:\n  - scaling: '{{ nodegroup_general_scaling }}'\n"
    )
    return tmp_path


def write_host(inventory, text):
    (inventory / "host_vars" / "prod.yml").write_text(text)
    return inventory_names.inventory_files(str(inventory), "prod", ["eks", "all"])


KNOWN = {"platform_name", "platform_region", "vpc_cidr", "nodegroup_groups", "nodegroup_general_scaling"}


def test_files_in_precedence_order(inventory):
    files = write_host(inventory, "vpc_cidr: 10.0.0.0/16\n")
    assert [p.relative_to(inventory).as_posix() for p in files] == [
        "group_vars/all.yml",
        "group_vars/eks.yml",
        "host_vars/prod.yml",
    ]


def test_a_valid_inventory_has_no_problems(inventory):
    files = write_host(inventory, "vpc_cidr: 10.0.0.0/16\nnodegroup_general_scaling: {min_size: 1}\n")
    available = set(inventory_names.defined_names(files))
    assert inventory_names.check(files, KNOWN, available, base=str(inventory)) == ([], [])


def test_misspelt_variable_is_an_error_with_the_file_and_the_nearest_name(inventory):
    files = write_host(inventory, "vpc_cidrr: 10.0.0.0/16\nnodegroup_general_scaling: {}\n")
    available = set(inventory_names.defined_names(files))
    errors, warnings = inventory_names.check(files, KNOWN, available, base=str(inventory))
    assert errors == [
        "vpc_cidrr (host_vars/prod.yml) is not a variable the platform reads; did you mean vpc_cidr? Rename it"
    ]
    assert warnings == []


def test_unknown_variable_far_from_any_name_is_a_warning(inventory):
    files = write_host(inventory, "platform_colour: blue\nnodegroup_general_scaling: {}\n")
    errors, warnings = inventory_names.check(
        files, KNOWN, set(inventory_names.defined_names(files)), base=str(inventory)
    )
    assert errors == []
    assert warnings == [
        "platform_colour (host_vars/prod.yml) is not a variable the platform reads; it has no effect "
        "(remove it or fix its name)"
    ]


def test_missing_variable_names_the_template_reading_it_and_the_near_miss(inventory):
    files = write_host(inventory, "nodegroup_general_scalling: {}\n")
    shared, own = files[:2], files[2:]
    errors, _ = inventory_names.check(
        shared, KNOWN, set(inventory_names.defined_names(files)), base=str(inventory), others=own
    )
    assert errors == [
        "nodegroup_groups (group_vars/eks.yml) reads nodegroup_general_scaling, which is not set for this "
        "environment: set it in the environment's host_vars; did you mean nodegroup_general_scalling "
        "(host_vars/prod.yml)?"
    ]
