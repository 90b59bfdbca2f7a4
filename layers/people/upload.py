"""The dashboard's side: accept an uploaded aggregates file, and shape it for the pages.

The dashboard reads aggregates, never rows. :func:`validate_aggregates_upload` takes the
uploaded bytes and either returns an :class:`AggregatesUpload` or raises
:class:`layers.uploads.UploadError` with a message for the user: a person-level file,
a file that fails :func:`layers.people.check.check_table`, or anything that is not an
aggregates file is refused.

:func:`upload_risk_tiers` and :func:`upload_at_risk` turn accepted aggregates into the
frames the tiers and inequality pages already draw (:func:`layers.tiers.risk_tiers_by_unit`
and :func:`layers.indicators.at_risk_counts`), from the **published** cells: nothing is
re-derived from rows, and every figure is one the file already shows (or a sum of
them). They describe the real configuration of units; a what-if regrouping of practices
would need sums of rounded practice cells, which these functions do not make.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd

from layers.disclosure import SUPPRESSED, shares_from_rounded
from layers.indicators import Indicator, at_risk_prevalence, indicator_spec
from layers.people.check import CheckResult, check_source
from layers.people.cube import ALL, CELL_KEYS
from layers.people.engines import ENGINES
from layers.people.errors import PeopleError
from layers.risk import RISK_TIERS
from layers.tiers import NO_PCN_CODE
from layers.uploads.errors import UploadError
from layers.uploads.sandbox import run_bounded
from layers.uploads.text import as_bytes, check_size
from layers.vintages import DEFAULT_VINTAGE, VINTAGES

__all__ = [
    "UNIT_LAYERS",
    "AggregatesUpload",
    "upload_at_risk",
    "upload_at_risk_indicator",
    "upload_at_risk_prevalence",
    "upload_risk_tiers",
    "validate_aggregates_upload",
]

#: Layers of the tiers page → levels of the aggregates file.
UNIT_LAYERS: Final = {"practice": "practice", "pcn": "pcn", "place": "place", "ics": "ics"}
_PARQUET_MAGIC: Final = b"PAR1"
_CORE20: Final = ("1", "2")
_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class AggregatesUpload:
    """An accepted aggregates file.

    Attributes
    ----------
    cells : pandas.DataFrame
        :data:`layers.people.cube.CELL_KEYS` and ``people`` (Int64, NA = suppressed).
    metadata : dict
        The file's metadata (rule, engine, vintage, created, rounded summary).
    """

    cells: pd.DataFrame
    metadata: dict

    @property
    def icb_codes(self) -> tuple[str, ...]:
        """The systems the file covers."""
        return tuple(sorted(self.cells.loc[self.cells["level"] == "ics", "icb_code"].unique()))

    @property
    def vintage(self) -> str:
        """The data vintage the file was made with (``"2022"`` or ``"2026"``)."""
        return str(self.metadata.get("vintage", ""))

    @property
    def engine(self) -> str:
        """The engine that made the file, if it is one of :data:`ENGINES` (else "unknown")."""
        engine = str(self.metadata.get("engine", ""))
        return engine if engine in ENGINES else "unknown"

    @property
    def created(self) -> str:
        """The day the file was made (``YYYY-MM-DD``), or "unknown"."""
        day = str(self.metadata.get("created", ""))[:10]
        return day if _DAY.fullmatch(day) else "unknown"

    @property
    def label(self) -> str:
        """How pages label these figures: the user's own data, for this session.

        Only checked values of the metadata are quoted (a file's free text could hold
        markup), so the label is safe to show as it is.
        """
        return (
            f"Your data: aggregates uploaded for this session (made {self.created} with "
            f"the {self.engine} engine, {self.vintage} vintage). Counts are rounded to 5; "
            "* is suppressed."
        )


def validate_aggregates_upload(raw_bytes: bytes) -> AggregatesUpload:
    r"""Accept an uploaded aggregates file, or refuse it with a message for the user.

    Parameters
    ----------
    raw_bytes : bytes
        The uploaded file (``UploadedFile.getvalue()``).

    Returns
    -------
    AggregatesUpload

    Raises
    ------
    UploadError
        If the file is empty or too large, not Parquet, holds person-level rows, is not
        an aggregates file, or fails the disclosure check (the message lists why).
    TypeError
        If ``raw_bytes`` is not bytes.

    Examples
    --------
    >>> try:
    ...     validate_aggregates_upload(b"person_id,age\n1,40\n")
    ... except UploadError as err:
    ...     print(str(err).split(":")[0])
    This is not an aggregates file
    """
    raw = as_bytes(raw_bytes)
    check_size(raw)
    if not (raw.startswith(_PARQUET_MAGIC) and raw.endswith(_PARQUET_MAGIC)):
        raise UploadError(
            "This is not an aggregates file: it is not Parquet. Upload the .parquet file "
            "that `python -m layers.people aggregate` wrote."
        )
    # Reading runs in a bounded child process, as every upload's parse does: a small
    # file can decompress to gigabytes.
    checked = run_bounded(_check_bytes, raw)
    problems = list(checked.problems)
    if problems:
        head = problems[0] if len(problems) == 1 else f"{len(problems)} problems:"
        lines = [] if len(problems) == 1 else [f"- {p}" for p in problems]
        raise UploadError("\n".join(["The file was refused. " + head, *lines]))
    cells, metadata = checked.cells[[*CELL_KEYS, "people"]], dict(checked.metadata or {})
    if str(metadata.get("vintage")) not in VINTAGES:
        raise UploadError(
            "The file was refused: its metadata does not name a data vintage this product "
            f"knows ({' or '.join(VINTAGES)}). Make it again with `python -m layers.people "
            "aggregate`."
        )
    return AggregatesUpload(cells=cells.reset_index(drop=True), metadata=metadata)


def _check_bytes(raw: bytes) -> CheckResult:
    """Read and check an aggregates file's bytes (in the bounded child process).

    The keys of a file that passes come back as categories: a session holds an
    England file in about 14 MB instead of 80.
    """
    try:
        checked = check_source(raw)
    except PeopleError as exc:
        raise UploadError(str(exc)) from None
    if checked.problems or checked.cells is None:
        return checked
    return replace(checked, cells=checked.cells.astype(dict.fromkeys(CELL_KEYS, "category")))


def _unit_cells(upload: AggregatesUpload, layer: str, icb_code: str) -> pd.DataFrame:
    if layer not in UNIT_LAYERS:
        raise ValueError(f"layer must be one of {', '.join(UNIT_LAYERS)}, got {layer!r}")
    cells = upload.cells
    chosen = cells[(cells["level"] == UNIT_LAYERS[layer]) & (cells["icb_code"] == icb_code)]
    if chosen.empty:
        raise UploadError(
            f"The uploaded aggregates have no {layer} figures for {icb_code}; they cover "
            f"{', '.join(upload.icb_codes) or 'no system'}."
        )
    return chosen


def _pivot(cells: pd.DataFrame, mask: pd.Series, column: str) -> pd.DataFrame:
    """unit_code × risk_tier of published values (NaN where suppressed)."""
    part = cells[mask]
    values = part["people"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    frame = pd.DataFrame(
        {"unit_code": part["unit_code"].to_numpy(), column: part[column].to_numpy(), "v": values}
    )
    return frame.pivot(index="unit_code", columns=column, values="v")


def upload_risk_tiers(
    upload: AggregatesUpload,
    layer: str,
    icb_code: str,
    *,
    names: pd.Series | dict | None = None,
    numeric: bool = False,
) -> pd.DataFrame:
    """Risk tiers by unit from uploaded aggregates, as :func:`layers.tiers.risk_tiers_by_unit`.

    Parameters
    ----------
    upload : AggregatesUpload
    layer : {"practice", "pcn", "place", "ics"}
    icb_code : str
        The system shown.
    names : mapping of code to name, optional
        Unit names (e.g. from :func:`layers.tiers.unit_mapping`); default the codes.
    numeric : bool, default False
        False: ``"*"`` and ints (as the pages show); True: floats with NaN.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``name``, ``low``, ``rising``, ``high``, ``total``,
        ``<tier>_imd_1_2`` (published deciles 1 and 2 added; ``*`` if either is
        suppressed) and ``<tier>_imd_1_2_pct`` (from those published figures); sorted
        by name, the no-PCN unit last.

    Raises
    ------
    UploadError
        If the file has no figures for that system and layer.
    """
    cells = _unit_cells(upload, layer, icb_code)
    margins = cells["imd_decile"].eq(ALL) & cells["age_band"].eq(ALL)
    tiers = _pivot(cells, margins, "risk_tier").reindex(columns=[*RISK_TIERS, ALL])
    deciles = cells["age_band"].eq(ALL) & cells["imd_decile"].isin(_CORE20)
    core = cells[deciles & cells["risk_tier"].isin(RISK_TIERS)]
    core_values = core["people"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    core20 = (
        pd.DataFrame(
            {
                "unit_code": core["unit_code"].to_numpy(),
                "risk_tier": core["risk_tier"].to_numpy(),
                "v": core_values,
            }
        )
        .groupby(["unit_code", "risk_tier"])["v"]
        .sum(min_count=2)
        .unstack()
        .reindex(index=tiers.index, columns=list(RISK_TIERS))
    )
    out = pd.DataFrame({"code": tiers.index.to_numpy()})
    lookup = pd.Series(names) if names is not None else pd.Series(dtype=object)
    named = out["code"].map(lookup).astype(object)
    out["name"] = named.where(named.notna(), out["code"]).to_numpy()
    for tier in RISK_TIERS:
        out[tier] = tiers[tier].to_numpy()
    out["total"] = tiers[ALL].to_numpy()
    for tier in RISK_TIERS:
        out[f"{tier}_imd_1_2"] = core20[tier].to_numpy()
    for tier in RISK_TIERS:
        num = out[f"{tier}_imd_1_2"].to_numpy()
        den = out[tier].to_numpy()
        known = ~np.isnan(num) & ~np.isnan(den)
        pct = np.full(len(out), np.nan)
        if known.any():
            pct[known] = shares_from_rounded(
                num[known].astype(np.int64), den[known].astype(np.int64), numeric=True
            ).to_numpy()
        out[f"{tier}_imd_1_2_pct"] = pct
    if not numeric:
        for column in [c for c in out.columns if c not in ("code", "name")]:
            values = out[column].to_numpy()
            keep = column.endswith("_pct")
            shown = [SUPPRESSED if np.isnan(v) else (v if keep else int(v)) for v in values]
            out[column] = pd.Series(shown, dtype=object)
    out["_last"] = out["code"] == NO_PCN_CODE
    out = out.sort_values(["_last", "name", "code"]).drop(columns="_last")
    return out.reset_index(drop=True)


def upload_at_risk(upload: AggregatesUpload, icb_code: str) -> pd.DataFrame:
    """People, and people at rising or high risk, per practice (as ``at_risk_counts``).

    Parameters
    ----------
    upload : AggregatesUpload
    icb_code : str

    Returns
    -------
    pandas.DataFrame
        ``practice_code``, ``people``, ``at_risk`` (published rising + high) and
        ``high``, as floats: published figures, NaN where a figure is suppressed.
        Practices with no people are left out.
    """
    cells = _unit_cells(upload, "practice", icb_code)
    margins = cells["imd_decile"].eq(ALL) & cells["age_band"].eq(ALL)
    tiers = _pivot(cells, margins, "risk_tier").reindex(columns=[*RISK_TIERS, ALL])
    out = pd.DataFrame(
        {
            "practice_code": tiers.index.to_numpy(),
            "people": tiers[ALL].to_numpy(),
            "at_risk": (tiers["rising"] + tiers["high"]).to_numpy(),
            "high": tiers["high"].to_numpy(),
        }
    )
    return out[~(out["people"] == 0)].reset_index(drop=True)


def upload_at_risk_prevalence(
    upload: AggregatesUpload, icb_code: str, deprivation: pd.DataFrame
) -> pd.DataFrame:
    """At-risk prevalence per practice from published counts (the inequality indicator).

    The tidy frame of :func:`layers.indicators.at_risk_prevalence`, made from
    :func:`upload_at_risk`: a practice whose people or at-risk figure is suppressed is
    left out (its share cannot be known), and an at-risk figure that rounding has put
    above the practice's people (two rounded tiers against one rounded total) is taken
    as all of them, so every share stays between 0 and 1.

    Parameters
    ----------
    upload : AggregatesUpload
    icb_code : str
    deprivation : pandas.DataFrame
        ``practice_code``, ``mean_imd_rank``, ``imd_decile``
        (:func:`layers.deprivation.practice_deprivation`).

    Returns
    -------
    pandas.DataFrame
        As :func:`layers.indicators.at_risk_prevalence`; ``count`` and ``population``
        are published figures (or a sum of two).

    Raises
    ------
    UploadError
        If the file has no practice figures for that system.
    """
    counts = upload_at_risk(upload, icb_code)
    counts = counts[counts["people"].notna() & counts["at_risk"].notna()]
    counts = counts.assign(at_risk=np.minimum(counts["at_risk"], counts["people"]))
    return at_risk_prevalence(counts, deprivation)


def upload_at_risk_indicator(vintage: str = DEFAULT_VINTAGE) -> Indicator:
    """The inequality page's at-risk indicator, described as the user's own data.

    The same key, unit and kind as ``"at_risk"`` (so links and decile sums are the
    same), but named as observed figures from the uploaded aggregates, not modelled
    ones. Build its frame with :func:`upload_at_risk_prevalence`.

    Examples
    --------
    >>> spec = upload_at_risk_indicator()
    >>> spec.key, spec.modelled, spec.label
    ('at_risk', False, 'At-risk prevalence in your data (rising or high risk)')
    """
    return replace(
        indicator_spec("at_risk", vintage),
        label="At-risk prevalence in your data (rising or high risk)",
        axis="At rising or high risk (% of people in your aggregates)",
        source="your uploaded aggregates: published, disclosure-controlled counts of "
        "your own records (risk tiers as your extract recorded them, or the documented "
        "risk model)",
        modelled=False,
        inputs=(),
        builder=None,
    )
