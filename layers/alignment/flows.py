"""Cross-boundary flows: residents registered with practices elsewhere, and back.

A flow runs from where patients live (an LSOA's ICB or place) to where they
are registered (the practice's ICB or place). Inside the chosen ICB the ends
can be places; outside it they are ICB codes, plus ``W92000004`` (Wales) and
``unknown`` for residences missing from ``lsoas``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from layers.alignment._core import (
    UNASSIGNED_CODE,
    UNKNOWN_CODE,
    WALES_CODE,
    Context,
    LaLevel,
    Places,
    Tab,
    check_icb_code,
    check_la_level,
    homes,
    name_of,
    resolve_places,
)
from layers.alignment._docs import alignment_doc

__all__ = ["cross_boundary_flows", "flow_concentration", "ics_flow_summary", "place_flows"]

FlowLevel = Literal["icb", "place"]


@dataclass(frozen=True)
class _Keys:
    """Flow ends for one ICB: practice → destination, LSOA → origin."""

    to_of_practice: np.ndarray  # aligned with the practices table
    from_of_lsoa: np.ndarray  # aligned with the lsoas table
    names: pd.Series
    own: pd.Index  # codes of the ICB itself (its code, or its places)
    area_key: tuple  # memo key of the practices × origins table

    def flows(self, ctx: Context) -> Tab:
        """Destinations × origins, England-wide."""
        by_practice = ctx.by_practice(self.area_key, self.from_of_lsoa)
        return ctx.group(by_practice, self.to_of_practice)


def _practice_icb(practices: pd.DataFrame) -> np.ndarray:
    icb = practices["icb_code"].to_numpy(dtype=object)
    return np.where(pd.isna(icb), UNKNOWN_CODE, icb)


def _keys(
    ctx: Context,
    icb_code: str,
    level: str,
    places: pd.DataFrame | None,
    la_level: str,
) -> _Keys:
    key = ("flow_keys", icb_code, level, id(places), la_level)
    return ctx.memo(key, lambda: _compute_keys(ctx, icb_code, level, places, la_level))


def _place_key(icb_code: str, places: pd.DataFrame | None, la_level: str) -> tuple:
    """Memo key of an ICB's places, and of its practices × places table."""
    return ("places", icb_code, id(places), la_level)


def _places(ctx: Context, icb_code: str, places: pd.DataFrame | None, la_level: str) -> Places:
    key = _place_key(icb_code, places, la_level)
    return ctx.memo(key, lambda: resolve_places(ctx, icb_code, places, check_la_level(la_level)))


def _by_place(ctx: Context, icb_code: str, places: pd.DataFrame | None, la_level: str) -> Tab:
    """Every practice × the ICB's places (areas outside the ICB as they are).

    Flows, place units and place summaries all read this table; one key for all of
    them (:func:`_place_key`) is what makes it tabulated once per context.

    Parameters
    ----------
    ctx : Context
        The shared tables.
    icb_code : str
        The ICB.
    places : DataFrame or None
        The ICB's places (None: every authority at ``la_level``).
    la_level : str
        Authority level of the default places.

    Returns
    -------
    Tab
        Practices × areas, memoised on ``ctx`` (read-only).
    """
    resolved = _places(ctx, icb_code, places, la_level)
    key = _place_key(icb_code, places, la_level)
    return ctx.by_practice(key, resolved.area_of_lsoa.to_numpy(dtype=object))


