"""ELBv2 Application Load Balancers report ``idle_timeout.timeout_seconds`` (default 60).

What moto does: leaves the attribute out of DescribeLoadBalancerAttributes (the default is
commented out in moto for Terraform's sake); it can be set, but until then it is missing, and
amazon.aws ``elb_application_lb`` with ``idle_timeout`` fails reading the current value.

What AWS documents: for Application Load Balancers, ``idle_timeout.timeout_seconds`` is "The idle
timeout value, in seconds. The valid range is 1-4000 seconds. The default is 60 seconds.":
https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html

What the fix changes: new application load balancers start with the attribute at ``60``;
ModifyLoadBalancerAttributes rejects values outside 1-4000 as AWS does.
"""

from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer

ATTRIBUTE = "idle_timeout.timeout_seconds"


def apply() -> None:
    original_init = FakeLoadBalancer.__init__
    if getattr(original_init, "_teamf_fixed", False):
        return
    original_modify = ELBv2Backend.modify_load_balancer_attributes

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if self.type == "application":
            self.attrs.setdefault(ATTRIBUTE, "60")

    def modify_load_balancer_attributes(self, arn, attrs):
        if ATTRIBUTE in attrs:
            value = str(attrs[ATTRIBUTE])
            if not value.isdigit() or not 1 <= int(value) <= 4000:
                raise ELBClientError(
                    "ValidationError",
                    f"'{value}' is not a valid value for {ATTRIBUTE}; it must be an integer from 1 to 4000",
                )
        return original_modify(self, arn, attrs)

    __init__._teamf_fixed = True
    FakeLoadBalancer.__init__ = __init__
    ELBv2Backend.modify_load_balancer_attributes = modify_load_balancer_attributes
