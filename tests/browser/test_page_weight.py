"""Every public finder page costs at most 100 KB over the wire: the HTML and everything it makes a browser load
(stylesheets, scripts, images, fonts), gzip-compressed as the server sends it. No browser needed."""

from __future__ import annotations

import pytest

BUDGET_BYTES = 100 * 1024


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_page_is_within_the_budget(live_server: str, finder_pages: dict[str, str], transferred_bytes, lang: str) -> None:  # noqa: ANN001
    report = []
    for name, path in finder_pages.items():
        url = f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}"
        sizes = transferred_bytes(url)
        total = sum(sizes.values())
        report.append((name, total, sizes))
        assert total <= BUDGET_BYTES, f"{name} ({url}) transfers {total} bytes: {sizes}"
    print("\n".join(f"{lang} {name}: {total / 1024:.1f} KB" for name, total, _sizes in report))


def test_pages_are_compressed(live_server: str, finder_pages: dict[str, str]) -> None:
    import urllib.request

    for path in (finder_pages["results"], "/static/css/site.css"):
        request = urllib.request.Request(f"{live_server}{path}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            assert response.headers.get("Content-Encoding") == "gzip", path
