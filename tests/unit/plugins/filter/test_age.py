"""teamf.platform.age: how long ago a time was, from the forms AWS and Helm report."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.age import age

NOW = "2026-12-02T08:00:00+00:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2026-12-02T07:59:18.324000+00:00", "41s", id="iso-seconds"),
        pytest.param("2026-12-02T07:55:00Z", "5m", id="iso-z-minutes"),
        pytest.param("2026-12-02T07:54:57+00:00", "5m 3s", id="two-units"),
        pytest.param("2026-12-02 04:49:59.123456789 +0000 UTC", "3h 10m", id="helm"),
        pytest.param("2026-12-02 17:00:00 +0900 KST", "0s", id="helm-offset-same-instant"),
        pytest.param("2026-11-30T04:00:00", "2d 4h", id="naive-is-utc"),
        pytest.param(1796198400000 - 90_000, "1m 30s", id="epoch-ms"),
        pytest.param("2026-12-02T09:00:00+00:00", "0s", id="future"),
        pytest.param("2026-12-01T08:00:00+00:00", "1d", id="exact-day"),
    ],
)
def test_age(value, expected):
    assert age(value, now=NOW) == expected


@pytest.mark.parametrize("value", ["yesterday", "", "2026-13-40"])
def test_bad_time_names_the_argument_and_value(value):
    with pytest.raises(AnsibleFilterError, match=rf"age: _input '{value}' is not a time"):
        age(value, now=NOW)
