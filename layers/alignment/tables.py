"""The alignment tables as people read them: names in words, percentages, plain verdicts.

Each function turns a table of :func:`layers.alignment.alignment_figures` (or of
:func:`~layers.alignment.disclose_overlap` / :func:`~layers.alignment.disclose_straddlers`)
into the frame the Boundary alignment page shows and exports. Counts stay numbers
(so a table sorts and a CSV reads back as numbers) and shares become percentages
(0–100) rounded to what the page shows; formatting them (193,615; 12.3%) is left to
the display. Column headers are words, and a header ending in "(%)" is a percentage.
Tables built from disclosure-controlled counts keep ``"*"`` in their export version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from layers._checks import require_frame
from layers.alignment._core import NO_PCN, PCN, PRACTICE, check_threshold
from layers.alignment.disclosed import AREA_NAMES, DisclosedOverlap

__all__ = [
    "COMPARISON_VERDICTS",
    "ROW_ORDERS",
    "UNIT_TYPES",
    "area_shares_table",
    "comparison_table",
    "coterminosity_table",
    "flow_lsoa_table",
    "flow_table",
    "home_table",
    "lineage_table",
    "order_units",
    "overlap_tables",
    "place_flow_matrix",
    "place_glance_table",
    "practice_home_table",
    "residence_shares_table",
    "split_table",
    "straddler_tables",
]

#: What a unit is, in words.
UNIT_TYPES: dict[str, str] = {PCN: "PCN", NO_PCN: "Practice in no PCN", PRACTICE: "Practice"}
#: Orders of the PCN × authority rows: by home authority, home share, size or name.
ROW_ORDERS: tuple[str, ...] = ("home", "share", "patients", "name")
#: Verdicts of :func:`layers.alignment.compare_alignment`, in words.
COMPARISON_VERDICTS: dict[str, str] = {
    "agree": "Same home authority, same verdict",
    "straddle_differs": "Same home, only one view straddles",
    "sparse_area": "Different home: most area is sparsely populated",
    "patients_outside_footprint": "Different home: patients live beyond the footprint",
    "differ": "Different home (other reasons)",
    "no_footprint": "No footprint",
    "no_patients": "No patients",
}
_FLOW_DIRECTIONS = {
    "outflow": "Out: living in this ICS, registered there",
    "inflow": "In: living there, registered in this ICS",
}
_FROM_KINDS = {"icb": "Other ICSs", "wales": "Wales", "unknown": "Unknown LSOA"}


def _yes_no(flags: pd.Series) -> pd.Series:
    """Flags as words, so a table never relies on colour."""
    return flags.map({True: "Yes", False: "No"})


def _percent(shares: pd.Series, decimals: int = 1) -> pd.Series:
    return (100 * shares).round(decimals)


def _straddle_column(threshold: float) -> str:
    return f"Straddles (under {check_threshold(threshold):.0%})"


def _unit_columns(
    frame: object,
    name: str,
    needs: Sequence[str],
    unit: str = "PCN",
    names: Mapping[str, str] | None = None,
    typed: bool = False,
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Check a unit table and give its leading columns: name, code and (``typed``) type.

    The name is ``frame["unit_name"]``, or the unit code looked up in ``names`` for
    tables that carry codes only; every unit table starts this way, so a reader
    finds a PCN the same way on each of them.

    Parameters
    ----------
    frame : object
        The caller's table, checked by :func:`layers._checks.require_frame` for the
        unit columns it reads (unit_name unless ``names`` is given, unit_code,
        unit_type when ``typed``) followed by ``needs``.
    name : str
        The argument's name, for the error message.
    needs : sequence of str
        The other columns the caller reads.
    unit : str
        Header of the name column ("PCN", "Practice").
    names : mapping of str to str, optional
        Unit code → name, for tables without unit_name.
    typed : bool
        Add a "Type" column from unit_type.

    Returns
    -------
    tuple of (DataFrame, dict of str to Series)
        The checked frame itself, and its leading columns by header.
    """
    leading = ["unit_name"] if names is None else []
    leading += ["unit_code", *(["unit_type"] if typed else [])]
    checked = require_frame(frame, [*leading, *needs], name)
    codes = checked["unit_code"]
    columns = {unit: checked["unit_name"] if names is None else codes.map(names), "Code": codes}
    if typed:
        columns["Type"] = checked["unit_type"].map(UNIT_TYPES)
    return checked, columns