def _compute_keys(
    ctx: Context,
    icb_code: str,
    level: str,
    places: pd.DataFrame | None,
    la_level: str,
) -> _Keys:
    prac = ctx.practices
    lsoa_icb = ctx.column("icb_code")
    check_icb_code(icb_code, pd.Series(lsoa_icb), "lsoas['icb_code']")
    if level not in ("icb", "place"):
        raise ValueError(f"level must be 'icb' or 'place', got {level!r}.")
    practice_icb = _practice_icb(prac)
    if level == "icb":
        return _Keys(practice_icb, lsoa_icb, ctx.icb_names(), pd.Index([icb_code]), ("icb",))

    resolved = _places(ctx, icb_code, places, la_level)
    area_key = _place_key(icb_code, places, la_level)
    area_of_lsoa = resolved.area_of_lsoa.to_numpy(dtype=object)
    # A practice's place: its own place_code if given, else where its PCN (or the
    # practice itself, when in no PCN) has most patients among the ICB's places.
    units = ctx.units("pcn")
    is_own = (units["icb_code"] == icb_code).to_numpy()
    tab = ctx.group(
        _by_place(ctx, icb_code, places, la_level),
        units["unit_code"].to_numpy(dtype=object),
        is_own,
    )
    home = homes(tab, exclude=tab.areas.difference(resolved.codes))
    unit_place = pd.Series(home["home_code"].to_numpy(dtype=object), index=tab.units)
    derived = units["unit_code"].map(unit_place)
    if "place_code" in prac.columns:
        given = pd.Series(prac["place_code"].to_numpy(dtype=object), index=units.index)
        derived = given.where(given.notna(), derived)
    to_code = np.where(is_own, derived.fillna(UNASSIGNED_CODE), practice_icb)
    own = resolved.codes.union(pd.Index([UNASSIGNED_CODE], dtype=object), sort=False)
    return _Keys(to_code, area_of_lsoa, resolved.names, own, area_key)


def _kind(codes: pd.Series, own: pd.Index, level: str) -> np.ndarray:
    own_kind = "icb" if level == "icb" else "place"
    return np.select(
        [codes.isin(own), codes == WALES_CODE, codes == UNKNOWN_CODE],
        [own_kind, "wales", "unknown"],
        default="icb",
    )


@alignment_doc
def ics_flow_summary(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    icb_code: str,
) -> pd.DataFrame:
    """Headline cross-boundary figures for one ICB, in both directions.

    Parameters
    ----------
    registrations : DataFrame
        practice_code, lsoa_code, patients, England-wide.
    lsoas : DataFrame
        lsoa_code, icb_code, England-wide.
    practices : DataFrame
        practice_code, pcn_code, icb_code, every registered practice (practices
        in no PCN carry their commissioner's ICB).
    %(icb_code)s

    Returns
    -------
    DataFrame
        One row: icb_code, n_practices, n_practices_no_pcn, practice_patients
        (registered with the ICB's practices), practice_patients_resident (of
        them, living in the ICB), practice_resident_share, inflow_patients (living
        elsewhere, incl. Wales and unknown), resident_patients (living in the ICB,
        registered anywhere), residents_registered_in_icb,
        resident_retention_share, outflow_patients.

    Raises
    ------
    TypeError, ValueError
        On wrong types, missing columns, an unknown ICB or unlisted practices.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> row = ics_flow_summary(toy.registrations, toy.lsoas, toy.practices, "QAA").iloc[0]
    >>> int(row["practice_patients"]), int(row["practice_patients_resident"])
    (2500, 2180)
    >>> round(float(row["practice_resident_share"]), 4), int(row["outflow_patients"])
    (0.872, 350)
    """
    ctx = Context(registrations, lsoas, practices)
    return _ics_flow_summary(ctx, icb_code)


def _ics_flow_summary(ctx: Context, icb_code: str) -> pd.DataFrame:
    keys = _keys(ctx, icb_code, "icb", None, "ltla")
    tab = keys.flows(ctx)
    row = tab.units.get_loc(icb_code) if icb_code in tab.units else None
    col = tab.areas.get_loc(icb_code) if icb_code in tab.areas else None
    practice_patients = int(tab.counts[row].sum()) if row is not None else 0
    resident = int(tab.counts[:, col].sum()) if col is not None else 0
    both = int(tab.counts[row, col]) if row is not None and col is not None else 0
    own = (ctx.practices["icb_code"] == icb_code).to_numpy()
    prac = ctx.practices.loc[own, ["practice_code", "pcn_code"]]
    registered = pd.Index(ctx.practice_codes[own], dtype=object).isin(tab.practices)
    out = {
        "icb_code": icb_code,
        "n_practices": int(registered.sum()),
        "n_practices_no_pcn": int((registered & prac["pcn_code"].isna()).sum()),
        "practice_patients": practice_patients,
        "practice_patients_resident": both,
        "practice_resident_share": both / practice_patients if practice_patients else np.nan,
        "inflow_patients": practice_patients - both,
        "resident_patients": resident,
        "residents_registered_in_icb": both,
        "resident_retention_share": both / resident if resident else np.nan,
        "outflow_patients": resident - both,
    }
    return pd.DataFrame([out]).astype({"icb_code": "str"})


