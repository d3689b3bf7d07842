# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How the collection's AWS modules retry (plugins/module_utils/retries.py)."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
notes:
  - Calls AWS answers with throttling (C(ThrottlingException), C(Throttling), C(RequestLimitExceeded), ...),
    a server error (HTTP 500, 502, 503, 504) or a connection error are retried with jittered exponential
    backoff, at most 20 seconds apart, up to 10 attempts per call (or what O(aws_config) sets as
    C(retries.total_max_attempts)); waiters retry each poll. botocore's own retries are off for these
    clients, so that bound holds.
  - Each retry is written to the module log and listed in RV(aws_retries), which C(-v) shows; an entry names the
    AWS C(service) (client) and C(operation), the C(error) code (or botocore exception) that was retried, the
    C(attempt) that failed (from 1) and the C(delay) slept before the next one; C(gave_up=true) marks the
    last attempt of a call that failed every time.
"""