def home_table(home: pd.DataFrame, threshold: float, unit: str = "PCN") -> pd.DataFrame:
    """Each unit's home authority, lowest home share first (exact published counts).

    Parameters
    ----------
    home : DataFrame
        ``home_authorities`` (or ``practice_home_authorities``).
    threshold : float
        The straddle threshold the table was flagged at, in (0, 1].
    unit : str
        What a row is, for the first column's header ("PCN", "Practice").

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> table = home_table(toy_figures()["home_authorities"], 0.9)
    >>> table[["PCN", "Type", "Home share (%)", "Straddles (under 90%)"]]
          PCN                Type  Home share (%) Straddles (under 90%)
    0  U00002                 PCN            60.0                   Yes
    1  A00004  Practice in no PCN            80.0                   Yes
    2  U00001                 PCN            92.9                    No
    """
    home, leading = _unit_columns(
        home, "home", ["patients", "home_la_name", "home_share"], unit, typed=True
    )
    out = pd.DataFrame(
        {
            **leading,
            "Registered patients": home["patients"],
            "Home authority": home["home_la_name"],
            "Home share (%)": _percent(home["home_share"]),
            "Second authority": home["second_la_name"],
            "Second share (%)": _percent(home["second_share"]),
            "Authorities with patients": home["n_authorities"],
            _straddle_column(threshold): _yes_no(home["straddles"]),
        }
    )
    return out.sort_values("Home share (%)").reset_index(drop=True)


def practice_home_table(
    home: pd.DataFrame, threshold: float, pcn_names: Mapping[str, str]
) -> pd.DataFrame:
    """Each practice's home authority, with its PCN (see :func:`home_table`).

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> practices = toy_figures()["practice_home_authorities"]
    >>> practice_home_table(practices, 0.9, {"A00001": "North PCN"}).iloc[:, :3]
      Practice    Code        PCN
    0   A00003  A00003        NaN
    1   A00004  A00004        NaN
    2   A00001  A00001  North PCN
    3   A00002  A00002        NaN
    """
    out = home_table(home, threshold, "Practice").drop(columns="Type")
    out.insert(2, "PCN", out["Code"].map(pcn_names))
    return out


def coterminosity_table(coterminosity: pd.DataFrame) -> pd.DataFrame:
    """Coterminosity of each authority, both ways (``authority_coterminosity``).

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> table = coterminosity_table(toy_figures()["authority_coterminosity"])
    >>> table.set_index("Local authority")["Residents registered with home PCNs (%)"].to_dict()
    {'Townham': 97.5, 'Fieldshire': 66.7}
    """
    cot = require_frame(
        coterminosity,
        ["la_name", "la_code", "population", "resident_patients", "residents_at_home_units"],
        "coterminosity",
    )
    return pd.DataFrame(
        {
            "Local authority": cot["la_name"],
            "Code": cot["la_code"],
            "Residents (ONS mid-2020)": cot["population"],
            "Residents registered with a GP": cot["resident_patients"],
            "Registered with home PCNs": cot["residents_at_home_units"],
            "Residents registered with home PCNs (%)": _percent(cot["residents_coterminosity"]),
            "PCNs homed here": cot["n_home_units"],
            "Patients of home PCNs": cot["home_unit_patients"],
            "Home PCNs' patients living here (%)": _percent(cot["home_units_coterminosity"]),
        }
    )


