"""`carebridge audit verify [--expect-head HEAD]` and `carebridge audit head`."""

from __future__ import annotations

import argparse
import sys


def _verify(args: argparse.Namespace) -> int:
    from carebridge.audit import service
    from carebridge.db import session_scope

    from carebridge.audit import chain

    if args.expect_head:
        try:
            chain.parse_head(args.expect_head)
        except ValueError:
            print("--expect-head: not an audit head (the line `carebridge audit head` printed)", file=sys.stderr)
            return 2
    with session_scope() as session:
        result = service.verify(session, expect_head=args.expect_head)
    if result.ok:
        print(f"audit trail intact: {result.intact} events in {len(result.heads)} stripes; head {result.head}")
        return 0
    for broken in result.breaks:
        print(f"audit trail BROKEN at stripe {broken.stripe} event {broken.stripe_seq} ({broken.problem}): "
              f"{broken.message}.", file=sys.stderr)
    print(f"intact events (before each stripe's first break): {result.intact}", file=sys.stderr)
    return 1


def _head(_args: argparse.Namespace) -> int:
    from carebridge.audit import service
    from carebridge.db import session_scope

    with session_scope() as session:
        print(service.head(session))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="the tamper-evident audit trail").add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser(
        "verify", help="check every stripe's hash chain; exit 1 naming the first broken event of each"
    )
    verify.add_argument(
        "--expect-head",
        metavar="HEAD",
        help="a head kept earlier (the line `carebridge audit head` printed): every stripe head it names must still "
        "be in its stripe",
    )
    verify.set_defaults(func=_verify)
    audit.add_parser("head", help="print the trail's head (combined hash and each stripe's head) as one line to keep elsewhere").set_defaults(
        func=_head
    )
