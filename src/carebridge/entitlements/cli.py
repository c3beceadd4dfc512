import argparse


def register(commands: argparse._SubParsersAction) -> None:  # noqa: SLF001
    commands.add_parser("entitlements", help="entitlement rules (being built)")
