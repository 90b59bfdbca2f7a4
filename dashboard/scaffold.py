"""The page scaffold: every page's context, its header and footer, and one rule for links.

Every page starts with :func:`start` and ends with :func:`finish`:

* :class:`PageContext` carries what every page needs (the ICS and its name, the data
  vintage, the place definition, the design bands, presentation mode) and the
  :class:`SystemKey` that every cached loader takes, so a page never re-derives them;
* **one rule for bad links**: a value in the link that the page cannot use is named in
  a warning (quoted safely, so a link can never inject a clickable link or an image),
  and the default is shown. Nothing is replaced silently; see :func:`warn_link`;
* :func:`lazy_tabs` is the one tab pattern: tabs in the link, drawn only when open.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

import layers
from dashboard.state import (
    BANDS_KEY,
    DEFAULT_VINTAGE,
    ICS_KEY,
    PLACES_KEY,
    VINTAGE_KEY,
    SystemKey,
    grouping_digest,
)
from layers import tiers

__all__ = [
    "PageContext",
    "SystemKey",
    "context",
    "finish",
    "lazy_tabs",
    "link_choice",
    "plain",
    "quote",
    "start",
    "warn_link",
]


@dataclass(frozen=True)
class PageContext:
    """What every page knows before it draws anything."""

    key: SystemKey
    name: str
    bands: tuple[tuple[str, int, int], ...]
    presenting: bool

    @property
    def code(self) -> str:
        """The ICS's code in its vintage."""
        return self.key.code

    @property
    def place_definition(self) -> str:
        """The place definition in use (an uploaded grouping's key included)."""
        return self.key.place_definition

    @property
    def vintage(self) -> str:
        """The data vintage ("2022" or "2026")."""
        return self.key.vintage

    @property
    def info(self) -> layers.vintages.Vintage:
        """The vintage's description: its data line, sources, labels."""
        return layers.get_vintage(self.key.vintage)

    @property
    def band_dict(self) -> dict[str, tuple[int, int]]:
        """The design bands as ``{layer: (low, high)}``."""
        return {layer: (low, high) for layer, low, high in self.bands}

    @property
    def place_label(self) -> str:
        """The place definition in words."""
        return layers.PLACE_DEFINITIONS[self.place_definition.split(":")[0]]

    @property
    def title_suffix(self) -> str:
        """``"<name> ICS"``, as page titles end."""
        return f"{self.name} ICS"


def context() -> PageContext:
    """The context of this run, from the session state the router has set."""
    from dashboard import loaders

    code = st.session_state[ICS_KEY]
    vintage = st.session_state.get(VINTAGE_KEY, DEFAULT_VINTAGE)
    chosen = st.session_state.get(PLACES_KEY) or loaders.default_place_definition(code, vintage)
    digest = grouping_digest(code)
    place_definition = f"custom:{chosen}:{digest}" if digest else chosen
    bands = st.session_state.get(BANDS_KEY) or dict(tiers.DEFAULT_BANDS)
    return PageContext(
        key=SystemKey(code, place_definition, vintage),
        name=loaders.system_names(vintage)[code],
        bands=tuple((layer, int(low), int(high)) for layer, (low, high) in bands.items()),
        presenting=st.query_params.get("present") == "1",
    )


#: Markdown punctuation: escaped when a link's text is echoed, so it stays plain text.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")
_MAX_QUOTED = 80
#: What GitHub-flavoured markdown turns into a link even when every punctuation mark is
#: escaped (its autolink literals: a scheme, "www." or an e-mail address). A word
#: joiner (U+2060, invisible) after each breaks the match and changes nothing on screen.
_AUTOLINK = re.compile(r"(?i)(\b(?:https?|ftp|mailto|xmpp)(?=\\?:)|\bwww(?=\\?\.)|@)")
WORD_JOINER = "\u2060"


def quote(value: object) -> str:
    r"""A user-supplied value, safe to show inside a message.

    Markdown punctuation is escaped, so ``[x](http://…)`` or ``![x](…)`` shows as text
    and never becomes a link or an image the browser fetches, and a bare URL is kept
    from becoming a link (see :func:`plain`); long values are cut.

    Examples
    --------
    >>> quote("[Session expired](evil)")
    '“\\[Session expired\\]\\(evil\\)”'
    >>> quote("http://evil").replace(WORD_JOINER, "|")
    '“http|\\://evil”'
    """
    text = str(value)
    if len(text) > _MAX_QUOTED:
        text = text[: _MAX_QUOTED - 1] + "…"
    return f"“{plain(text)}”"


