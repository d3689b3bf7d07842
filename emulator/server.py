"""Process entry point: apply the fidelity fixes, then serve moto on host:port.

Run by the launcher in its own session; not meant to be started by hand. moto's application is
served wrapped in ``emulator.faults.FaultMiddleware`` (fault injection, off unless
``TEAMF_EMULATOR_FAULTS`` or ``/moto-api/teamf/faults`` turns it on).
"""

import argparse
import os
import signal
import sys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.server")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    # Must be set before moto.iam is imported: AWS managed policies (AmazonEKSClusterPolicy, ...)
    # are only loaded into new IAM backends when this is on.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    os.environ.setdefault("MOTO_PORT", str(args.port))

    from emulator import faults

    try:
        fault_config = faults.config_from_environment()
    except faults.FaultConfigError as exc:
        sys.exit(f"{faults.ENV}: {exc}")

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    from emulator import fixes

    try:
        fixes.apply_all()
    except fixes.FixError as exc:
        sys.exit(f"emulator: {exc}")
    # What moto.server.main does, with moto's application wrapped in the fault middleware.
    app = faults.install(DomainDispatcherApplication(create_backend_app), fault_config)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
