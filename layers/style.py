"""How figures look, everywhere: palettes, colour scales, fonts and the source note.

The pages, the slides, the deck and the notebook draw with these, so a colour means
the same thing on every screen and in every export. All palettes are colour-blind
safe; where a colour carries meaning, a pattern or a word repeats it for print.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Final

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "DIVERGING_SCALE",
    "FLAG_COLOURS",
    "FLAG_PATTERNS",
    "FONT_FAMILY",
    "GRID_COLOUR",
    "IMD_DECILE_COLOURS",
    "NHS_BLUE",
    "NOTE_FONT",
    "NOTE_LINE_PX",
    "NOTE_WIDTH",
    "OKABE_ITO",
    "OS_ATTRIBUTION",
    "OUTLINE_STYLE",
    "RISK_TIER_COLOURS",
    "RISK_TIER_PATTERNS",
    "SEQUENTIAL_SCALE",
    "TEXT_COLOUR",
    "TIER_COLOURS",
    "TIER_PATTERNS",
    "TITLE_ROOM",
    "diverging_range",
    "map_note",
    "note_annotation",
    "note_height",
    "source_note",
    "stepped_colorscale",
    "top_margin",
    "top_title",
    "wrap_text",
]

#: NHS Blue, the accent of titles and the ICS outline.
NHS_BLUE: Final = "#005EB8"
#: Body text and grid lines (NHS identity greys).
TEXT_COLOUR: Final = "#212B32"
GRID_COLOUR: Final = "#D8DDE0"
FONT_FAMILY: Final = "Arial, Helvetica, sans-serif"
#: Source and vintage notes under a figure: small, and grey at 7:1 contrast on white.
NOTE_FONT: Final = {"size": 10, "color": "#425563"}
#: Height of one line of NOTE_FONT, in pixels.
NOTE_LINE_PX: Final = 13
#: Pixels above a figure's top note for a title drawn by :func:`top_title`.
TITLE_ROOM: Final = 36
#: The Ordnance Survey attribution every map carries (boundaries under the OGL).
OS_ATTRIBUTION: Final = "Contains OS data © Crown copyright."
#: Characters per line of a figure note: about 750 px of NOTE_FONT, inside a figure drawn
#: at the page's width on a laptop screen or on a slide.
NOTE_WIDTH: Final = 150

#: Okabe & Ito (2008) colour-blind-safe qualitative palette.
OKABE_ITO: Final = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)

#: Ten-step colour-blind-safe sequential palette (viridis samples), decile 1 darkest.
IMD_DECILE_COLOURS: Final = (
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
)

#: Continuous scales: one for amounts, one for differences from a centre.
SEQUENTIAL_SCALE: Final = "Cividis"
DIVERGING_SCALE: Final = "RdBu"

#: A unit below, within or above its planning band (Okabe-Ito orange, grey, blue).
FLAG_COLOURS: Final = {"below": "#E69F00", "within": "#8C8C8C", "above": "#0072B2"}
FLAG_PATTERNS: Final = {"below": ".", "within": "", "above": "/"}

#: Risk tiers of individuals, from the risk model.
RISK_TIER_COLOURS: Final = {"low": "#56B4E9", "rising": "#E69F00", "high": "#D55E00"}
RISK_TIER_PATTERNS: Final = {"low": "", "rising": "/", "high": "x"}

#: Commissioning tiers of the service catalogue.
TIER_COLOURS: Final = {
    "ics": "#0072B2",
    "place": "#E69F00",
    "pcn": "#009E73",
    "practice": "#CC79A7",
}
TIER_PATTERNS: Final = {"ics": "", "place": "/", "pcn": ".", "practice": "x"}

#: Outlines of the nested layers on every map.
OUTLINE_STYLE: Final = {
    "pcns": {"color": "#e66100", "width": 1.5},
    "places": {"color": "#000000", "width": 2.5},
    "ics": {"color": "#005eb8", "width": 4.0},
}


def stepped_colorscale(colours: Sequence[str]) -> list[tuple[float, str]]:
    """A plotly colour scale of equal flat steps, one per colour (classes 1 to n).

    Use with ``zmin=0.5`` and ``zmax=len(colours) + 0.5`` so class k is colour k.

    Examples
    --------
    >>> stepped_colorscale(["red", "blue"])
    [(0.0, 'red'), (0.5, 'red'), (0.5, 'blue'), (1.0, 'blue')]
    """
    if not colours:
        raise ValueError("stepped_colorscale needs at least one colour.")
    n = len(colours)
    return [step for i, c in enumerate(colours) for step in ((i / n, c), ((i + 1) / n, c))]


def diverging_range(values: ArrayLike, centre: float, minimum: float) -> tuple[float, float]:
    """Colour-scale limits symmetric about ``centre``, never narrower than ``minimum``.

    A diverging map of small differences must not paint them as opposite extremes:
    the scale spans at least ``centre ± minimum``, and more only where the data do.

    Parameters
    ----------
    values : array_like
        The mapped values; missing values are ignored.
    centre : float
        The value drawn in the neutral middle colour (for example the ICS average).
    minimum : float
        The smallest half-range, in the values' own unit (for example £50 per head).

    Returns
    -------
    tuple of float
        ``(zmin, zmax)``.

    Examples
    --------
    >>> diverging_range([1480.0, 1517.0], centre=1500.0, minimum=50.0)
    (1450.0, 1550.0)
    >>> diverging_range([1300.0, 1517.0], centre=1500.0, minimum=50.0)
    (1300.0, 1700.0)
    """
    if not np.isfinite(centre) or not np.isfinite(minimum) or minimum <= 0:
        raise ValueError("diverging_range needs a finite centre and a positive minimum.")
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    spread = float(np.abs(array - centre).max()) if array.size else 0.0
    half = max(spread, float(minimum))
    return (float(centre - half), float(centre + half))


def source_note(vintage: str, sources: str | None = None) -> str:
    """The line under every figure: its data vintage, and its sources when given.

    Examples
    --------
    >>> source_note("July 2022")
    'Data: July 2022.'
    >>> source_note("July 2022", "Sources: ONS.")
    'Data: July 2022. Sources: ONS.'
    """
    note = f"Data: {vintage.rstrip('.')}."
    return f"{note} {sources}" if sources else note


def note_annotation(
    text: str, y: float = 1.0, yanchor: str = "bottom", width: int = NOTE_WIDTH
) -> dict:
    """A plotly annotation for a figure's note (source, vintage, caveats), left-aligned.

    ``y`` is in paper coordinates: 1.0 sits on the plot's top edge, a negative value
    under the x axis (then use ``yanchor="top"``). Each line of ``text`` (lines are
    split at ``<br>``) wraps at ``width`` characters, so a long data line stays inside
    the figure instead of running off its right edge.

    Examples
    --------
    >>> note = note_annotation("Data: July 2022.", y=-0.2, yanchor="top")
    >>> note["text"], note["y"], note["font"] == NOTE_FONT
    ('Data: July 2022.', -0.2, True)
    >>> text = "Data: ICBs April 2026; LSOA 2021 boundaries.<br>Sources: ONS."
    >>> note_annotation(text, width=30)["text"]
    'Data: ICBs April 2026; LSOA<br>2021 boundaries.<br>Sources: ONS.'
    """
    return {
        "text": "<br>".join(
            wrap_text(line, width) if line.strip() else line for line in text.split("<br>")
        ),
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": y,
        "xanchor": "left",
        "yanchor": yanchor,
        "font": NOTE_FONT,
        "align": "left",
    }


def note_height(note: dict) -> int:
    """Pixels a note from :func:`note_annotation` takes: one :data:`NOTE_LINE_PX` a line.

    Figures add it to the margin the note sits in, so a note that wraps onto a second
    line pushes the plot away instead of running into the title or off the bottom.

    Examples
    --------
    >>> note_height(note_annotation("Data: July 2022.")), note_height({"text": "a<br>b"})
    (13, 26)
    """
    return NOTE_LINE_PX * (note["text"].count("<br>") + 1)


def map_note(data_line: str) -> dict:
    """A map's note over its top edge: its data, then the OS attribution.

    Examples
    --------
    >>> map_note("ICBs July 2022")["text"]
    'Data: ICBs July 2022. Contains OS data © Crown copyright.'
    """
    return note_annotation(source_note(data_line, OS_ATTRIBUTION))


def top_margin(note: dict) -> int:
    """The top margin for a :func:`top_title` over a top note: title room, then the note.

    Examples
    --------
    >>> top_margin(note_annotation("Data: July 2022.")) == TITLE_ROOM + NOTE_LINE_PX
    True
    """
    return TITLE_ROOM + note_height(note)


def top_title(text: str) -> dict:
    """A figure title pinned to the top edge, left-aligned.

    Plotly centres a title in the top margin, so a margin grown for a wrapped note
    (:func:`note_height`) would bring the title down onto the note. Pinned, the title
    keeps its place and the note sits under it in :data:`TITLE_ROOM` plus its height.

    Examples
    --------
    >>> title = top_title("Map: QGH")
    >>> title["text"], title["yref"], title["yanchor"]
    ('Map: QGH', 'container', 'top')
    """
    return {
        "text": text,
        "x": 0.01,
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": 10},
    }


def wrap_text(text: object, width: int) -> str:
    """Break ``text`` into lines of at most ``width`` characters with ``<br>`` (plotly).

    Notes, card cells and long labels wrap rather than run off a figure's edge; empty
    text reads as a dash.

    Examples
    --------
    >>> wrap_text("Data: ICBs April 2026; LSOA 2021 boundaries", 20)
    'Data: ICBs April<br>2026; LSOA 2021<br>boundaries'
    >>> wrap_text("", 10)
    '–'
    """
    return "<br>".join(textwrap.wrap(str(text), width=width)) or "–"
