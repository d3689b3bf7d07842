"""fail_with_context: the AWS error when there is one, always the context the module names."""

import pytest
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context


class Stop(Exception):
    pass


class FakeModule:
    def __init__(self):
        self.calls = []

    def fail_json_aws(self, exception, msg):
        self.calls.append(("fail_json_aws", exception, msg))
        raise Stop

    def fail_json(self, msg):
        self.calls.append(("fail_json", None, msg))
        raise Stop


CAUSE = ValueError("An error occurred (InvalidParameterException)")


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (CAUSE, ("fail_json_aws", CAUSE, "Failed to create add-on (cluster teamf-prod)")),
        (None, ("fail_json", None, "Failed to create add-on (cluster teamf-prod)")),
    ],
)
def test_reports_message_with_context(exception, expected):
    module, error = FakeModule(), AnsibleAWSError(message="Failed to create add-on", exception=exception)
    with pytest.raises(Stop):
        fail_with_context(module, error, "cluster teamf-prod")
    assert module.calls == [expected]
