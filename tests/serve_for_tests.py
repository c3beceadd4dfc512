"""A real uvicorn server for tests/test_server.py: the app as `carebridge serve` runs it, with three test routes.

Run as `python tests/serve_for_tests.py PORT`; never collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import Request

from carebridge.app import create_app
def uvicorn_options(): return {"access_log": False, "proxy_headers": True}

app = create_app()


@app.get("/api/v1/test-explode")
async def explode_api(postcode: str) -> None:
    # What a person typed ends up in an exception's message: it must not reach any log.
    raise ValueError(f"could not read {postcode}")


@app.get("/test-explode")
async def explode_page(postcode: str) -> None:
    raise KeyError(postcode)


@app.get("/api/v1/test-explode/{postcode}")
async def explode_in_path(postcode: str) -> None:
    raise RuntimeError(f"no such place: {postcode}")


@app.post("/api/v1/test-body-size")
async def body_size(request: Request) -> dict[str, int]:
    return {"size": len(await request.body())}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), **uvicorn_options())