@alignment_doc
def cross_boundary_flows(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    icb_code: str,
) -> pd.DataFrame:
    """ICB residents registered in other ICBs (outflow) and the reverse (inflow).

    Parameters
    ----------
    registrations, lsoas, practices : DataFrame
        As for :func:`ics_flow_summary` (``lsoas`` may carry icb_name).
    %(icb_code)s

    Returns
    -------
    DataFrame
        One row per direction × other ICB: direction ("outflow": residents
        registered with that ICB's practices; "inflow": that ICB's residents
        registered here), other_code, other_name, patients, share (of the ICB's
        registered residents for outflow, of its practices' patients for
        inflow). Sorted by direction, then patients descending.

    Raises
    ------
    TypeError, ValueError
        As for :func:`ics_flow_summary`.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> flows = cross_boundary_flows(toy.registrations, toy.lsoas, toy.practices, "QAA")
    >>> print(flows.round(4).to_string(index=False))
    direction other_code   other_name  patients  share
       inflow        QBB         Beta       300 0.1200
       inflow  W92000004        Wales        15 0.0060
       inflow    unknown Unknown LSOA         5 0.0020
      outflow        QBB         Beta       350 0.1383
    """
    ctx = Context(registrations, lsoas, practices)
    return _cross_boundary_flows(ctx, icb_code)


def _cross_boundary_flows(ctx: Context, icb_code: str) -> pd.DataFrame:
    keys = _keys(ctx, icb_code, "icb", None, "ltla")
    long = keys.flows(ctx).long()
    outflow = long.loc[(long["area_code"] == icb_code) & (long["unit_code"] != icb_code)]
    inflow = long.loc[(long["unit_code"] == icb_code) & (long["area_code"] != icb_code)]
    resident = long.loc[long["area_code"] == icb_code, "patients"].sum()
    registered = long.loc[long["unit_code"] == icb_code, "patients"].sum()
    parts = [
        pd.DataFrame(
            {
                "direction": "outflow",
                "other_code": outflow["unit_code"].to_numpy(dtype=object),
                "patients": outflow["patients"].to_numpy(dtype=np.int64),
                "share": outflow["patients"].to_numpy() / max(resident, 1),
            }
        ),
        pd.DataFrame(
            {
                "direction": "inflow",
                "other_code": inflow["area_code"].to_numpy(dtype=object),
                "patients": inflow["patients"].to_numpy(dtype=np.int64),
                "share": inflow["patients"].to_numpy() / max(registered, 1),
            }
        ),
    ]
    out = pd.concat(parts, ignore_index=True)
    out.insert(2, "other_name", name_of(out["other_code"], keys.names))
    out = out.sort_values(["direction", "patients", "other_code"], ascending=[True, False, True])
    out = out.reset_index(drop=True)
    return out.astype({"direction": "str", "other_code": "str", "other_name": "str"})


