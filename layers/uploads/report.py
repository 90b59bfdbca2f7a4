"""What an upload validator found: accepted rows, rejected rows with reasons, warnings.

A validator either raises :class:`~layers.uploads.errors.UploadError` (nothing in the
file can be used) or returns an :class:`UploadReport`, which a page shows *before*
the user applies it with :meth:`layers.uploads.session.SessionData.apply`.

Row numbers
-----------
For CSV files, ``row`` is the spreadsheet row number: the header is row 1, the first
data row is row 2, and blank rows keep their number, so the numbers match what Excel
shows. For boundary files the unit is the ``feature``, counted from 1 in file order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from layers.format import plural
from layers.uploads.schemas import SCHEMAS

__all__ = ["MAX_LISTED_PROBLEMS", "UploadReport", "format_problems"]

#: Problems listed one per line in a message before "... and N more".
MAX_LISTED_PROBLEMS = 20


def format_problems(problems: Sequence[tuple[int, str]], unit: str = "row") -> list[str]:
    """One line per problem, ``"row 3: reason"``, capped at :data:`MAX_LISTED_PROBLEMS`.

    Examples
    --------
    >>> format_problems([(3, "pounds is blank")])
    ['row 3: pounds is blank']
    """
    lines = [f"{unit} {row}: {reason}" for row, reason in problems[:MAX_LISTED_PROBLEMS]]
    if len(problems) > MAX_LISTED_PROBLEMS:
        lines.append(f"... and {len(problems) - MAX_LISTED_PROBLEMS:,} more")
    return lines


def _empty_rejected() -> pd.DataFrame:
    return pd.DataFrame(
        {"row": pd.Series([], dtype="int64"), "reason": pd.Series([], dtype=object)}
    )


@dataclass(frozen=True, eq=False)
class UploadReport:
    """The result of validating one upload.

    Attributes
    ----------
    kind : str
        One of :data:`layers.uploads.schemas.KINDS`.
    accepted : DataFrame
        The usable rows, cleaned and typed, indexed by their row (or feature) number.
        For boundaries a GeoDataFrame in EPSG:4326.
    rejected : DataFrame
        ``row`` (int, as described in the module docstring) and ``reason`` (str; several
        reasons for one row are joined with ``"; "``), in row order.
    warnings : tuple of str
        Things the user should know that did not stop a row (ignored columns, repaired
        geometries, known practices missing from the file...).
    n_read : int
        Data rows (or features) read from the file, blank rows excluded.
    filename : str or None
        The uploaded file's name, for the summary.

    Examples
    --------
    >>> import pandas as pd
    >>> from layers.uploads.report import UploadReport
    >>> report = UploadReport(
    ...     "place_groupings",
    ...     accepted=pd.DataFrame({"practice_code": ["A81001"], "place_name": ["North"]}),
    ...     rejected=pd.DataFrame({"row": [3], "reason": ["practice_code 'Z' is blank"]}),
    ...     n_read=2,
    ...     filename="groups.csv",
    ... )
    >>> report.summary
    'Place groupings (groups.csv): 2 rows read, 1 accepted, 1 rejected.'
    >>> print(report.message)
    Place groupings (groups.csv): 2 rows read, 1 accepted, 1 rejected.
    row 3: practice_code 'Z' is blank
    """

    kind: str
    accepted: pd.DataFrame
    rejected: pd.DataFrame = field(default_factory=_empty_rejected)
    warnings: tuple[str, ...] = ()
    n_read: int = 0
    filename: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCHEMAS:
            raise ValueError(f"unknown upload kind {self.kind!r}; expected one of {list(SCHEMAS)}")
        if not isinstance(self.accepted, pd.DataFrame):
            raise TypeError("accepted must be a DataFrame")
        if not isinstance(self.rejected, pd.DataFrame) or list(self.rejected.columns) != [
            "row",
            "reason",
        ]:
            raise TypeError("rejected must be a DataFrame with columns ['row', 'reason']")
        object.__setattr__(self, "warnings", tuple(str(w) for w in self.warnings))

    @property
    def unit(self) -> str:
        """``"row"`` for CSV uploads, ``"feature"`` for boundaries."""
        return SCHEMAS[self.kind].unit

    @property
    def n_accepted(self) -> int:
        """Number of accepted rows (for boundaries: of boundaries after merging names)."""
        return len(self.accepted)

    @property
    def n_rejected(self) -> int:
        """Number of rejected rows or features."""
        return len(self.rejected)

    @property
    def problems(self) -> list[tuple[int, str]]:
        """Rejected rows as ``(row, reason)`` pairs."""
        return list(
            zip(self.rejected["row"].tolist(), self.rejected["reason"].tolist(), strict=True)
        )

    @property
    def summary(self) -> str:
        """One line: what was read, accepted and rejected."""
        name = SCHEMAS[self.kind].title + (f" ({self.filename})" if self.filename else "")
        text = (
            f"{name}: {plural(self.n_read, self.unit)} read, {self.n_accepted:,} accepted, "
            f"{self.n_rejected:,} rejected"
        )
        if self.warnings:
            text += f", {plural(len(self.warnings), 'warning')}"
        return text + "."

    @property
    def message(self) -> str:
        """The summary, then one line per rejected row, then one line per warning."""
        lines = [self.summary, *format_problems(self.problems, self.unit)]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)
