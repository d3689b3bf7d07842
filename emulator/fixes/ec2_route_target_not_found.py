"""EC2 CreateRoute and ReplaceRoute: refuse a NAT gateway that does not exist, and check before replacing.

moto looks a route's NAT gateway up with ``dict.get``: CreateRoute and ReplaceRoute with an unknown
``NatGatewayId`` succeed and leave a route with no target at all (DescribeRouteTables shows only the
destination). ReplaceRoute also clears the route's current target before it looks the new internet
gateway up, so a ReplaceRoute that moto refuses (``InvalidInternetGatewayID.NotFound``) still leaves
the route without a target. AWS refuses both requests and changes nothing: the NAT gateway must exist
(``InvalidNatGatewayID.NotFound``, "The specified NAT gateway does not exist",
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), as for CreateRoute's and
ReplaceRoute's other targets (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRoute.html).

The fix checks the NAT gateway (and, for ReplaceRoute, the internet gateway) before moto's own code
runs, raising the error AWS answers; valid requests reach moto unchanged.
"""

import inspect

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.route_tables import RouteBackend

from emulator.fixes import require


class InvalidNatGatewayIdError(EC2ClientError):
    def __init__(self, nat_gateway_id: str):
        super().__init__("InvalidNatGatewayID.NotFound", f"The natGateway ID '{nat_gateway_id}' does not exist")


def _check_nat_gateway(backend, nat_gateway_id):
    if nat_gateway_id is not None and nat_gateway_id not in backend.nat_gateways:
        raise InvalidNatGatewayIdError(nat_gateway_id)


def apply() -> None:
    require(RouteBackend, "create_route", ["route_table_id", "nat_gateway_id"])
    require(RouteBackend, "replace_route", ["route_table_id", "nat_gateway_id", "gateway_id"])
    create_route = RouteBackend.create_route
    replace_route = RouteBackend.replace_route
    if getattr(create_route, "_teamf_fixed", False):
        return

    def checked(original, check_gateway):
        signature = inspect.signature(original)

        def call(self, *args, **kwargs):
            arguments = signature.bind(self, *args, **kwargs).arguments
            _check_nat_gateway(self, arguments.get("nat_gateway_id"))
            gateway_id = arguments.get("gateway_id")
            if check_gateway and gateway_id and gateway_id.startswith("igw-"):
                self.get_internet_gateway(gateway_id)  # raises InvalidInternetGatewayID.NotFound
            return original(self, *args, **kwargs)

        return call

    checked_create_route = checked(create_route, check_gateway=False)
    checked_replace_route = checked(replace_route, check_gateway=True)
    checked_create_route._teamf_fixed = True
    RouteBackend.create_route = checked_create_route
    RouteBackend.replace_route = checked_replace_route