@alignment_doc
def place_flows(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    icb_code: str,
    *,
    places: pd.DataFrame | None = None,
    la_level: LaLevel = "ltla",
) -> pd.DataFrame:
    """Flows between the ICB's places (and to / from other ICBs).

    Parameters
    ----------
    registrations, lsoas, practices : DataFrame
        As for :func:`ics_flow_summary`; ``lsoas`` also needs the authority
        codes used by the places. A ``place_code`` column in ``practices``,
        where present, sets an ICB practice's place.
    %(icb_code)s
    places : DataFrame, optional
        place_name and ltla_code or utla_code (one row per member authority;
        place_code and icb_code optional), e.g. the ``place_presets`` table.
        Default: every authority at ``la_level`` in the ICB is a place.
    %(places_la_level)s

    Returns
    -------
    DataFrame
        One row per (from, to) pair with patients: from_code, from_name,
        from_kind, to_code, to_name, to_kind (kinds: "place", "icb", "wales",
        "unknown"), patients, share_of_from (of the place's registered
        residents; NaN outside the ICB), share_of_to (of the place's practices'
        patients; NaN outside). A practice's place is where its PCN (or the
        practice, when in no PCN) has most patients among the places.

    Raises
    ------
    TypeError, ValueError
        As for :func:`ics_flow_summary`; also for malformed ``places``.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> flows = place_flows(toy.registrations, toy.lsoas, toy.practices, "QAA",
    ...                     places=toy.places)
    >>> print(flows[["from_name", "to_name", "patients"]].to_string(index=False))
       from_name to_name  patients
            Town    Town      1980
            Town    Beta        50
         Country    Town       200
         Country    Beta       300
            Beta    Town       300
           Wales    Town        15
    Unknown LSOA    Town         5
    """
    ctx = Context(registrations, lsoas, practices)
    return _place_flows(ctx, icb_code, places, la_level)


def _place_flows(
    ctx: Context, icb_code: str, places: pd.DataFrame | None, la_level: str
) -> pd.DataFrame:
    keys = _keys(ctx, icb_code, "place", places, la_level)
    tab = keys.flows(ctx)
    long = tab.long()
    ours = long["area_code"].isin(keys.own) | long["unit_code"].isin(keys.own)
    long = long.loc[ours.to_numpy()]
    from_total = pd.Series(tab.counts.sum(axis=0), index=tab.areas)
    to_total = pd.Series(tab.counts.sum(axis=1), index=tab.units)
    out = pd.DataFrame(
        {
            "from_code": long["area_code"].to_numpy(dtype=object),
            "to_code": long["unit_code"].to_numpy(dtype=object),
            "patients": long["patients"].to_numpy(dtype=np.int64),
        }
    )
    out["from_kind"] = _kind(out["from_code"], keys.own, "place")
    out["to_kind"] = _kind(out["to_code"], keys.own, "place")
    out["share_of_from"] = (
        out["patients"] / from_total.reindex(out["from_code"]).to_numpy()
    ).where(out["from_kind"] == "place")
    out["share_of_to"] = (out["patients"] / to_total.reindex(out["to_code"]).to_numpy()).where(
        out["to_kind"] == "place"
    )
    out["from_name"] = name_of(out["from_code"], keys.names)
    out["to_name"] = name_of(out["to_code"], keys.names)
    # ICB places first (input order), then other ICBs, Wales, unknown.
    rank = {code: i for i, code in enumerate(keys.own)}
    kind_rank = {"place": 0, "icb": 1, "wales": 2, "unknown": 3}
    out["_f"] = out["from_kind"].map(kind_rank) * 10_000 + out["from_code"].map(rank).fillna(0)
    out["_t"] = out["to_kind"].map(kind_rank) * 10_000 + out["to_code"].map(rank).fillna(0)
    out = out.sort_values(["_f", "from_code", "_t", "to_code"]).reset_index(drop=True)
    columns = ["from_code", "from_name", "from_kind", "to_code", "to_name", "to_kind"]
    out = out[[*columns, "patients", "share_of_from", "share_of_to"]]
    return out.astype({c: "str" for c in columns})


