# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: age
short_description: How long ago a time was, as an operator reads it (42s, 5m, 3h 10m, 2d 4h)
version_added: 0.4.0
description:
  - Takes a time as AWS APIs return it through the collections (ISO 8601, C(2026-12-02T07:52:42.324000+00:00)),
    as Helm reports a release's last deployment (C(2026-12-02 07:52:42.123456789 +0000 UTC)), or in epoch
    milliseconds, and says how long before O(now) it was.
options:
  _input:
    description: The time.
    type: raw
    required: true
  now:
    description: The time to count from (same forms); the current time when not set.
    type: raw
"""

EXAMPLES = r"""
- name: Age of a deployment
  ansible.builtin.debug:
    msg: "deployed {{ service.deployments[0].createdAt | teamf.platform.age }} ago"
"""

RETURN = r"""
_value:
  description: The age, two units at most (C(42s), C(5m 3s), C(3h 10m), C(2d 4h)); C(0s) for a time in the future.
  type: string
"""

import re
from datetime import UTC, datetime

from ansible.errors import AnsibleFilterError

# Helm: "2026-12-02 07:52:42.123456789 +0000 UTC" (Go's time.String()).
HELM_TIME = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? ([+-]\d{4})(?: \w+)?$")
UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def parse_time(value, argument="_input"):
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    text = str(value).strip()
    helm = HELM_TIME.match(text)
    if helm:
        date, clock, fraction, offset = helm.groups()
        text = f"{date}T{clock}.{(fraction or '0')[:6]}{offset[:3]}:{offset[3:]}"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AnsibleFilterError(
            f"age: {argument} {value!r} is not a time (ISO 8601, Helm's '2026-12-02 07:52:42 +0000 UTC' or epoch ms)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def age(value, now=None):
    then = parse_time(value)
    current = parse_time(now, "now") if now is not None else datetime.now(UTC)
    seconds = max(int((current - then).total_seconds()), 0)
    parts = []
    for unit, size in UNITS:
        if seconds >= size or (unit == "s" and not parts):
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
        if len(parts) == 2 or (parts and seconds == 0):
            break
    return " ".join(parts)


class FilterModule:
    def filters(self):
        return {"age": age}