def plain(value: object) -> str:
    r"""Text (a saved name, a message naming one) shown as it is inside markdown.

    Like :func:`quote` without the quotation marks and the cut: markdown punctuation is
    escaped, unprintable characters become ``?``, and a word joiner (invisible) follows
    each URL scheme, ``www`` and ``@``, since Streamlit's markdown makes links of bare
    URLs and e-mail addresses whatever is escaped.

    Examples
    --------
    >>> plain("<b>Option *B*</b>")
    '\\<b\\>Option \\*B\\*\\</b\\>'
    >>> plain("www.evil.com or me@evil.com").replace(WORD_JOINER, "|")
    'www|\\.evil\\.com or me@|evil\\.com'
    """
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, _MARKDOWN.sub(r"\\\1", text))


def warn_link(what: str, value: object, shown: str) -> None:
    """The one rule for a link value the page cannot use: say so, show the default.

    Parameters
    ----------
    what : str
        What the link asked for, in words (for example ``"section"``).
    value : object
        The value in the link (quoted safely).
    shown : str
        What is shown instead, in words.
    """
    st.warning(
        f"The link asked for {what} {quote(value)}, which this page cannot show. "
        f"Showing {shown} instead."
    )


def link_choice(
    param: str, options: Sequence[str], what: str, default: str, shown: str | None = None
) -> str:
    """The link's value of ``param`` if it is one of ``options``; else warn and default.

    ``shown`` names the default in words (``“default”`` if not given). For widgets bound
    to the URL, Streamlit itself drops an invalid value without a word; call this first
    so the user is told.
    """
    requested = st.query_params.get(param)
    if requested is None:
        return default
    if requested not in options:
        warn_link(what, requested, shown or f"“{default}”")
        return default
    return requested


def in_vintage(text: str, vintage: str) -> str:
    """Words written for the July 2022 data, in another vintage's words.

    Labels such as "Registered patients (Jul 2022)" or "IMD 2019 decile" were written
    when there was one vintage; this turns them into the vintage shown. Only these
    exact phrases are replaced, so other text is never changed.

    Examples
    --------
    >>> in_vintage("Residents (mid-2020) and IMD 2019 deciles of 32,844 LSOAs", "2026")
    'Residents (Census 2021) and IMD 2025 deciles of 33,755 LSOAs'
    >>> in_vintage("Registered patients (Jul 2022)", "2022")
    'Registered patients (Jul 2022)'
    """
    if vintage == "2022":
        return text
    info = layers.get_vintage(vintage)
    old = layers.get_vintage("2022")
    for before, after in (
        (f"({old.registered_label})", f"({info.registered_label})"),
        ("(GP lists, July 2022)", f"(GP lists, {info.registered_label})"),
        ("(ONS mid-2020)", f"({info.population_source})"),
        ("ONS mid-2020", info.population_source),
        ("(mid-2020)", f"({info.population_short})"),
        (old.imd_name, info.imd_name),
        (f"{old.n_lsoas:,}", f"{info.n_lsoas:,}"),
        (
            f"NHS England {old.default_allocation_year}",
            f"NHS England {info.default_allocation_year}",
        ),
        (f"({old.default_allocation_year})", f"({info.default_allocation_year})"),
        ("registrations, July 2022", f"registrations, {info.registered_label}"),
        ("(July 2022)", f"({info.registered_label})"),
    ):
        text = text.replace(before, after)
    return text


def vinfo() -> layers.vintages.Vintage:
    """The vintage shown in this session (for sections that are not given the context)."""
    return layers.get_vintage(st.session_state.get(VINTAGE_KEY, DEFAULT_VINTAGE))


def vw(text: str) -> str:
    """:func:`in_vintage` for the vintage shown in this session."""
    return in_vintage(text, vinfo().key)


def start(ctx: PageContext, title: str, caption: str | None = None) -> None:
    """The page's title and the note of which places it uses."""
    st.title(title)
    if caption:
        st.caption(in_vintage(caption, ctx.vintage))
    st.caption(f"Places: {ctx.place_label}. Data vintage: {ctx.info.label}.")


def finish(ctx: PageContext) -> None:
    """Data vintage and attribution, at the foot of every page."""
    st.divider()
    st.caption(f"Data: {ctx.info.data_line}.  \n{ctx.info.sources}")


def lazy_tabs(labels: Sequence[str], key: str) -> list:
    """Tabs kept in the link under ``key``; draw each only ``if tab.open``.

    A link naming a tab that does not exist gets the one bad-link warning.
    """
    link_choice(key, labels, "the tab", labels[0])
    return st.tabs(list(labels), key=key, bind="query-params")


def place_note(ctx: PageContext) -> None:
    """Say which place definition the page uses."""
    st.caption(f"Places: {ctx.place_label}.")
