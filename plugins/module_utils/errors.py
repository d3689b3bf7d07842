# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How our modules report an AnsibleAWSError: the wrapper's message, what it was about, the AWS message."""


def fail_with_context(module, exc, context):
    """Fail ``module`` with ``exc.message (context)``; fail_json_aws adds AWS's own error when there is one."""
    message = f"{exc.message} ({context})"
    if exc.exception:
        module.fail_json_aws(exc.exception, msg=message)
    module.fail_json(msg=message)
