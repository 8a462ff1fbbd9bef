"""python -m autocomplete.lsp: the language server over stdio (see frontends/lsp)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from autocomplete.frontends.lsp.server import NAME, VERSION


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=NAME,
        description="Portuguese next-word suggestions for any editor with an LSP client (stdio).",
    )
    parser.add_argument("--version", action="version", version=f"{NAME} {VERSION}")
    parser.add_argument("--log-level", default="WARNING", help="stderr logging (default WARNING)")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper())
    protocol = _claim_stdout()

    from autocomplete.frontends.lsp.server import build_server

    build_server().start_io(sys.stdin.buffer, protocol)
    return 0


def _claim_stdout():
    """stdout carries protocol messages only: keep a private handle on it and point file
    descriptor 1 and sys.stdout at stderr, so a stray print, even from C code, corrupts
    nothing."""
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return protocol


if __name__ == "__main__":
    sys.exit(main())
