"""benchmarks/vs_terraform.py: the pure parts (state counting, recap parsing, medians, the table)."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "vs_terraform.py"
_spec = importlib.util.spec_from_file_location("vs_terraform", SCRIPT)
vs = importlib.util.module_from_spec(_spec)
sys.modules["vs_terraform"] = vs  # dataclasses look their module up while the script loads
_spec.loader.exec_module(vs)

STATE_LIST = """\
data.aws_caller_identity.current
data.aws_iam_policy_document.irsa_trust["aws-for-fluent-bit"]
aws_eks_cluster.this
aws_iam_role_policy_attachment.irsa["aws-for-fluent-bit/arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
aws_iam_role_policy_attachment.service["eks-cluster/AmazonEKSClusterPolicy"]
aws_subnet.this["private-app-a"]
aws_subnet.this["public-c"]
module.network.aws_vpc.this
module.network.module.inner.data.aws_region.current
module.network.module.inner.aws_route.private["a"]

"""


def test_state_list_counts_resources_by_type_without_data_sources():
    assert vs.count_state_list(STATE_LIST) == {
        "aws_eks_cluster": 1,
        "aws_iam_role_policy_attachment": 2,
        "aws_route": 1,
        "aws_subnet": 2,
        "aws_vpc": 1,
    }


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        pytest.param("PLAY RECAP ***\nprod                       : ok=117  changed=0    unreachable=0", 0, id="no-op"),
        pytest.param("PLAY RECAP ***\nprod : ok=117  changed=26   unreachable=0", 26, id="converge"),
        pytest.param("staging : ok=3  changed=4\nprod : ok=5  changed=1", 1, id="other-hosts"),
        pytest.param("ERROR! the playbook could not be found", None, id="no-recap"),
    ],
)
def test_recap_changed(output, expected):
    assert vs.recap_changed(output) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [([3.0, 1.0, 2.0], 2.0), ([4.0, None, 2.0], 3.0), ([None, None], None), ([], None)],
    ids=["odd", "failed-run-left-out", "all-failed", "none"],
)
def test_median_leaves_out_failed_runs(values, expected):
    assert vs.median(values) == expected


def _trial(tool, wall, ok=True):
    run = {"ok": ok, "wall_s": wall, "cpu_s": wall / 2, "emulator_cpu_s": wall / 4, "api_calls": int(wall * 2)}
    return {"tool": tool, "phases": {"converge": run}}


def test_summarize_takes_medians_of_successful_runs_only():
    trials = [_trial("terraform", 60), _trial("ours", 200), _trial("terraform", 80), _trial("ours", 900, ok=False)]
    trials.append(_trial("ours", 240))
    medians = vs.summarize(trials)
    assert medians["terraform"]["converge"] == {"wall_s": 70, "cpu_s": 35, "emulator_cpu_s": 17.5, "api_calls": 140}
    assert medians["ours"]["converge"]["wall_s"] == 220


def test_table_has_the_issue_layout_and_ratios_ours_over_terraform():
    medians = {
        "terraform": {
            "converge": {"wall_s": 69, "cpu_s": 28, "emulator_cpu_s": 8.0, "api_calls": 191},
            "noop": {"wall_s": 46, "cpu_s": 21, "emulator_cpu_s": 4.0, "api_calls": 78},
        },
        "ours": {
            "converge": {"wall_s": 252, "cpu_s": 89, "emulator_cpu_s": 9.0, "api_calls": 220},
            "noop": {"wall_s": None, "cpu_s": None, "emulator_cpu_s": None, "api_calls": None},
        },
    }
    table = vs.format_table(medians, 3, "Terraform 1.11", "site.yml")
    assert table.splitlines() == [
        "| phase (medians of 3 interleaved trials) | Terraform 1.11 | site.yml | ratio |",
        "|---|---|---|---|",
        "| first converge, wall / controller CPU | 69 s / 28 s | 252 s / 89 s | 3.65\u00d7 / 3.18\u00d7 |",
        "| no-op rerun (`terraform plan`), wall / controller CPU | 46 s / 21 s | - / - | - / - |",
        "| emulator CPU: converge / noop | 8.0 s / 4.0 s | 9.0 s / - | 1.12\u00d7 / - |",
        "| AWS API calls: converge / noop | 191 / 78 | 220 / - | 1.15\u00d7 / - |",
    ]


def test_counts_table_lists_every_type_of_every_source():
    table = vs.format_counts(
        {"terraform state list": {"aws_vpc": 1, "aws_subnet": 6}, "emulator after ours": {"aws_vpc": 1}}
    )
    assert table.splitlines() == [
        "| resource type | terraform state list | emulator after ours |",
        "|---|---|---|",
        "| `aws_subnet` | 6 | 0 |",
        "| `aws_vpc` | 1 | 1 |",
        "| **total** | 7 | 1 |",
    ]
