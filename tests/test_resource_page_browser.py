"""A resource page in a real headless Chromium: what a person sees, and that nothing leaves the server."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.conftest import Server
from tests.test_ui import DevTools, _assert_stayed_home, browser, needs_chromium

__all__ = ["browser"]  # the fixture, shared with the query page's tests


@needs_chromium
def test_an_institution_page_in_a_browser(server: Server, browser: DevTools, tmp_path: Path) -> None:
    browser.send("Network.setExtraHTTPHeaders", headers={"Accept-Language": "vi,en;q=0.5"})
    browser.navigate(server.url + "/id/organization/vnu-hanoi")
    title = browser.wait_for(
        "document.querySelector('h1#title') && document.querySelector('h1#title').innerText"
    )
    assert title == "Đại học Quốc gia Hà Nội"  # the label in the reader's language, not the IRI
    assert browser.evaluate("document.documentElement.lang") == "vi"
    # the stylesheet applied: the header is drawn in the project's colour
    colour = browser.evaluate("getComputedStyle(document.querySelector('.cg-header')).backgroundColor")
    assert colour == "rgb(23, 50, 77)"
    incoming = browser.evaluate("document.querySelectorAll('table.incoming a').length")
    assert incoming > 5
    # follow a link as a user would: to the country, a vocabulary concept, by its label
    browser.click("a[href$='/vocab/country/vn']")
    browser.wait_for("location.pathname === '/vocab/country/vn' && document.readyState === 'complete'")
    assert browser.wait_for(
        "document.querySelector('h1#title') && document.querySelector('h1#title').innerText"
    )
    screenshot = tmp_path / "resource-page.png"
    screenshot.write_bytes(base64.b64decode(browser.send("Page.captureScreenshot", format="png")["data"]))
    print(f"screenshot: {screenshot}")
    _assert_stayed_home(browser, server)