def residence_shares_table(
    shares: pd.DataFrame, names: Mapping[str, str], unit: str = "PCN"
) -> pd.DataFrame:
    """Every unit's patients in every authority (``residence_shares``), long.

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> table = residence_shares_table(toy_figures()["residence_shares"], {"U00002": "South"})
    >>> table.loc[table["Code"] == "U00002", ["PCN", "Local authority", "Share (%)"]]
         PCN Local authority  Share (%)
    5  South         Townham       60.0
    6  South      Fieldshire       40.0
    """
    frame, leading = _unit_columns(
        shares, "shares", ["la_name", "la_code", "patients", "share"], unit, names
    )
    return pd.DataFrame(
        {
            **leading,
            "Local authority": frame["la_name"],
            "Authority code": frame["la_code"],
            "Patients": frame["patients"],
            "Share (%)": _percent(frame["share"], 2),
        }
    )


def order_units(home: pd.DataFrame, columns: Sequence[str], order: str) -> list[str]:
    """Unit codes in one of the :data:`ROW_ORDERS`.

    ``home`` order groups units by home authority in the order of ``columns`` (largest
    home share first within each); ``share`` puts the lowest home share first;
    ``patients`` the largest unit first; ``name`` sorts by name.

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> home = toy_figures()["home_authorities"]
    >>> order_units(home, ["E07000001"], "share"), order_units(home, [], "patients")
    (['U00002', 'A00004', 'U00001'], ['U00001', 'U00002', 'A00004'])
    """
    if order not in ROW_ORDERS:
        raise ValueError(f"Unknown order {order!r}; choose one of {', '.join(ROW_ORDERS)}.")
    require_frame(home, ["unit_code", "unit_name", "patients", "home_share"], "home")
    if order == "name":
        ordered = home.sort_values(["unit_name", "unit_code"])
    elif order == "patients":
        ordered = home.sort_values(["patients", "unit_code"], ascending=[False, True])
    elif order == "share":
        ordered = home.sort_values(["home_share", "unit_code"])
    else:
        rank = {code: i for i, code in enumerate(columns)}
        keyed = home.assign(_rank=home["home_la_code"].map(rank).fillna(len(rank)))
        ordered = keyed.sort_values(["_rank", "home_share"], ascending=[True, False])
    return ordered["unit_code"].tolist()


