"""A one-page alignment card per place, for a local authority partner.

:func:`place_card_table` turns one row of :func:`layers.alignment.place_summary`
into plain-words facts; :func:`layers.figures.alignment.place_card_figure` lays those
facts out next to a chart of the PCNs homed in the place on one A4-landscape page
(render it with :func:`layers.export.figure_bytes` as PDF or PNG);
:func:`place_card_xlsx` writes the same facts and units to a workbook.

Counts on the card are NHS Digital's published registration counts and ONS
population estimates, shown exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from layers._checks import require_frame
from layers.alignment._core import NO_PCN, check_threshold
from layers.export import workbook_xlsx
from layers.vintages import DEFAULT_VINTAGE, get_vintage

__all__ = ["place_card_table", "place_card_xlsx"]

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
    >>> from layers.alignment.examples import toy_figures
    >>> card = toy_figures()["place_summary"].iloc[0]
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
