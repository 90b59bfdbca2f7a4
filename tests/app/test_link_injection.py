"""Markdown injection through links (#18 item 5): every value a link echoes is text.

A corpus of hostile link values (a markdown link, an image, backticks that would close a
code span, an autolink and a bare URL) is put in every link parameter of every page.
The pages must name the bad value in a warning, and no markdown element may carry it in
a form that renders as a link, an image or code: every echo goes through
:func:`dashboard.scaffold.quote`, which escapes markdown punctuation, so the raw host
``127.0.0.1:1`` can never appear unescaped in any markdown the page sends.
"""

from __future__ import annotations

import re

import pytest

from dashboard.scaffold import WORD_JOINER, plain, quote
from tests.app.apptest import run_page

HOST = "127.0.0.1:1"
#: The corpus: what an attacker would put in a link parameter.
PAYLOADS = {
    "link": f"[Session expired - sign in again](http://{HOST}/x)",
    "image": f"![x](http://{HOST}/x.png)",
    "backticks": f"`a` ``[x](http://{HOST}/x)`` `",
    "autolink": f"<http://{HOST}/x>",
    "bare": f"see http://{HOST}/x now",
}

#: (page, the valid parameters that open the part of the page that reads them, the
#: parameters under test). Together these are every link parameter the pages read.
CASES = [
    ("overview.py", {}, ["ics", "places", "bands", "vintage", "scenario"]),
    ("overview.py", {"scenario": "0123456789abcdef"}, ["version"]),
    ("map.py", {}, ["colour"]),
    ("england.py", {}, ["colour"]),
    ("tiers.py", {}, ["view"]),
    (
        "tiers.py",
        {"view": "Units outside their band"},
        ["tiers_flag_layers", "tiers_show_all", "tiers_map_layer"],
    ),
    ("tiers.py", {"view": "Age structure"}, ["tiers_age_layer"]),
    ("tiers.py", {"view": "People at risk"}, ["tiers_risk_layer"]),
    ("tiers.py", {"present": "1"}, ["slide"]),
    (
        "allocation.py",
        {},
        [
            "view",
            "method",
            "share",
            "deprivation",
            "threshold",
            "population",
            "level",
            "catalogue",
            "budget",
        ],
    ),
    ("allocation.py", {"view": "Compare scenarios"}, ["compare_a", "compare_b"]),
    ("inequality.py", {}, ["indicator", "unit", "measure", "map", "core20", "allocation"]),
    ("boundaries.py", {}, ["section", "la", "straddle"]),
    ("boundaries.py", {"section": "Overlap"}, ["cells", "order"]),
    ("boundaries.py", {"section": "Flows"}, ["flow"]),
    ("boundaries.py", {"section": "Place cards"}, ["card"]),
    ("scenarios.py", {}, ["item"]),
]

#: Elements whose text Streamlit renders as markdown.
MARKDOWN_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "warning",
    "error",
    "info",
    "success",
    "toast",
)


def markdown_texts(at) -> list[str]:
    return [element.value for kind in MARKDOWN_ELEMENTS for element in at.get(kind)]


def test_quote_escapes_every_kind_of_payload():
    for payload in PAYLOADS.values():
        quoted = quote(payload)
        assert HOST not in quoted and "http://" not in quoted
        assert f"http{WORD_JOINER}" in quoted  # the bare URL is no autolink
        # Every markdown punctuation character is escaped: none is left bare.
        assert not re.search(r"(?<!\\)[`\[\]()!<>]", quoted), quoted
    assert plain("`x`") == "\\`x\\`"


@pytest.mark.parametrize("payload", list(PAYLOADS), ids=list(PAYLOADS))
@pytest.mark.parametrize(
    ("page", "opened", "params"), CASES, ids=[f"{c[0]}-{c[2][0]}" for c in CASES]
)
def test_a_hostile_link_value_is_echoed_as_text(page, opened, params, payload):
    value = PAYLOADS[payload]
    query = {**opened, **{param: value for param in params}}
    ics = query.pop("ics", "QGH")
    at = run_page(page, ics, **query)
    assert not at.exception, [e.value for e in at.exception]
    texts = markdown_texts(at)
    # The bad value is named (escaped) ...
    echoed = [text for text in texts if plain(HOST) in text]
    assert echoed, [w.value for w in at.warning]
    # ... and never in a form markdown turns into a link, an image or a code span, nor
    # a bare URL that GitHub-flavoured markdown links by itself (test_browser_links).
    for text in texts:
        assert HOST not in text, text
        assert "](http" not in text and "![" not in text, text
        assert not re.search(r"(?i)\bhttps?\\?:", text), text
