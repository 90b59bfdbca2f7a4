"""A one-page alignment card per place, for a local authority partner.

:func:`place_card_table` turns one row of :func:`layers.alignment.place_summary`
into plain-words facts; :func:`place_card_figure` lays those facts out next to a
chart of the PCNs homed in the place on one A4-landscape page (render it with
:func:`layers.export.figure_bytes` as PDF or PNG); :func:`place_card_xlsx`
writes the same facts and units to a workbook.

Counts on the card are NHS Digital's published registration counts and ONS
population estimates, shown exactly.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from layers._checks import require_frame
from layers.alignment._core import NO_PCN, check_threshold
from layers.export import workbook_xlsx
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = [
    "CARD_HEIGHT",
    "CARD_WIDTH",
    "place_card_figure",
    "place_card_table",
    "place_card_xlsx",
]

#: A4 landscape at 96 dpi: kaleido's PDF page is exactly one A4 sheet.
CARD_WIDTH, CARD_HEIGHT = 1123, 794
#: Most units drawn on the card's chart (lowest home share first).
CARD_MAX_UNITS = 30

_SUMMARY_COLUMNS = (
    "place_code",
    "place_name",
    "la_names",
    "n_lsoas",
    "resident_patients",
    "residents_at_icb_practices_share",
    "top_outflow",
    "residents_at_home_units",
    "residents_coterminosity",
    "n_home_pcns",
    "n_home_no_pcn_practices",
    "home_unit_patients",
    "home_units_coterminosity",
    "n_straddling",
    "straddling",
    "split_authorities",
)
_UNIT_COLUMNS = ("unit_code", "unit_name", "unit_type", "patients", "home_patients", "home_share")


def _pct(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def _shorten(text: str, limit: int = 6) -> str:
    items = [t for t in str(text).split("; ") if t]
    if len(items) <= limit:
        return "; ".join(items) or "none"
    return "; ".join(items[:limit]) + f"; and {len(items) - limit} more"


def place_card_table(
    summary: Mapping[str, object] | pd.Series,
    *,
    threshold: float,
    ics_name: str,
    population: int | None = None,
    vintage: str = DEFAULT_VINTAGE,
) -> pd.DataFrame:
    """The facts of one place card, in plain words.

    Parameters
    ----------
    summary : Series or mapping
        One row of :func:`layers.alignment.place_summary` (computed with the
        same ``threshold``).
    threshold : float
        The straddle threshold used, in (0, 1].
    ics_name : str
        The ICS, e.g. "Herefordshire and Worcestershire".
    population : int, optional
        Residents (default: the summary's ``population``).
    vintage : {"2022", "2026"}
        Names the LSOAs, residents, registrations and predecessor units.

    Returns
    -------
    DataFrame
        Two text columns, ``Item`` and ``Value``, one row per fact.

    Raises
    ------
    TypeError
        If ``summary`` is not a mapping.
    ValueError
        On missing fields or a threshold outside (0, 1].

    Examples
    --------
    >>> from layers.alignment import place_summary
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> card = place_summary(toy.registrations, toy.lsoas, toy.practices, "QAA",
    ...                      places=toy.places, vintage="2022").iloc[0]
    >>> facts = place_card_table(card, threshold=0.9, ics_name="Alpha", vintage="2022")
    >>> facts = facts.set_index("Item")
    >>> facts.loc["Residents registered with a GP (Jul 2022)", "Value"]
    '2,030'
    >>> facts.loc["Straddling units (under 90% of patients here)", "Value"]
    '2: A00004 (80% here); U00002 (60% here)'
    """
    if not isinstance(summary, Mapping | pd.Series):
        raise TypeError(f"summary must be a Series or mapping, got {type(summary).__name__}.")
    limit = check_threshold(threshold)
    info = get_vintage(vintage)
    unit_name, label = (lambda c: (c[1], c[2]))(next(iter(info.lineage.values())))
    predecessors = f"{unit_name}s"
    missing = [c for c in (*_SUMMARY_COLUMNS, predecessors) if c not in summary]
    if missing:
        raise ValueError(f"summary is missing field(s) {missing}; pass a place_summary row.")
    s = summary
    residents = population if population is not None else s.get("population")
    n_units = int(s["n_home_pcns"]) + int(s["n_home_no_pcn_practices"])
    rows = [
        ("Place", str(s["place_name"])),
        ("Integrated Care System", ics_name),
        ("Local authorities in the place", str(s["la_names"])),
        (f"LSOAs ({info.lsoa_year}) in the ICS", f"{int(s['n_lsoas']):,}"),
        (
            f"Residents ({info.population_source})",
            "–" if residents is None or pd.isna(residents) else f"{int(residents):,}",
        ),
        (
            f"Residents registered with a GP ({info.registered_label})",
            f"{int(s['resident_patients']):,}",
        ),
        (
            "… of them with this ICS's practices",
            _pct(s["residents_at_icb_practices_share"]),
        ),
        ("Largest flow to another ICS", str(s["top_outflow"]) or "none"),
        (
            "PCNs homed here (most patients live here)",
            f"{int(s['n_home_pcns'])} PCNs"
            + (
                f" and {int(s['n_home_no_pcn_practices'])} practice(s) in no PCN"
                if int(s["n_home_no_pcn_practices"])
                else ""
            ),
        ),
        (
            "Residents registered with units homed here",
            f"{_pct(s['residents_coterminosity'])} "
            f"({int(s['residents_at_home_units']):,} of {int(s['resident_patients']):,})",
        ),
        (
            "Patients of those units living here",
            f"{_pct(s['home_units_coterminosity'])} "
            f"({int(s['residents_at_home_units']):,} of {int(s['home_unit_patients']):,})",
        ),
        (
            f"Straddling units (under {limit:.0%} of patients here)",
            f"{int(s['n_straddling'])}"
            + (f": {_shorten(s['straddling'])}" if int(s["n_straddling"]) else f" of {n_units}"),
        ),
        ("Member authorities split between ICBs", str(s["split_authorities"]) or "none"),
        (label, str(s[predecessors]) or "–"),
    ]
    return pd.DataFrame(rows, columns=["Item", "Value"])


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(str(text), width=width)) or "–"


def place_card_figure(
    facts: pd.DataFrame,
    units: pd.DataFrame,
    *,
    threshold: float,
    title: str,
    subtitle: str = "",
    vintage: str = DEFAULT_VINTAGE,
) -> go.Figure:
    """One A4-landscape page: the card's facts beside a chart of its home units.

    Parameters
    ----------
    facts : DataFrame
        From :func:`place_card_table` (Item, Value).
    units : DataFrame
        The place's rows of :func:`layers.alignment.place_units` (unit_code,
        unit_name, unit_type, patients, home_patients, home_share).
    threshold : float
        Straddle threshold in (0, 1], drawn on the chart.
    title : str
        Page title (e.g. the place name and ICS).
    subtitle : str
        Lines under the title, separated by newlines (e.g. the ICS and the place
        definition).
    vintage : {"2022", "2026"}
        For the data note (and whether registrations are published or modelled).

    Returns
    -------
    plotly.graph_objects.Figure
        A ``Table`` and two horizontal ``Bar`` traces (straddling, not), sized :data:`CARD_WIDTH` ×
        :data:`CARD_HEIGHT` px, with the data date and sources in the footer.

    Examples
    --------
    >>> import io
    >>> facts = pd.DataFrame({"Item": ["Place"], "Value": ["Town"]})
    >>> units = pd.DataFrame({"unit_code": ["U1"], "unit_name": ["North PCN"],
    ...                       "unit_type": ["pcn"], "patients": [1000],
    ...                       "home_patients": [600], "home_share": [0.6]})
    >>> fig = place_card_figure(facts, units, threshold=0.9, title="Town")
    >>> [type(t).__name__ for t in fig.data], fig.layout.width, fig.layout.height
    (['Table', 'Bar', 'Bar'], 1123, 794)
    """
    limit = check_threshold(threshold)
    info = get_vintage(vintage)
    table = require_frame(facts, ["Item", "Value"], "facts")
    frame = require_frame(units, _UNIT_COLUMNS, "units")
    frame = frame.sort_values(["home_share", "unit_code"]).head(CARD_MAX_UNITS)
    straddles = frame["home_share"] < limit
    labels = [
        _wrap(name + (" (no PCN)" if kind == NO_PCN else ""), 34)
        for name, kind in zip(frame["unit_name"], frame["unit_type"], strict=True)
    ]
    fig = go.Figure()
    fig.add_trace(
        go.Table(
            domain={"x": [0.0, 0.5], "y": [0.0, 1.0]},
            columnwidth=[0.42, 0.58],
            header={
                "values": ["<b>Fact</b>", "<b>Value</b>"],
                "fill_color": "#005eb8",
                "font": {"color": "#ffffff", "size": 12},
                "align": "left",
            },
            cells={
                "values": [
                    [_wrap(v, 34) for v in table["Item"]],
                    [_wrap(v, 44) for v in table["Value"]],
                ],
                "fill_color": [["#f0f4f5", "#ffffff"] * (len(table) // 2 + 1)],
                "font": {"size": 11, "color": "#212b32"},
                "align": "left",
                "height": 22,
            },
        )
    )
    # One trace per kind, each with scalar colours (array pattern colours are not
    # drawn by every plotly.js build); the category order keeps the sort.
    for kind, colour, pattern in ((True, "#D55E00", "/"), (False, "#0072B2", "")):
        part = straddles == kind
        fig.add_trace(
            go.Bar(
                x=100 * frame.loc[part, "home_share"],
                y=[label for label, p in zip(labels, part, strict=True) if p],
                orientation="h",
                marker={
                    "color": colour,
                    "pattern": {
                        "shape": pattern,
                        "fgcolor": "#ffffff",
                        "fgopacity": 0.4,
                        "solidity": 0.2,
                        "bgcolor": colour,
                    },
                },
                text=[
                    f"{100 * share:.0f}%" + (" straddles" if kind else "")
                    for share in frame.loc[part, "home_share"]
                ],
                textposition="inside",
                insidetextanchor="start",
                textfont={"size": 10, "color": "#ffffff"},
                showlegend=False,
                xaxis="x",
                yaxis="y",
            )
        )
    more = len(units) - len(frame)
    fig.update_layout(
        width=CARD_WIDTH,
        height=CARD_HEIGHT,
        margin={"l": 30, "r": 30, "t": 110, "b": 80},
        title={
            "text": f"<b>{title}</b>"
            + "".join(f"<br><sup>{line}</sup>" for line in subtitle.split("\n") if line),
            "x": 0.02,
            "font": {"size": 20},
        },
        xaxis={
            "domain": [0.78, 1.0],
            "range": [0, 100],
            "title": {"text": "% of patients living here"},
            "gridcolor": "#e8edee",
        },
        barmode="overlay",
        yaxis={
            "domain": [0.06, 0.95],
            "autorange": "reversed",
            "anchor": "x",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": labels,
        },
        plot_bgcolor="#ffffff",
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "y domain",
                "x0": 100 * limit,
                "x1": 100 * limit,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#000000", "dash": "dash", "width": 1.5},
            }
        ],
        annotations=[
            {
                "text": (
                    f"<b>PCNs homed here</b>: dashed line = threshold {limit:.0%}; "
                    "hatched orange bars straddle"
                    + (f"; {more} more not shown" if more > 0 else "")
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 0.54,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            },
            {
                "text": _wrap(
                    f"Data: {info.data_line}. "
                    + (
                        "Registered patients are modelled from July 2022 patterns, not "
                        "published counts. "
                        if info.registrations_modelled
                        else "Registered patients are NHS Digital's published counts, shown "
                        "exactly. "
                    )
                    + info.sources,
                    190,
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.02,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",
                "font": {"size": 9, "color": "#425563"},
            },
        ],
    )
    return fig


def place_card_xlsx(
    facts: pd.DataFrame, units: pd.DataFrame, *, title: str, vintage: str = DEFAULT_VINTAGE
) -> bytes:
    """The card as a workbook: Card (facts), Units (home units) and About sheets.

    Parameters
    ----------
    facts : DataFrame
        From :func:`place_card_table`.
    units : DataFrame
        The place's rows of :func:`layers.alignment.place_units`.
    title : str
        Workbook title, written on the About sheet.
    vintage : {"2022", "2026"}
        For the registered-patient column and the About sheet.

    Returns
    -------
    bytes
        An XLSX file.

    Examples
    --------
    >>> import io
    >>> facts = pd.DataFrame({"Item": ["Place"], "Value": ["Town"]})
    >>> units = pd.DataFrame({"unit_code": ["U1"], "unit_name": ["North PCN"],
    ...                       "unit_type": ["pcn"], "patients": [1000],
    ...                       "home_patients": [600], "home_share": [0.6]})
    >>> book = pd.read_excel(io.BytesIO(place_card_xlsx(facts, units, title="Town")),
    ...                      sheet_name=None)
    >>> list(book), book["Units"]["Living in the place"].tolist()
    (['Card', 'Units', 'About'], [600])
    """
    info = get_vintage(vintage)
    table = require_frame(facts, ["Item", "Value"], "facts")
    frame = require_frame(units, _UNIT_COLUMNS, "units")
    sheet = pd.DataFrame(
        {
            "Unit": frame["unit_name"].to_numpy(),
            "Code": frame["unit_code"].to_numpy(),
            "Type": frame["unit_type"].map({NO_PCN: "Practice in no PCN"}).fillna("PCN").to_numpy(),
            f"Registered patients ({info.registered_label})": frame["patients"].to_numpy(),
            "Living in the place": frame["home_patients"].to_numpy(),
            "Home share (%)": (100 * frame["home_share"]).round(1).to_numpy(),
        }
    )
    return workbook_xlsx(
        {"Card": table, "Units": sheet},
        title,
        vintage,
        column_widths={"Card": {0: 45, 1: 90}, "Units": {0: 45}},
    )
