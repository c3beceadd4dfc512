"""`carebridge audit verify [--expect-head HASH]` and `carebridge audit head`."""

from __future__ import annotations

import argparse
import sys


def _verify(args: argparse.Namespace) -> int:
    from carebridge.audit import service
    from carebridge.db import session_scope

    with session_scope() as session:
        result = service.verify(session, expect_head=args.expect_head)
    if result.ok:
        print(f"audit trail intact: {result.intact} events; head {result.head_seq} {result.head_hash}")
        return 0
    assert result.broken is not None
    print(
        f"audit trail BROKEN at event {result.broken.seq} ({result.broken.problem}): {result.broken.message}. "
        f"{result.intact} events before it are intact.",
        file=sys.stderr,
    )
    return 1


def _head(_args: argparse.Namespace) -> int:
    from carebridge.audit import service
    from carebridge.db import session_scope

    with session_scope() as session:
        seq, hash_ = service.head(session)
    print(f"{seq} {hash_}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="the tamper-evident audit trail").add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser(
        "verify", help="check the whole hash chain; exit 1 naming the first broken event"
    )
    verify.add_argument(
        "--expect-head",
        metavar="HASH",
        help="a head hash kept earlier (`carebridge audit head`): it must still be in the chain",
    )
    verify.set_defaults(func=_verify)
    audit.add_parser("head", help="print the latest event's sequence number and hash, to keep elsewhere").set_defaults(
        func=_head
    )
