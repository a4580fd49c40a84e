"""``cxo-sim app``: serve the teaching app (:mod:`cxo_sim.app`) in the browser.

Covered by ``tests/test_app_host.py``.
"""

from __future__ import annotations

import argparse

from cxo_sim.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim app`` and its options to the sub-commands."""
    parser = sub.add_parser("app", help="serve the teaching app in the browser")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 opens the app "
        "to the network, for a classroom)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """Serve the app; without the app extra, say how to install it."""
    try:
        from cxo_sim.app import serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] == "cxo_sim":
            raise
        raise UserError(
            f"the app needs {exc.name}, which the app extra installs: pip install 'cxo-sim[app]'"
        ) from None

    serve(host=args.host, port=args.port)
