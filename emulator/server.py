"""Process entry point: apply the fidelity fixes, then serve moto on host:port.

Run by the launcher in its own session; not meant to be started by hand.
"""

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.server")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    # Must be set before moto.iam is imported: AWS managed policies (AmazonEKSClusterPolicy, ...)
    # are only loaded into new IAM backends when this is on.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    os.environ.setdefault("MOTO_PORT", str(args.port))

    from moto import server as moto_server

    from emulator import fixes

    fixes.apply_all()
    moto_server.main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
