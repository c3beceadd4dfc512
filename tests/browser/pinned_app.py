"""The app for the browser tests' live server, with kit.clock pinned at the tests' fixed moment.

The live server is its own process, so the autouse fixture of tests/conftest.py does not reach it; the moment comes
in CAREBRIDGE_TEST_FIXED_NOW (set by tests/browser/conftest.py from FIXED_NOW). Test code only: the server that
`carebridge serve` runs always reads the real clock.
"""

from __future__ import annotations

import datetime as dt
import os

from carebridge.app import create_app as create_carebridge_app
from carebridge.kit import clock


def create_app():  # noqa: ANN201
    clock.pin(dt.datetime.fromisoformat(os.environ["CAREBRIDGE_TEST_FIXED_NOW"]))
    return create_carebridge_app()