def overlap_tables(
    overlap: DisclosedOverlap,
    home: pd.DataFrame,
    area_labels: Mapping[str, str],
    rows: Sequence[str],
    cells: str = "patients",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The PCN × authority overlap to show (numbers, NaN where suppressed) and to export.

    Parameters
    ----------
    overlap : DisclosedOverlap
        From :func:`layers.alignment.disclose_overlap`.
    home : DataFrame
        ``home_authorities`` (names and types of the units).
    area_labels : mapping
        Authority code → name (pooled areas are named already).
    rows : sequence of str
        Unit codes in the order shown (:func:`order_units`).
    cells : {"patients", "share"}
        Rounded patients, or percentages of the unit's patients from rounded counts.

    Returns
    -------
    tuple of DataFrame
        ``(shown, export)``: the export writes ``"*"`` where a count is suppressed.

    Examples
    --------
    >>> from layers.alignment import disclose_overlap
    >>> from layers.alignment.examples import toy_figures
    >>> figures = toy_figures()
    >>> overlap = disclose_overlap(figures["overlap_matrix"])
    >>> shown, export = overlap_tables(overlap, figures["home_authorities"],
    ...                                {"E07000001": "Townham"}, ["U00001", "A00004"])
    >>> export[["PCN", "Townham", "Unknown LSOA"]]
          PCN Townham Unknown LSOA
    0  U00001    1300            0
    1  A00004      80            *
    >>> shown[["PCN", "Townham", "Unknown LSOA"]]
          PCN  Townham  Unknown LSOA
    0  U00001   1300.0           0.0
    1  A00004     80.0           NaN
    """
    if cells not in ("patients", "share"):
        raise ValueError(f"cells must be 'patients' or 'share', got {cells!r}.")
    rows = list(rows)
    overlap = overlap._replace(
        **{
            field: getattr(overlap, field).reindex(rows)
            for field in ("shown", "values", "shares", "totals", "total_values")
        }
    )
    labels = {c: AREA_NAMES.get(c) or area_labels.get(c, c) for c in overlap.values.columns}
    names = dict(zip(home["unit_code"], home["unit_name"], strict=True))
    unit_type = home.set_index("unit_code")["unit_type"]
    front = pd.DataFrame(
        {
            "PCN": [names.get(u, u) for u in rows],
            "Code": rows,
            "Type": unit_type.reindex(rows).map(UNIT_TYPES).to_numpy(),
        }
    )
    values = getattr(overlap, "values" if cells == "patients" else "shares")
    values = values.rename(columns=labels).reset_index(drop=True)
    total = overlap.total_values.rename("Total (rounded)").reset_index(drop=True)
    shown = pd.concat([front, total, values], axis=1)
    if cells == "patients":
        disclosed = overlap.shown.rename(columns=labels).reset_index(drop=True)
        totals = overlap.totals.rename("Total (rounded)").reset_index(drop=True)
        export = pd.concat([front, totals, disclosed], axis=1)
    else:
        export = pd.concat([front, values.astype(object).where(values.notna(), "*")], axis=1)
    return shown, export


def straddler_tables(straddlers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Straddling units with rounded counts: to show (NaN where suppressed) and to export.

    Parameters
    ----------
    straddlers : DataFrame
        From :func:`layers.alignment.disclose_straddlers`.

    Examples
    --------
    >>> from layers.alignment import disclose_straddlers
    >>> from layers.alignment.examples import toy_figures
    >>> figures = toy_figures()
    >>> disclosed = disclose_straddlers(figures["straddling_units"],
    ...                                 figures["residence_shares"])
    >>> shown, export = straddler_tables(disclosed)
    >>> export.loc[1, ["PCN", "Second patients (rounded)"]].tolist()
    ['A00004', 15]
    """
    frame, leading = _unit_columns(
        straddlers, "straddlers", ["patients", "home_patients", "split"], typed=True
    )
    export = pd.DataFrame(
        {
            **leading,
            "Practices": frame["n_practices"],
            "Patients (rounded)": frame["patients"],
            "Home authority": frame["home_la_name"],
            "Home patients (rounded)": frame["home_patients"],
            "Home share (%)": frame["home_share_pct"],
            "Second authority": frame["second_la_name"],
            "Second patients (rounded)": frame["second_patients"],
            "Second share (%)": frame["second_share_pct"],
            "Authorities with patients": frame["n_authorities"],
            "Where patients live (% from rounded counts)": frame["split"],
        }
    )
    shown = export.copy()
    for column in (
        "Patients (rounded)",
        "Home patients (rounded)",
        "Home share (%)",
        "Second patients (rounded)",
        "Second share (%)",
    ):
        shown[column] = pd.to_numeric(shown[column], errors="coerce")
    return shown, export


def comparison_table(comparison: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Residence- against area-based home authority of each unit, with the verdict.

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> table = comparison_table(toy_figures()["alignment_comparison"], {})
    >>> table[["Code", "Area there (%)", "Verdict"]]
         Code  Area there (%)                                          Verdict
    0  A00004             NaN                                     No footprint
    1  U00001           100.0                Same home authority, same verdict
    2  U00002            90.0  Different home: most area is sparsely populated
    3  U00003           100.0                                      No patients
    """
    frame, leading = _unit_columns(
        comparison,
        "comparison",
        ["residence_home_name", "area_home_name", "category", "explanation"],
        names=names,
    )
    return pd.DataFrame(
        {
            **leading,
            "Home by patients": frame["residence_home_name"],
            "Patients there (%)": _percent(frame["residence_home_share"]),
            "Home by area": frame["area_home_name"],
            "Area there (%)": _percent(frame["area_home_share"]),
            "Straddles by patients": _yes_no(frame["residence_straddles"]),
            "Straddles by area": _yes_no(frame["area_straddles"]),
            "Verdict": frame["category"].map(COMPARISON_VERDICTS),
            "Why": frame["explanation"],
        }
    )


def area_shares_table(area: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Each footprint's area in each authority (``area_shares``).

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> area_shares_table(toy_figures()["area_shares"], {"U00002": "South"}).iloc[[1], 2:]
      Local authority  Area (km²)  Share of footprint (%)
    1      Fieldshire         9.0                    90.0
    """
    frame, leading = _unit_columns(area, "area", ["la_name", "area_km2", "share"], names=names)
    return pd.DataFrame(
        {
            **leading,
            "Local authority": frame["la_name"],
            "Area (km²)": frame["area_km2"].round(2),
            "Share of footprint (%)": _percent(frame["share"]),
        }
    )


def flow_table(flows: pd.DataFrame) -> pd.DataFrame:
    """Patients flowing to and from other ICSs (``cross_boundary_flows``).

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> flow_table(toy_figures()["cross_boundary_flows"]).iloc[:2, 2:]
            Code  Patients (Jul 2022)  Share (%)
    0        QBB                  300       12.0
    1  W92000004                   15        0.6
    """
    frame = require_frame(
        flows, ["direction", "other_name", "other_code", "patients", "share"], "flows"
    )
    return pd.DataFrame(
        {
            "Direction": frame["direction"].map(_FLOW_DIRECTIONS),
            "Other ICS (or Wales / unknown)": frame["other_name"],
            "Code": frame["other_code"],
            "Patients (Jul 2022)": frame["patients"],
            "Share (%)": _percent(frame["share"], 2),
        }
    )


def place_flow_matrix(place_flows: pd.DataFrame, place_names: Sequence[str]) -> pd.DataFrame:
    """Patients by place of residence (rows) and place of registration (columns).

    Other ICSs, Wales and unknown addresses are pooled into one row or column each;
    places come first, in ``place_names`` order.

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> place_flow_matrix(toy_figures()["place_flows"], ["Town", "Country"])
       Residents of  Town  Other ICSs
    0          Town  1980          50
    1       Country   200         300
    2    Other ICSs   300           0
    3  Unknown LSOA     5           0
    4         Wales    15           0
    """
    flows = require_frame(
        place_flows,
        ["from_name", "from_kind", "to_name", "to_kind", "patients"],
        "place_flows",
    )
    to = flows["to_name"].where(flows["to_kind"] == "place", "Other ICSs")
    frm = flows["from_name"].where(
        flows["from_kind"] == "place", flows["from_kind"].map(_FROM_KINDS)
    )
    pivot = (
        flows.assign(_from=frm, _to=to)
        .pivot_table(index="_from", columns="_to", values="patients", aggfunc="sum", fill_value=0)
        .rename_axis(index="Residents of", columns=None)
    )
    rows = [n for n in place_names if n in pivot.index]
    rows += [r for r in pivot.index if r not in rows]
    columns = [n for n in place_names if n in pivot.columns]
    columns += [c for c in pivot.columns if c not in columns]
    return pivot.loc[rows, columns].reset_index()


def flow_lsoa_table(rows: pd.DataFrame, lsoa_names: Mapping[str, str]) -> pd.DataFrame:
    """One flow LSOA by LSOA (rows of ``flow_concentration`` for one flow).

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> flow = toy_figures()["flow_concentration"].head(2)
    >>> flow_lsoa_table(flow, {"E01000003": "Field 1"})[["LSOA", "Share of the flow (%)"]]
            LSOA  Share of the flow (%)
    0    Field 1                  85.71
    1  E01000002                  14.29
    """
    frame = require_frame(rows, ["lsoa_code", "patients", "share_of_flow", "share_of_lsoa"], "rows")
    names = frame["lsoa_code"].map(lsoa_names).fillna(frame["lsoa_code"].map(AREA_NAMES))
    return pd.DataFrame(
        {
            "LSOA": names.fillna(frame["lsoa_code"]),
            "LSOA code": frame["lsoa_code"],
            "Patients in the flow": frame["patients"],
            "Share of the flow (%)": _percent(frame["share_of_flow"], 2),
            "Share of the LSOA's registered residents (%)": _percent(frame["share_of_lsoa"], 2),
        }
    )


def lineage_table(lineage: pd.DataFrame) -> pd.DataFrame:
    """The former CCGs that formed the ICB (``merger_lineage``).

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> lineage_table(toy_figures()["merger_lineage"]).iloc[:, [5, 6, 7]]
       Share of the ICB (%)  Share of the CCG now in this ICB (%) Moved whole
    0                  78.6                                 100.0         Yes
    1                  21.4                                  40.0          No
    """
    frame = require_frame(
        lineage, ["ccg21_name", "ccg21_code", "stp21_name", "n_lsoas", "population"], "lineage"
    )
    return pd.DataFrame(
        {
            "Former CCG (April 2021)": frame["ccg21_name"],
            "CCG code": frame["ccg21_code"],
            "STP": frame["stp21_name"],
            "LSOAs": frame["n_lsoas"],
            "Residents in this ICB (mid-2020)": frame["population"],
            "Share of the ICB (%)": _percent(frame["share_of_icb"]),
            "Share of the CCG now in this ICB (%)": _percent(frame["share_of_predecessor"]),
            "Moved whole": _yes_no(frame["whole"]),
            "Other ICBs that took part of it": frame["other_icbs"],
        }
    )


def split_table(split: pd.DataFrame) -> pd.DataFrame:
    """Authorities split between ICBs (``split_authorities``).

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> split_table(toy_figures()["split_authorities"])[["ICB", "Share of the authority (%)"]]
         ICB  Share of the authority (%)
    0   Beta                        60.0
    1  Alpha                        40.0
    """
    frame = require_frame(
        split, ["la_name", "la_code", "icb_name", "icb_code", "n_lsoas", "population"], "split"
    )
    return pd.DataFrame(
        {
            "Local authority": frame["la_name"],
            "Code": frame["la_code"],
            "ICB": frame["icb_name"],
            "ICB code": frame["icb_code"],
            "LSOAs": frame["n_lsoas"],
            "Residents (mid-2020)": frame["population"],
            "Share of the authority (%)": _percent(frame["share_of_la"]),
        }
    )


def place_glance_table(summary: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Every place at a glance (``place_summary`` at the same ``threshold``).

    Examples
    --------
    >>> from layers.alignment.examples import toy_figures
    >>> table = place_glance_table(toy_figures()["place_summary"], 0.9)
    >>> table.set_index("Place")["Straddling (under 90%)"].to_dict()
    {'Town': 2, 'Country': 0}
    """
    frame = require_frame(
        summary, ["place_name", "la_names", "population", "resident_patients"], "summary"
    )
    return pd.DataFrame(
        {
            "Place": frame["place_name"],
            "Local authorities": frame["la_names"],
            "Residents (mid-2020)": frame["population"],
            "Residents registered (Jul 2022)": frame["resident_patients"],
            "With this ICS's practices (%)": _percent(frame["residents_at_icb_practices_share"]),
            "Largest flow to another ICS": frame["top_outflow"],
            "PCNs homed here": frame["n_home_pcns"],
            "Residents with home PCNs (%)": _percent(frame["residents_coterminosity"]),
            "Home PCNs' patients living here (%)": _percent(frame["home_units_coterminosity"]),
            f"Straddling (under {check_threshold(threshold):.0%})": frame["n_straddling"],
            "Split authorities": frame["split_authorities"],
            # 2022: the April 2021 CCGs; 2026: the April 2024 sub-ICB locations.
            **(
                {"Former CCGs": frame["ccg21_names"]}
                if "ccg21_names" in frame.columns
                else {"Sub-ICB locations (April 2024)": frame["sicbl_names"]}
            ),
        }
    )
