"""Slide content for scrutiny committees and boards: one key view per slide.

Each ``*_slide`` function turns one ICS (a :class:`~layers.system.System`) into a
:class:`Slide`: a title, a one-line takeaway computed from the data (for example
"3 of 15 PCNs are above 50,000 patients"), a plotly figure styled for a projector, the
source line and the allocation scenario's name. :func:`build_slides` makes the six of a
briefing deck, in the order of the dashboard's pages: overview, map, tiers, allocation,
inequality, alignment. :mod:`layers.deck` turns slides into PowerPoint and PDF files,
and the dashboard's presentation mode shows them one by one.

Disclosure control. Counts of people derived from the synthetic individuals (risk
tiers) go through :mod:`layers.disclosure` before they reach a title, a takeaway or a
figure: 0 stays 0, 1-7 become ``*``, larger counts are rounded to the nearest 5; totals
are rounded after summing and percentages are computed from the rounded counts. Such
slides have ``disclosure == "individual"``. Published aggregates (registered lists,
ONS residents, IMD, registrations by LSOA) stay exact (``disclosure == "published"``).
Value axes of individual-derived charts carry no tick labels: the rounded counts are
written on the bars, so no axis tick can be read as a count.

Figures keep to colour-blind-safe palettes (viridis/cividis, Okabe-Ito), and never
carry meaning by colour alone: every series is labelled, and the second series of a
pair also has a hatch pattern.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from layers import format as fmt
from layers.alignment import home_authorities, ics_flow_summary
from layers.allocation import METHOD_NAMES, Scenario, allocation_summary, example_practices
from layers.allocation.frame import practice_frame
from layers.allocation.funding import default_scenario, run_scenario
from layers.deprivation import is_core20, practice_deprivation
from layers.disclosure import shares_from_rounded, total_then_suppress
from layers.figures import alignment as alignment_figures
from layers.figures import allocation as allocation_figures
from layers.geodata import DATA_VINTAGE, SOURCES, read_table
from layers.individuals import aggregate_individuals
from layers.maps import system_map
from layers.streams import generator
from layers.style import (
    FONT_FAMILY,
    GRID_COLOUR,
    OKABE_ITO,
    TEXT_COLOUR,
)
from layers.system import System
from layers.vintages import get_vintage

if TYPE_CHECKING:
    from layers.indicators import Indicator
    from layers.people.upload import AggregatesUpload

__all__ = [
    "DEFAULT_SCENARIO_NAME",
    "DISCLOSURE_KINDS",
    "DISCLOSURE_NOTE",
    "OKABE_ITO",
    "SLIDE_KEYS",
    "SLIDE_TITLES",
    "UPLOADED_NOTE",
    "Slide",
    "alignment_slide",
    "allocation_slide",
    "build_slides",
    "example_slide",
    "inequality_slide",
    "map_slide",
    "overview_slide",
    "practice_frame_for",
    "risk_individuals",
    "scenario_name_of",
    "slide_builders",
    "tiers_slide",
]

#: The slides of a briefing, in order (the dashboard's pages, boundaries as "alignment").
SLIDE_KEYS: Final = ("overview", "map", "tiers", "allocation", "inequality", "alignment")
#: Short names for navigation.
SLIDE_TITLES: Final = {
    "overview": "Overview",
    "map": "Map",
    "tiers": "Population tiers",
    "allocation": "Service allocation",
    "inequality": "Inequality",
    "alignment": "Boundary alignment",
}
#: ``"published"``: exact published aggregates; ``"individual"``: counts of people from
#: individual-level (synthetic) records, disclosure-controlled.
DISCLOSURE_KINDS: Final = ("published", "individual")
#: Said on every slide whose numbers come from individual-level records.
DISCLOSURE_NOTE: Final = (
    "Counts of people from synthetic individual records: 0 stays 0, counts of 1 to 7 "
    "show as *, others are rounded to the nearest 5; percentages use the rounded counts."
)
#: Said instead on a slide whose counts of people come from the user's uploaded aggregates.
UPLOADED_NOTE: Final = (
    "Your data: counts of people as published in the aggregates uploaded for this "
    "session (0 stays 0, counts of 1 to 7 show as *, others are rounded to the nearest 5); "
    "percentages use the rounded counts."
)
#: Name of the allocation scenario used when none is given (the allocation page's default).
DEFAULT_SCENARIO_NAME: Final = default_scenario(example_practices()).name
#: Above this many PCNs a slide shows counts in bands instead of one bar per PCN.
_MAX_BARS = 16


@dataclass(frozen=True)
class Slide:
    """One slide: what a committee sees on the screen and in the meeting papers.

    Attributes
    ----------
    key : str
        One of :data:`SLIDE_KEYS`.
    title : str
        Slide title.
    takeaway : str
        One line computed from the data.
    figure : plotly.graph_objects.Figure
        The map or chart (no title of its own: the slide has one).
    source : str
        Where the figures come from (the OGL attribution is added by the deck).
    scenario_name : str
        The allocation scenario the briefing was made with.
    alt_text : str
        A text alternative to the figure.
    disclosure : str
        One of :data:`DISCLOSURE_KINDS`.
    ics_code, ics_name : str
        The ICS.
    data_date : str
        Data vintage; :data:`layers.DATA_VINTAGE` by default (the builders below use
        their system's vintage).
    notes : tuple of str
        Extra lines shown under the figure (e.g. :data:`DISCLOSURE_NOTE`).
    attribution : str
        Licences and attribution for the footer; :data:`layers.SOURCES` by default.
    """

    key: str
    title: str
    takeaway: str
    figure: go.Figure = field(repr=False)
    source: str
    scenario_name: str
    alt_text: str
    disclosure: str
    ics_code: str
    ics_name: str
    data_date: str = DATA_VINTAGE
    notes: tuple[str, ...] = ()
    attribution: str = SOURCES

    def __post_init__(self) -> None:
        if self.key not in SLIDE_KEYS and not self.key.startswith("example"):
            raise ValueError(f"Unknown slide key {self.key!r}; choose one of {SLIDE_KEYS}.")
        if self.disclosure not in DISCLOSURE_KINDS:
            raise ValueError(
                f"disclosure must be one of {DISCLOSURE_KINDS}, got {self.disclosure!r}"
            )
        if not isinstance(self.figure, go.Figure):
            raise TypeError(f"figure must be a plotly Figure, got {type(self.figure).__name__}")
        for name in ("title", "takeaway", "source", "scenario_name", "alt_text"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"Slide {name} must be non-empty text, got {value!r}")

    @property
    def deck_title(self) -> str:
        """Title of the deck this slide belongs to."""
        return f"{self.ics_name} ICS ({self.ics_code}): planning briefing"


def example_slide() -> Slide:
    """A toy slide for examples and tests (no real data).

    Examples
    --------
    >>> slide = example_slide()
    >>> slide.title, slide.takeaway, slide.disclosure
    ('Toy title', 'Toy takeaway', 'published')
    """
    figure = go.Figure(go.Bar(x=["A", "B"], y=[3, 4], name="Toy"))
    return Slide(
        key="example",
        title="Toy title",
        takeaway="Toy takeaway",
        figure=_style(figure),
        source="Toy source",
        scenario_name="Toy scenario",
        alt_text="A toy bar chart.",
        disclosure="published",
        ics_code="QXX",
        ics_name="Toyshire",
        data_date="Toy date",
    )


# --------------------------------------------------------------------------- helpers


def _check_system(system: object) -> System:
    if not isinstance(system, System):
        raise TypeError(f"system must be a System from layers.load_system, got {type(system)}")
    return system


def _check_name(scenario_name: object) -> str:
    if not isinstance(scenario_name, str) or not scenario_name.strip():
        raise ValueError(f"scenario_name must be non-empty text, got {scenario_name!r}")
    return scenario_name.strip()


def _style(figure: go.Figure, height: int = 620) -> go.Figure:
    """Large, high-contrast type for a projector; white background; no figure title."""
    figure.update_layout(
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": 22, "color": TEXT_COLOUR},
        title=None,
        height=height,
        margin={"l": 20, "r": 40, "t": 30, "b": 20},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"font": {"size": 20}},
    )
    figure.update_xaxes(gridcolor=GRID_COLOUR, zerolinecolor=GRID_COLOUR, automargin=True)
    figure.update_yaxes(gridcolor=GRID_COLOUR, zerolinecolor=GRID_COLOUR, automargin=True)
    return figure


def _ics_slide(system: System, **content: object) -> Slide:
    """A slide about one ICS: its code, name, data date and attribution from ``system``."""
    info = system.vintage_info
    return Slide(
        ics_code=system.code,
        ics_name=system.name,
        data_date=info.data_line,
        attribution=info.sources,
        **content,
    )


def _people(value: object) -> str:
    """A disclosure-controlled count of people, in words.

    Examples
    --------
    >>> _people(0), _people("*"), _people(26945)
    ('no one is', 'a few people (*) are', 'about 26,945 people are')
    """
    if isinstance(value, str):
        return f"a few people ({value}) are"
    if int(value) == 0:
        return "no one is"
    return f"about {int(value):,} people are"


# --------------------------------------------------------------------------- overview


def overview_slide(system: System, scenario_name: str = DEFAULT_SCENARIO_NAME) -> Slide:
    """The ICS at a glance: its places, with registered patients beside residents.

    Parameters
    ----------
    system : System
        From :func:`layers.load_system`.
    scenario_name : str
        Name of the allocation scenario of the briefing (shown in the footer).

    Returns
    -------
    Slide
        Published aggregates only (July 2022 registered lists, ONS mid-2020 residents).

    Examples
    --------
    >>> from layers.system import load_system
    >>> overview_slide(load_system("QGH", vintage="2022")).takeaway
    '817,738 registered patients at 79 practices in 15 PCNs and 2 places; 26,053 more than live there'
    """  # noqa: E501
    system = _check_system(system)
    info = system.vintage_info
    name = _check_name(scenario_name)
    ics = system.ics.iloc[0]
    registered, residents = int(ics.registered_patients), int(ics.resident_population)
    gap = registered - residents
    takeaway = (
        f"{registered:,} registered patients at {fmt.plural(int(ics.n_practices), 'practice')} "
        f"in {fmt.plural(int(ics.n_pcns), 'PCN')} and {fmt.plural(int(ics.n_places), 'place')}; "
        + (f"{gap:,} more than live there" if gap >= 0 else f"{-gap:,} fewer than live there")
    )
    places = system.places.sort_values("registered_patients")
    registered_when = "July 2022" if info.key == "2022" else info.registered_label
    figure = go.Figure()
    for column, label, colour, pattern in (
        ("resident_population", f"Residents ({info.population_source})", OKABE_ITO[1], "/"),
        ("registered_patients", f"Registered patients ({registered_when})", OKABE_ITO[0], ""),
    ):
        figure.add_trace(
            go.Bar(
                y=places["place_name"],
                x=places[column],
                orientation="h",
                name=label,
                marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "#000000"}},
                text=[f"{v:,}" for v in places[column]],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:,}<extra>" + label + "</extra>",
            )
        )
    _style(figure)
    top = float(places[["resident_population", "registered_patients"]].to_numpy().max())
    figure.update_layout(
        barmode="group",
        legend={"orientation": "h", "y": -0.14, "yanchor": "top", "traceorder": "reversed"},
        font={"size": 22 if len(places) <= 10 else 16},
    )
    figure.update_xaxes(title_text="People", tickformat=",", range=[0, 1.2 * top])
    return _ics_slide(
        system,
        key="overview",
        title=f"{system.name} ICS at a glance",
        takeaway=takeaway,
        figure=figure,
        source=f"{info.registrations_source}; {info.population_source} population",
        scenario_name=name,
        alt_text=(
            "Bar chart of each place's registered patients and residents, side by side and "
            f"labelled. {takeaway}."
        ),
        disclosure="published",
    )


# --------------------------------------------------------------------------- map


def map_slide(system: System, scenario_name: str = DEFAULT_SCENARIO_NAME) -> Slide:
    """Where deprivation is: LSOAs by IMD 2019 decile, with places and the ICS outline.

    Load the system with ``detail="light"`` for a quick render in a deck.

    Parameters
    ----------
    system, scenario_name
        As for :func:`overview_slide`.

    Returns
    -------
    Slide
        Published aggregates only (ONS residents, IMD 2019).

    Examples
    --------
    >>> from layers.system import load_system
    >>> map_slide(load_system("QGH", detail="light", vintage="2022")).takeaway.split(",")[0]
    '55 of 480 neighbourhoods (LSOAs) are in England’s most deprived 20%'
    """
    system = _check_system(system)
    info = system.vintage_info
    name = _check_name(scenario_name)
    lsoas = system.lsoas
    core20 = is_core20(lsoas["imd_decile"])
    residents = int(lsoas.loc[core20, "population"].sum())
    total = int(lsoas["population"].sum())
    share = 100 * residents / total if total else 0.0
    takeaway = (
        f"{int(core20.sum()):,} of {len(lsoas):,} neighbourhoods (LSOAs) are in England’s "
        f"most deprived 20%, home to {residents:,} residents ({fmt.percent(share)})"
    )
    figure = system_map(system, "imd_decile", layers=("lsoas", "places", "ics"), height=620)
    figure.update_layout(
        title=None,
        font={"family": FONT_FAMILY, "size": 20, "color": TEXT_COLOUR},
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        legend={
            "orientation": "v",
            "y": 0.02,
            "yanchor": "bottom",
            "x": 0.01,
            "bgcolor": "rgba(255,255,255,0.85)",
            "font": {"size": 18},
        },
    )
    figure.layout.annotations = ()
    figure.update_traces(
        selector={"type": "choropleth"},
        colorbar={
            "title": {"text": info.imd_decile_title, "font": {"size": 18}},
            "tickfont": {"size": 18},
            "len": 0.9,
        },
    )
    place_names = ", ".join(system.places["place_name"])
    return _ics_slide(
        system,
        key="map",
        title=f"Where deprivation is in {system.name}",
        takeaway=takeaway,
        figure=figure,
        source=f"{info.imd_source}; {info.population_source} population; "
        f"ONS LSOA {info.lsoa_year} boundaries",
        scenario_name=name,
        alt_text=(
            f"Map of the ICS's {len(lsoas):,} LSOAs shaded by {info.imd_name} decile, dark for "
            f"decile 1 (most deprived) to yellow for decile 10, with the outlines of its "
            f"places ({place_names}) and of the ICS. {takeaway}."
        ),
        disclosure="published",
    )


# --------------------------------------------------------------------------- tiers


def risk_individuals(system: System) -> pd.DataFrame:
    """The system's synthetic individuals with drawn risk tiers, as every page draws them.

    Individuals are :attr:`System.individuals`; risk tiers are drawn by
    :func:`layers.tiers.individuals_with_risk` from the system's seed, as the tiers and
    inequality pages draw them, so a slide's numbers match the page's.
    """
    from layers import tiers

    system = _check_system(system)
    return tiers.individuals_with_risk(system.individuals, system.seed)


def _risk_by_place(
    system: System,
    tables,
    individuals: pd.DataFrame | None,
    aggregates: AggregatesUpload | None,
) -> tuple[pd.Series, pd.DataFrame, str, str]:
    """The ICS's and each place's risk tiers, where they come from, and the slide's note."""
    from layers import tiers

    if aggregates is not None:
        from layers.people.upload import upload_risk_tiers

        names = tiers.unit_mapping(tables, "place").drop_duplicates("code")
        by_place = upload_risk_tiers(
            aggregates, "place", system.code, names=names.set_index("code")["name"]
        )
        if set(by_place["code"]) != set(names["code"]):
            raise ValueError(
                "The uploaded aggregates count other places than this system's; show them "
                "with the place definition they were made with."
            )
        ics = upload_risk_tiers(aggregates, "ics", system.code).iloc[0]
        return ics, by_place, "your uploaded aggregates (published counts)", UPLOADED_NOTE
    people = risk_individuals(system) if individuals is None else individuals
    # As the page counts them: unrounded practice counts, re-aggregated per unit.
    counts = aggregate_individuals(people, ["practice_code", "risk_tier", "imd_decile"])
    counts["practice_code"] = counts["practice_code"].astype(str)
    ics = tiers.risk_tiers_by_unit(counts, tables, "ics").iloc[0]
    by_place = tiers.risk_tiers_by_unit(counts, tables, "place")
    return ics, by_place, "synthetic individuals and the layers.risk model", DISCLOSURE_NOTE


def tiers_slide(
    system: System,
    scenario_name: str = DEFAULT_SCENARIO_NAME,
    individuals: pd.DataFrame | None = None,
    aggregates: AggregatesUpload | None = None,
) -> Slide:
    """Units against their planning bands, and people at rising and high risk by place.

    The left panel counts practices, PCNs and places below, within and above the
    design bands of :data:`layers.tiers.DEFAULT_BANDS` (published registered lists);
    the right panel shows disclosure-controlled counts of people at rising and high
    risk in each place (from the synthetic individuals). Both are the Population tiers
    page's own figures (:func:`layers.figures.tiers.band_counts` and
    :func:`~layers.figures.tiers.people_at_risk`), restyled for a projector.

    Parameters
    ----------
    system, scenario_name
        As for :func:`overview_slide`.
    individuals : DataFrame, optional
        Individuals with ``risk_tier`` (default :func:`risk_individuals`).
    aggregates : AggregatesUpload, optional
        The user's uploaded aggregates (:mod:`layers.people.upload`): the people at risk
        are then their published counts, and the slide says so. They must count the
        system's places (the place definition they were made with).

    Returns
    -------
    Slide
        ``disclosure == "individual"``: its counts of people follow
        :mod:`layers.disclosure`.

    Raises
    ------
    UploadError
        If ``aggregates`` has no figures for the system.
    ValueError
        If ``aggregates`` counts other places than the system's.

    Examples
    --------
    >>> from layers.system import load_system
    >>> slide = tiers_slide(load_system("QGH", vintage="2022"))
    >>> slide.takeaway.split(";")[0]
    '7 of 15 PCNs are above 50,000 patients and 2 below 30,000'
    """
    from layers import tiers
    from layers.figures import tiers as tier_figures

    system = _check_system(system)
    info = system.vintage_info
    name = _check_name(scenario_name)
    tables = tiers.tier_tables(system)
    flags = tiers.flag_units(tables, tiers.DEFAULT_BANDS)
    pcn_flags = flags[flags["layer"] == "pcn"]
    low, high = tiers.DEFAULT_BANDS["pcn"]
    above = int((pcn_flags["flag"] == "above").sum())
    below = int((pcn_flags["flag"] == "below").sum())
    takeaway = f"{above} of {len(pcn_flags)} PCNs are above {high:,} patients"
    if below:
        takeaway += f" and {below} below {low:,}"
    ics_counts, by_place, people_source, note = _risk_by_place(
        system, tables, individuals, aggregates
    )
    takeaway += f"; {_people(ics_counts['high'])} at high risk"
    figure = tier_figures.briefing(
        tier_figures.band_counts(flags, tiers.DEFAULT_BANDS),
        tier_figures.people_at_risk(by_place),
    )
    _style(figure)
    figure.update_layout(
        legend={
            "orientation": "h",
            "y": -0.16,
            "yanchor": "top",
            "font": {"size": 17},
            "traceorder": "normal",
        },
        font={"size": 16 if len(by_place) > 10 else 20},
        uniformtext={"minsize": 14, "mode": "hide"},
    )
    figure.update_annotations(font={"size": 22})
    return _ics_slide(
        system,
        key="tiers",
        title="Population tiers: unit sizes and people at risk",
        takeaway=takeaway,
        figure=figure,
        source=f"{info.registrations_source}; ePCN {info.epcn_date}; planning bands from "
        f"Herefordshire and Worcestershire's Layers of Planning (2019); {people_source}",
        scenario_name=name,
        alt_text=(
            "Two bar charts. Left: how many GP practices, PCNs and places are below, within "
            "and above their planning band. Right: people at rising and at high risk in "
            f"each place, rounded to the nearest 5. {takeaway}."
        ),
        disclosure="individual",
        notes=(note,),
    )


# --------------------------------------------------------------------------- allocation


def practice_frame_for(system: System) -> pd.DataFrame:
    """The allocation practice frame of an ICS (weighted populations and deprivation).

    :func:`layers.allocation.frame.practice_frame` with the ``geodata/`` tables (or the
    system's in-memory tables).
    """
    system = _check_system(system)
    return practice_frame(system, _read("weighted_populations", system), _read("lsoas", system))


def _read(table: str, system: System) -> pd.DataFrame:
    tables = system.tables
    if tables is not None and table in tables:
        return tables[table].copy()
    return read_table(table, vintage=system.vintage)


def allocation_slide(
    system: System,
    scenario_json: str | None = None,
    practices: pd.DataFrame | None = None,
) -> Slide:
    """How the scenario shares the budget between places: £ per head by commissioning tier.

    The figure is the allocation page's own (:func:`layers.figures.allocation.tier_bars`),
    restyled for a projector; the takeaway gives the largest place's £ and the spread of
    £ per weighted head.

    Parameters
    ----------
    system : System
        From :func:`layers.load_system`.
    scenario_json : str, optional
        A scenario as JSON text (:meth:`layers.allocation.Scenario.to_json`), as the
        allocation page keeps it; by default the page's default scenario
        (:func:`layers.allocation.funding.default_scenario`).
    practices : DataFrame, optional
        The practice frame (default :func:`practice_frame_for`).

    Returns
    -------
    Slide
        Money and NHS England weighted populations: published aggregates.

    Raises
    ------
    ScenarioError
        If ``scenario_json`` is not a valid scenario, or cannot run for this ICS.

    Examples
    --------
    >>> from layers.system import load_system
    >>> slide = allocation_slide(load_system("QWU", vintage="2022"))
    >>> slide.scenario_name == DEFAULT_SCENARIO_NAME, "per weighted head" in slide.takeaway
    (True, True)
    """
    system = _check_system(system)
    info = system.vintage_info
    frame = practice_frame_for(system) if practices is None else practices
    text = scenario_json if scenario_json and str(scenario_json).strip() else None
    scenario, allocations = run_scenario(text, frame)
    summary = allocation_summary(allocations, frame, "place")
    names = system.places.set_index("place_code")["place_name"]
    summary["place_name"] = summary["place_code"].map(names).fillna(summary["place_code"])
    summary = summary.sort_values("pounds").reset_index(drop=True)
    budget = float(scenario.budget)
    top = summary.iloc[-1]
    per_head = summary["pounds_per_weighted_head"]
    lowest, highest = summary.loc[per_head.idxmin()], summary.loc[per_head.idxmax()]
    if len(summary) == 1 or highest.pounds_per_weighted_head - lowest.pounds_per_weighted_head < 1:
        spread = f"every place gets {fmt.compact_pounds(float(per_head.mean()))} per weighted head"
    else:
        spread = (
            f"per weighted head from {fmt.compact_pounds(lowest.pounds_per_weighted_head)} "
            f"({lowest.place_name}) to {fmt.compact_pounds(highest.pounds_per_weighted_head)} "
            f"({highest.place_name})"
        )
    takeaway = (
        f"{top.place_name} gets the most, {fmt.compact_pounds(top.pounds)} "
        f"({fmt.percent(100 * top.pounds / budget if budget else 0)} of "
        f"{fmt.compact_pounds(budget)}); {spread}"
    )
    # The page's chart, restyled for a projector: one definition of the figure.
    figure = _style(allocation_figures.tier_bars(summary, title=""))
    return _ics_slide(
        system,
        key="allocation",
        title=f"Sharing the budget: {scenario.name}",
        takeaway=takeaway,
        figure=figure,
        source=f"NHS England {info.default_allocation_year} practice weighted populations; "
        "the scenario's service "
        f"catalogue and method ({METHOD_NAMES[scenario.method]}); the budget is an input",
        scenario_name=scenario.name,
        alt_text=(
            f"Bar chart of each place's £ per head under the scenario '{scenario.name}', "
            f"split by the tier that commissions it and labelled with each total. {takeaway}."
        ),
        disclosure="published",
    )


# --------------------------------------------------------------------------- inequality


def inequality_slide(
    system: System,
    scenario_name: str = DEFAULT_SCENARIO_NAME,
    individuals: pd.DataFrame | None = None,
    aggregates: AggregatesUpload | None = None,
) -> Slide:
    """At-risk prevalence by deprivation decile, with its slope index (SII).

    The inequality page's at-risk indicator (:mod:`layers.indicators`): people at rising
    or high risk per practice, each practice in the national IMD 2019 decile of where
    its patients live. The figure is the page's
    (:func:`layers.figures.inequality.decile_figure`), its bars computed from
    disclosure-controlled counts (:func:`layers.indicators.decile_display_table`); the
    SII is the page's (:func:`layers.indicators.decile_sii`).

    Parameters
    ----------
    system, scenario_name, individuals
        As for :func:`tiers_slide`.
    aggregates : AggregatesUpload, optional
        The user's uploaded aggregates: the prevalence is then from their published
        counts (:func:`layers.people.upload.upload_at_risk_prevalence`), and the slide
        says so.

    Returns
    -------
    Slide
        ``disclosure == "individual"``.

    Raises
    ------
    UploadError
        If ``aggregates`` has no figures for the system.

    Examples
    --------
    >>> from layers.system import load_system
    >>> slide = inequality_slide(load_system("QGH", vintage="2022"))
    >>> slide.takeaway.split(";")[1]
    ' 2.5 percentage points higher at the most deprived practices (SII)'
    >>> slide.disclosure
    'individual'
    """
    from layers import indicators

    system = _check_system(system)
    info = system.vintage_info
    name = _check_name(scenario_name)
    deprivation = practice_deprivation(system.registrations, _read("lsoas", system), info.key)
    spec, prevalence, at_risk, share = _at_risk_inputs(system, deprivation, individuals, aggregates)
    members = indicators.unit_membership(
        "ics", "practice", practices=system.practices, ics_code=system.code
    )
    deciles = indicators.by_decile(indicators.unit_rows(prevalence, members), spec)
    sii = indicators.decile_sii(deciles, spec, repetitions=1000, rng=generator(system.seed, "sii"))
    own = aggregates is not None
    takeaway = _at_risk_takeaway(at_risk, share, sii, "are at risk in your data" if own else None)
    figure = _at_risk_figure(deciles, sii, system.name, info.key, spec)
    people_source = (
        "Your uploaded aggregates (published counts, this session only)"
        if own
        else "Synthetic individuals and the layers.risk model (modelled, not observed)"
    )
    return _ics_slide(
        system,
        key="inequality",
        title="The deprivation gap in people at risk",
        takeaway=takeaway,
        figure=figure,
        source=f"{people_source}; MHCLG {info.imd_name}; slope index of inequality by the "
        "PHE method",
        scenario_name=name,
        alt_text=(
            f"Bar chart of the {'' if own else 'modelled '}share of patients at rising or "
            f"high risk in each national {info.imd_name} decile, most deprived on the left, "
            "each bar as wide as its decile's share of patients and labelled with its "
            "percentage, and the dashed line fitted through them whose rise is the slope "
            f"index of inequality. {takeaway}."
        ),
        disclosure="individual",
        notes=(UPLOADED_NOTE if own else DISCLOSURE_NOTE,),
    )


def _at_risk_inputs(
    system: System,
    deprivation: pd.DataFrame,
    individuals: pd.DataFrame | None,
    aggregates: AggregatesUpload | None,
) -> tuple[Indicator, pd.DataFrame, object, float | str]:
    """The indicator, its practice frame, the ICS's people at risk (rounded) and their share.

    From the uploaded aggregates when given (their published ICS figures), else from the
    synthetic individuals (totals rounded after summing).
    """
    from layers import indicators

    if aggregates is not None:
        from layers.people.upload import (
            upload_at_risk_indicator,
            upload_at_risk_prevalence,
            upload_risk_tiers,
        )

        ics = upload_risk_tiers(aggregates, "ics", system.code, numeric=True).iloc[0]
        at_risk = ics["rising"] + ics["high"]
        shown = "*" if np.isnan(at_risk) else int(at_risk)
        share = (
            "*"
            if np.isnan(at_risk) or np.isnan(ics["total"])
            else shares_from_rounded([int(at_risk)], int(ics["total"]))[0]
        )
        prevalence = upload_at_risk_prevalence(aggregates, system.code, deprivation)
        return upload_at_risk_indicator(system.vintage_info.key), prevalence, shown, share
    people = risk_individuals(system) if individuals is None else individuals
    tier_counts = aggregate_individuals(people, ["practice_code", "risk_tier"])
    counts = indicators.at_risk_counts(tier_counts)
    prevalence = indicators.build_indicator(
        "at_risk", risk_counts=tier_counts, deprivation=deprivation
    )
    at_risk = total_then_suppress(counts["at_risk"])
    share = shares_from_rounded([int(counts["at_risk"].sum())], int(counts["people"].sum()))[0]
    return indicators.indicator_spec("at_risk"), prevalence, at_risk, share


def _at_risk_takeaway(at_risk: object, share: object, sii: dict, verb: str | None) -> str:
    """How many are at risk (rounded) and the gap across deprivation (the SII).

    ``verb`` says how they are known ("are modelled at risk" by default).
    """
    verb = verb or "are modelled at risk"
    if isinstance(at_risk, str):
        takeaway = f"A few patients ({at_risk}) {verb}"
    elif int(at_risk) == 0:
        takeaway = f"No patients {verb}"
    else:
        takeaway = f"About {int(at_risk):,} patients ({fmt.percent(share)}) {verb}"
    if np.isfinite(sii["sii"]):
        direction = "higher" if sii["sii"] < 0 else "lower"
        return takeaway + (
            f"; {abs(sii['sii']):.1f} percentage points {direction} at the most deprived "
            "practices (SII)"
        )
    return takeaway + f"; no slope index of inequality ({sii['note']})"


def _at_risk_figure(
    deciles: pd.DataFrame, sii: dict, ics_name: str, vintage: str, spec: object = "at_risk"
) -> go.Figure:
    """The page's decile figure, its bars from disclosure-controlled counts, for a projector.

    Each decile's prevalence is computed from rounded counts (suppressed deciles show
    ``*``), as :func:`layers.indicators.decile_display_table` gives them.
    """
    from layers import indicators
    from layers.figures import inequality as figures

    table = indicators.decile_display_table(deciles, spec, vintage)
    shares = table[next(c for c in table.columns if c.endswith("(%)"))]
    values = pd.to_numeric(shares, errors="coerce")
    shown = deciles.sort_values("imd_decile").assign(value=values.to_numpy() / 100)
    text = [fmt.percent(v) for v in shares]
    figure = _style(figures.decile_figure(shown, sii, spec, ics_name, text=text, vintage=vintage))
    figure.update_traces(textposition="outside", cliponaxis=False, selector={"type": "bar"})
    line_ends = [sii.get("intercept", np.nan), sii.get("intercept", np.nan) + sii["sii"]]
    top = float(np.nanmax([values.max(), *line_ends, 1]))
    figure.update_layout(annotations=[], legend={"orientation": "h", "y": -0.3})
    figure.update_xaxes(
        title_text=f"National {get_vintage(vintage).imd_name} decile of the practice's patients "
        "(1 = most deprived); bar width = share of patients",
        tickangle=0,
    )
    figure.update_yaxes(
        title_text="At rising or high risk (%)", ticksuffix="%", range=[0, 1.2 * top]
    )
    return figure


# --------------------------------------------------------------------------- alignment


def alignment_slide(
    system: System, scenario_name: str = DEFAULT_SCENARIO_NAME, threshold: float = 0.9
) -> Slide:
    """Do PCNs fit council boundaries? Share of each PCN's patients in its home district.

    The figure is the Boundary alignment page's
    (:func:`layers.figures.alignment.home_share_chart`), or its count of PCNs by share
    (:func:`~layers.figures.alignment.home_share_bands`) when there are too many PCNs
    for a bar each.

    Parameters
    ----------
    system, scenario_name
        As for :func:`overview_slide`.
    threshold : float
        A PCN straddles a boundary when its home district holds less than this share
        of its patients (default 0.9).

    Returns
    -------
    Slide
        Registrations by LSOA: published aggregates.

    Examples
    --------
    >>> from layers.system import load_system
    >>> alignment_slide(load_system("QGH", vintage="2022")).takeaway.split(";")[0]
    '7 of 15 PCNs straddle a council boundary (under 90% of patients in one district)'
    """
    system = _check_system(system)
    info = system.vintage_info
    name = _check_name(scenario_name)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise TypeError(f"threshold must be a number in (0, 1], got {threshold!r}")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    regs, lsoas, practices = (_read(t, system) for t in ("registrations", "lsoas", "practices"))
    homes = home_authorities(
        regs, lsoas, practices, by="pcn", la_level="ltla", icb_code=system.code,
        threshold=threshold,
    )  # fmt: skip
    homes = homes[homes["unit_type"] == "pcn"].sort_values("home_share").reset_index(drop=True)
    flows = ics_flow_summary(regs, lsoas, practices, system.code).iloc[0]
    straddling = (homes["home_share"] < threshold).to_numpy()
    n = len(homes)
    takeaway = (
        f"{int(straddling.sum())} of {n} PCNs straddle a council boundary (under "
        f"{threshold:.0%} of patients in one district); "
        f"{fmt.percent(100 * float(flows['practice_resident_share']))} of patients live in the ICS"
    )
    if n <= _MAX_BARS:
        figure = _style(
            alignment_figures.home_share_chart(
                homes, threshold, authority="district", vintage=system.vintage
            )
        )
        figure.update_traces(textfont_size=18, selector={"type": "bar"})
        alt = (
            "Bar chart of the share of each PCN's registered patients who live in its home "
            f"district, with a dashed line at {threshold:.0%}."
        )
    else:
        figure = _style(alignment_figures.home_share_bands(homes, threshold, authority="district"))
        alt = (
            "Bar chart of the number of PCNs by the share of their registered patients who "
            "live in their home district."
        )
    return _ics_slide(
        system,
        key="alignment",
        title="How PCNs fit council boundaries",
        takeaway=takeaway,
        figure=figure,
        source=f"{info.registrations_source}; ONS LSOA to district lookup",
        scenario_name=name,
        alt_text=f"{alt} {takeaway}.",
        disclosure="published",
    )


# --------------------------------------------------------------------------- all


def scenario_name_of(scenario_json: str | None) -> str:
    """The name of the scenario in ``scenario_json`` (:data:`DEFAULT_SCENARIO_NAME` if None).

    Raises
    ------
    ScenarioError
        If ``scenario_json`` is not a valid scenario.

    Examples
    --------
    >>> scenario_name_of(None) == DEFAULT_SCENARIO_NAME
    True
    """
    if scenario_json is None or not str(scenario_json).strip():
        return DEFAULT_SCENARIO_NAME
    return Scenario.from_json(scenario_json).name


def slide_builders(
    scenario_json: str | None = None,
    individuals: pd.DataFrame | None = None,
    aggregates: AggregatesUpload | None = None,
) -> dict[str, Callable[[System], Slide]]:
    """One function per slide key, each taking the system, for the given scenario.

    Parameters
    ----------
    scenario_json : str, optional
        Allocation scenario as JSON text; the default scenario when None.
    individuals : DataFrame, optional
        Individuals with risk tiers, shared by the tiers and inequality slides.
    aggregates : AggregatesUpload, optional
        The user's uploaded aggregates, for the tiers and inequality slides instead of
        the synthetic individuals (see :func:`tiers_slide`).

    Raises
    ------
    ScenarioError
        If ``scenario_json`` is not a valid scenario.

    Examples
    --------
    >>> list(slide_builders()) == list(SLIDE_KEYS)
    True
    """
    name = scenario_name_of(scenario_json)
    return {
        "overview": lambda s: overview_slide(s, name),
        "map": lambda s: map_slide(s, name),
        "tiers": lambda s: tiers_slide(s, name, individuals, aggregates),
        "allocation": lambda s: allocation_slide(s, scenario_json),
        "inequality": lambda s: inequality_slide(s, name, individuals, aggregates),
        "alignment": lambda s: alignment_slide(s, name),
    }


def build_slides(
    system: System,
    scenario_json: str | None = None,
    keys: Sequence[str] = SLIDE_KEYS,
    progress: Callable[[float, str], None] | None = None,
    individuals: pd.DataFrame | None = None,
) -> list[Slide]:
    """The slides of a briefing for one ICS and scenario.

    Parameters
    ----------
    system : System
        From :func:`layers.load_system` (``detail="light"`` renders faster).
    scenario_json : str, optional
        Allocation scenario as JSON text; the default scenario when None.
    keys : sequence of str
        Which slides, in order (default :data:`SLIDE_KEYS`).
    progress : callable, optional
        Called as ``progress(fraction_done, message)`` after each slide.
    individuals : DataFrame, optional
        Individuals with risk tiers (default :func:`risk_individuals`, made once).

    Returns
    -------
    list of Slide

    Raises
    ------
    ValueError
        For an unknown key; ``ScenarioError`` for an invalid scenario.

    Examples
    --------
    >>> from layers.system import load_system
    >>> slides = build_slides(load_system("QGH", detail="light"), keys=["overview", "map"])
    >>> [s.key for s in slides]
    ['overview', 'map']
    """
    system = _check_system(system)
    if isinstance(keys, str):
        raise TypeError("keys must be a list of slide keys, not one string")
    keys = list(keys)
    unknown = [k for k in keys if k not in SLIDE_KEYS]
    if unknown or not keys:
        raise ValueError(f"Unknown slide key(s) {unknown}; choose from {SLIDE_KEYS}.")
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable or None")
    if individuals is None and {"tiers", "inequality"} <= set(keys):
        individuals = risk_individuals(system)
    builders = slide_builders(scenario_json, individuals)
    slides = []
    for i, key in enumerate(keys):
        slides.append(builders[key](system))
        if progress is not None:
            progress((i + 1) / len(keys), f"Prepared slide {i + 1}: {slides[-1].title}")
    return slides
