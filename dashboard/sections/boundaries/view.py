"""What every Boundary alignment tab shares: places, authority level, threshold, tables.

The level (``la``) and the straddle threshold (``straddle``) are in the link; a value
the page cannot use gets the scaffold's one bad-link warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from pandas.api.types import is_bool_dtype, is_numeric_dtype

import layers
from dashboard import loaders
from dashboard.exports import COUNT, PERCENT, show_table, table_downloads
from dashboard.scaffold import PageContext, SystemKey, link_choice, quote
from layers.vintages import MODELLED_REGISTRATIONS

#: Local authority levels a user can compare with (the ``la`` link parameter).
LA_LEVELS = {
    "utla": "Upper-tier authorities (counties, unitaries, metropolitan districts, London boroughs)",
    "ltla": "Lower-tier authorities (districts, unitaries, metropolitan districts, boroughs)",
}
LA_SHORT = {"utla": "Upper-tier", "ltla": "Lower-tier"}
DEFAULT_STRADDLE = 90
STRADDLE_RANGE = range(50, 101)
#: Percentages shown to two decimals: small shares in long tables.
_FINE_PERCENTAGES = {
    "Share (%)",
    "Share of the flow (%)",
    "Share of the LSOA's registered residents (%)",
}


@dataclass(frozen=True)
class View:
    """The places, level and threshold every tab draws for, and their tables."""

    key: SystemKey
    system: layers.System
    la_level: str
    threshold_pct: int
    tables: dict[str, pd.DataFrame]

    @property
    def threshold(self) -> float:
        """The straddle threshold as a fraction."""
        return self.threshold_pct / 100

    @property
    def la_word(self) -> str:
        """``"upper-tier"`` or ``"lower-tier"``."""
        return LA_SHORT[self.la_level].lower()

    @property
    def place_definition(self) -> str:
        """The geographic place definition the page uses."""
        return self.key.place_definition

    @property
    def home(self) -> pd.DataFrame:
        """Each PCN's (and practice in no PCN's) home authority."""
        return self.tables["home_authorities"]

    @property
    def unit_names(self) -> dict[str, str]:
        """Unit code → name."""
        home = self.home
        return dict(zip(home["unit_code"], home["unit_name"], strict=True))


def _geographic_places(ctx: PageContext) -> str:
    """The place definition to compare with councils, saying why when it is not the chosen one.

    Uploaded groupings ("custom:<base>:<digest>") put practices into places, which has no
    footprint of its own to compare with councils: the page uses the geographic places
    they were uploaded against.
    """
    chosen = ctx.place_definition
    geographic = chosen.split(":")[1] if chosen.startswith("custom:") else chosen
    if geographic not in layers.PLACE_DEFINITIONS:
        st.warning(f"Unknown place definition {quote(chosen)}; using upper-tier authorities.")
        return "utla"
    if geographic != chosen:
        st.info(
            "Your uploaded place groupings assign practices to places; boundary alignment is "
            "about geography, so this page uses the geographic places they were uploaded "
            f"against: {layers.PLACE_DEFINITIONS[geographic]}."
        )
    return geographic


def read(ctx: PageContext) -> View:
    """Draw the shared controls (from the link) and load the tables they select."""
    key = ctx.key._replace(place_definition=_geographic_places(ctx))
    levels = list(LA_LEVELS)
    controls = st.columns([2, 2, 3])
    la_level = controls[0].radio(
        "Compare with local authorities at",
        levels,
        index=levels.index(
            link_choice("la", levels, "the local authority level", "utla", "upper-tier")
        ),
        key="bnd_la",
        format_func=LA_SHORT.get,
        help="Upper-tier authorities run social care and public health (health and wellbeing "
        "boards); lower-tier districts run housing and planning. Unitaries, metropolitan "
        "districts and London boroughs are both.",
    )
    threshold_pct = controls[1].slider(
        "A PCN straddles when its home authority holds under",
        min_value=STRADDLE_RANGE.start,
        max_value=STRADDLE_RANGE.stop - 1,
        value=int(
            link_choice(
                "straddle",
                [str(p) for p in STRADDLE_RANGE],
                "the straddle threshold (a whole percentage from 50 to 100)",
                str(DEFAULT_STRADDLE),
                f"{DEFAULT_STRADDLE}%",
            )
        ),
        step=1,
        key="bnd_straddle",
        format="%d%%",
        help="The home authority is where most of the PCN's registered patients live. Default 90%.",
    )
    st.query_params["la"] = la_level
    st.query_params["straddle"] = str(threshold_pct)
    controls[2].markdown(
        f"**Local authorities:** {LA_LEVELS[la_level]}. **Places** (flows and place cards) "
        f"follow the sidebar: “{layers.PLACE_DEFINITIONS[key.place_definition]}”. A PCN's "
        "**home** authority is where most of its patients live; it **straddles** when under "
        f"{threshold_pct}% of them live there."
    )
    tables = loaders.alignment_bundle(key, la_level, threshold_pct)
    return View(key, loaders.system(key), la_level, threshold_pct, tables)


def registrations_when(ctx: PageContext) -> str:
    """When the registration counts are from, for titles: "July 2022" or "2026/27, modelled".

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> info = layers.get_vintage("2026")
    >>> registrations_when(SimpleNamespace(info=info))
    '2026/27, modelled'
    """
    info = ctx.info
    return info.registered_label if info.registrations_modelled else "July 2022"


def counts_sentence(ctx: PageContext) -> str:
    """What the page's patient counts are: published and exact, or modelled.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> counts_sentence(SimpleNamespace(info=layers.get_vintage("2022")))
    "Counts here are NHS Digital's published registration counts, shown exactly."
    """
    info = ctx.info
    if not info.registrations_modelled:
        return "Counts here are NHS Digital's published registration counts, shown exactly."
    return (
        f"Registered patients here are {info.registered_label.split(',')[0]} list sizes "
        f"{MODELLED_REGISTRATIONS}: each practice's list spread over where its patients "
        "lived then, not published counts."
    )


def number_formats(table: pd.DataFrame) -> dict[str, str]:
    """The one number rule of the page's tables.

    A header ending "(%)" is a percentage (one decimal, two for small shares in long
    tables), "Area (km²)" has two decimals, and every other number is a count, shown with
    thousands separators.
    """
    out = {}
    for column in table.columns:
        values = table[column]
        if not is_numeric_dtype(values) or is_bool_dtype(values):
            continue
        if str(column).endswith("(%)"):
            out[column] = "%.2f%%" if column in _FINE_PERCENTAGES else PERCENT
        elif column == "Area (km²)":
            out[column] = "%.2f"
        else:
            out[column] = COUNT
    return out


def show(
    table: pd.DataFrame,
    title: str,
    key: str,
    *,
    download: pd.DataFrame | None = None,
    formats: dict[str, str] | None = None,
    **frame: object,
) -> None:
    """Show a table with its downloads, numbers formatted by :func:`number_formats`.

    ``title`` names the downloads; ``formats`` overrides the rule for some columns;
    ``download`` is the table to export when it differs from the one shown (counts
    suppressed as ``*`` in the file, blank on screen).
    """
    chosen = number_formats(table) | (formats or {})
    if download is None:
        show_table(table, title, key, formats=chosen, **frame)
        return
    config = {c: st.column_config.NumberColumn(c, format=f) for c, f in chosen.items()}
    st.dataframe(table, hide_index=True, column_config=config, key=f"{key}_table", **frame)
    table_downloads(download, title, key)


def linked_select(label: str, options: dict[str, str], param: str, what: str, key: str) -> str:
    """A choice among ``options`` (value → words), read from and written to ``param``.

    A link naming a value not offered gets the one bad-link warning and the first option.
    """
    values = list(options)
    first = values[0]
    chosen = st.selectbox(
        label,
        values,
        index=values.index(link_choice(param, values, what, first, options[first])),
        format_func=options.get,
        key=key,
    )
    st.query_params[param] = chosen
    return chosen