@alignment_doc
def flow_concentration(
    registrations: pd.DataFrame,
    lsoas: pd.DataFrame,
    practices: pd.DataFrame,
    icb_code: str,
    *,
    level: FlowLevel = "icb",
    places: pd.DataFrame | None = None,
    la_level: LaLevel = "ltla",
) -> pd.DataFrame:
    """Where each cross-boundary flow concentrates, LSOA by LSOA (for a map).

    Parameters
    ----------
    registrations, lsoas, practices : DataFrame
        As for :func:`place_flows`.
    %(icb_code)s
    level : {"icb", "place"}
        Flows between ICBs, or between the ICB's places (and other ICBs).
    places : DataFrame, optional
        As for :func:`place_flows`; used when ``level="place"``.
    %(places_la_level)s

    Returns
    -------
    DataFrame
        One row per LSOA of residence × crossing flow: lsoa_code (Welsh and
        unknown residences pooled as ``W92000004`` / ``unknown``), from_code,
        from_name, to_code, to_name, patients, share_of_flow (of the whole
        from → to flow; sums to 1 per flow), share_of_lsoa (of the LSOA's
        registered residents, England-wide; NaN for pooled rows). Sorted by flow, then patients
        descending.

    Raises
    ------
    TypeError, ValueError
        As for :func:`place_flows`; also for an unknown ``level``.

    Examples
    --------
    >>> from layers.alignment.examples import toy_geography
    >>> toy = toy_geography()
    >>> conc = flow_concentration(toy.registrations, toy.lsoas, toy.practices, "QAA")
    >>> out = conc.loc[conc["to_code"] == "QBB", ["lsoa_code", "patients", "share_of_flow"]]
    >>> print(out.round(4).to_string(index=False))
    lsoa_code  patients  share_of_flow
    E01000003       300         0.8571
    E01000002        50         0.1429
    """
    ctx = Context(registrations, lsoas, practices)
    return _flow_concentration(ctx, icb_code, level, places, la_level)


def _flow_concentration(
    ctx: Context, icb_code: str, level: str, places: pd.DataFrame | None, la_level: str
) -> pd.DataFrame:
    keys = _keys(ctx, icb_code, level, places, la_level)
    # Units are destinations, areas the LSOAs themselves (Welsh / unknown pooled).
    lsoa, prac = ctx.lsoas, ctx.practices
    rows = ctx.practice_rows(prac.loc[prac["icb_code"] == icb_code, "practice_code"])
    rows |= ctx.lsoa_rows(lsoa.loc[lsoa["icb_code"] == icb_code, "lsoa_code"])
    tab = ctx.tabulate(keys.to_of_practice, ctx.lsoa_codes, rows)
    areas = tab.areas.to_numpy(dtype=object)
    pos = ctx.lsoa_position(areas)
    origin = np.where(pos >= 0, keys.from_of_lsoa[pos], areas)
    from_idx, from_codes = pd.factorize(origin, sort=True)

    to_i, area_i = np.nonzero(tab.counts)
    to_code, from_code = tab.units.to_numpy(dtype=object)[to_i], origin[area_i]
    crossing = to_code != from_code
    to_i, area_i = to_i[crossing], area_i[crossing]
    to_code, from_code = to_code[crossing], from_code[crossing]
    patients = tab.counts[to_i, area_i]
    flow = to_i * len(from_codes) + from_idx[area_i]
    flow_total = np.bincount(flow, weights=patients)[flow]
    # LSOA totals England-wide (outside the ICB only its practices' rows are in
    # scope); pooled Welsh / unknown residences have none: NaN.
    lsoa_total = ctx.lsoa_totals()
    total = np.where(pos >= 0, lsoa_total[np.maximum(ctx.unique_position(areas), 0)], np.nan)
    order = np.lexsort((area_i, -patients, to_i, from_idx[area_i]))
    out = pd.DataFrame(
        {
            "lsoa_code": areas[area_i][order],
            "from_code": from_code[order],
            "from_name": name_of(from_code[order], keys.names),
            "to_code": to_code[order],
            "to_name": name_of(to_code[order], keys.names),
            "patients": patients[order].astype(np.int64),
            "share_of_flow": (patients / flow_total)[order],
            "share_of_lsoa": (patients / total[area_i])[order],
        }
    )
    columns = ["lsoa_code", "from_code", "from_name", "to_code", "to_name"]
    return out.astype({c: "str" for c in columns})
