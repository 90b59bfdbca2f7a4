"""Markdown injection through links, in a real browser (#18 item 5).

A warning that quotes ``[x](http://127.0.0.1:1/x)`` or ``![x](http://127.0.0.1:1/x.png)``
shows the text as typed: no link element (not even for the bare URL inside it), no
image element, and no request to that address. The page fixture fails on requests that
leave loopback, but 127.0.0.1 *is* loopback, so this test watches for the payload's own
address itself.
"""

from __future__ import annotations

from urllib.parse import quote as url_quote

from dashboard.scaffold import WORD_JOINER
from tests.browser_harness import wait_for_script

TARGET = "127.0.0.1:1"
LINK = f"[Session expired - sign in again](http://{TARGET}/x)"
IMAGE = f"![x](http://{TARGET}/x.png)"
TICKS = f"``[y](http://{TARGET}/y)``"


def test_a_warning_quoting_a_link_renders_no_link_and_fetches_nothing(server, page):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if TARGET in r.url else None)
    query = "&".join(
        f"{name}={url_quote(value, safe='')}"
        for name, value in (("ics", LINK), ("view", IMAGE), ("bands", TICKS))
    )
    page.goto(f"{server}/tiers?{query}")
    page.wait_for_selector("h1", timeout=90_000)
    wait_for_script(page, 120_000)
    alerts = page.locator('[data-testid="stAlert"]')
    # The word joiner quote() adds after "http" is invisible; it is left out here.
    texts = [alerts.nth(i).inner_text().replace(WORD_JOINER, "") for i in range(alerts.count())]
    # Each value is named, character for character, as text.
    for value in (LINK, IMAGE, TICKS):
        assert any(value in text for text in texts), (value, texts)
    main = page.locator('[data-testid="stMain"]')
    # Not even the bare URL inside the text becomes a link (GitHub-flavoured markdown
    # links bare URLs whatever is escaped; quote() puts an invisible word joiner in).
    links = main.locator(f'a[href*="{TARGET}"]')
    assert links.count() == 0, [
        links.nth(i).evaluate("e => e.parentElement.outerHTML") for i in range(links.count())
    ]
    assert main.locator(f'img[src*="{TARGET}"]').count() == 0
    # A code span would need a backtick left bare; the quoted value has none.
    assert alerts.locator("code").count() == 0
    page.wait_for_timeout(1000)  # an image would have been asked for by now
    assert fetched == []
