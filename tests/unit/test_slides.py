"""Slide content: takeaways computed from the data, disclosure control, scenario names."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import layers
from layers import slides
from layers.allocation import ScenarioError, default_catalogue
from layers.allocation.scenario import Scenario
from layers.disclosure import round_count
from layers.risk import RISK_TIERS


def _safe(text: str) -> bool:
    """A displayed count of people: '*', 0, or a multiple of 5 that is at least 10."""
    if text == "*":
        return True
    value = int(text.replace(",", ""))
    return value == 0 or (value >= 10 and value % 5 == 0)


@pytest.fixture(scope="module")
def qgh():
    return layers.load_system("QGH", vintage="2022")


@pytest.fixture(scope="module")
def qgh_slides(qgh):
    return {s.key: s for s in slides.build_slides(qgh)}


@pytest.fixture
def toy(toy_tables):
    # Two places: D1 holds P1, P2 (PCN A) and P4 (no PCN); D2 holds P3 (PCN B).
    return layers.load_system("QXX", "ltla", tables=toy_tables, vintage="2022")


def _toy_people(spec: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = []
    for practice, tiers in spec.items():
        for tier, n in tiers.items():
            rows += [(practice, tier, 1)] * n
    frame = pd.DataFrame(rows, columns=["practice_code", "risk_tier", "imd_decile"])
    frame["risk_tier"] = pd.Categorical(frame["risk_tier"], categories=RISK_TIERS, ordered=True)
    return frame


# --------------------------------------------------------------------------- Slide


def test_slide_validates_its_fields():
    good = slides.example_slide()
    with pytest.raises(ValueError, match="Unknown slide key"):
        slides.Slide(**{**good.__dict__, "key": "nope"})
    with pytest.raises(ValueError, match="disclosure"):
        slides.Slide(**{**good.__dict__, "disclosure": "secret"})
    with pytest.raises(TypeError, match="plotly Figure"):
        slides.Slide(**{**good.__dict__, "figure": {"data": []}})
    with pytest.raises(ValueError, match="takeaway"):
        slides.Slide(**{**good.__dict__, "takeaway": "  "})


def test_builders_reject_what_is_not_a_system():
    with pytest.raises(TypeError, match="System"):
        slides.overview_slide("QGH")
    with pytest.raises(ValueError, match="Unknown slide key"):
        slides.build_slides(layers.load_system("QWU", vintage="2022"), keys=["overview", "england"])
    with pytest.raises(TypeError, match="list of slide keys"):
        slides.build_slides(layers.load_system("QWU", vintage="2022"), keys="map")


# --------------------------------------------------------------------------- toy ICS


def test_toy_overview_and_map_takeaways(toy):
    # Hand-worked: lists 60 + 25 + 115 + 40 = 240; residents 100 + 200 + 300 + 400.
    overview = slides.overview_slide(toy, "S")
    assert overview.takeaway == (
        "240 registered patients at 4 practices in 2 PCNs and 2 places; 760 fewer than live there"
    )
    assert overview.disclosure == "published"
    # Every toy LSOA is in IMD decile 1.
    map_slide = slides.map_slide(toy, "S")
    assert map_slide.takeaway == (
        "4 of 4 neighbourhoods (LSOAs) are in England’s most deprived 20%, "
        "home to 1,000 residents (100.0%)"
    )
    # The slide restyles the choropleth's colour bar for the projector.
    (choropleth,) = [t for t in map_slide.figure.data if t.type == "choropleth"]
    assert choropleth.colorbar.tickfont.size == 18


def test_toy_tiers_slide_applies_the_disclosure_rule(toy):
    people = _toy_people(
        {
            "P1": {"high": 3, "rising": 20, "low": 37},
            "P2": {"low": 25},
            "P3": {"high": 12, "low": 103},
            "P4": {"low": 40},
        }
    )
    slide = slides.tiers_slide(toy, "S", individuals=people)
    # ICS high = 3 + 12 = 15 (a multiple of 5, shown as is); PCNs 85 and 115 < 30,000.
    assert slide.takeaway == (
        "0 of 2 PCNs are above 50,000 patients and 2 below 30,000; about 15 people are at high risk"
    )
    bars = {t.name: dict(zip(t.y, t.text, strict=True)) for t in slide.figure.data}
    high = bars["High risk (moderate or severe frailty)"]
    rising = bars["Rising risk (2+ long-term conditions)"]
    places = {p.place_code: p.place_name for p in toy.places.itertuples()}
    assert high[places["D1"]] == "*"  # 3 people: suppressed
    assert high[places["D2"]] == "10"  # 12 rounds to 10
    assert rising[places["D1"]] == "20"
    assert rising[places["D2"]] == "0"  # a true zero stays 0
    # The value axis of people carries no ticks that could be read as counts.
    assert slide.figure.layout.xaxis2.showticklabels is False
    assert slide.disclosure == "individual"
    assert slides.DISCLOSURE_NOTE in slide.notes


def test_toy_tiers_slide_says_when_high_risk_is_suppressed(toy):
    people = _toy_people({"P1": {"high": 4, "low": 56}, "P3": {"low": 115}})
    assert slide_takeaway_tail(slides.tiers_slide(toy, "S", individuals=people)) == (
        "a few people (*) are at high risk"
    )


def slide_takeaway_tail(slide: slides.Slide) -> str:
    return slide.takeaway.split("; ")[-1]


# --------------------------------------------------------------------------- QGH


def test_six_slides_in_page_order(qgh_slides):
    assert list(qgh_slides) == list(slides.SLIDE_KEYS)
    for slide in qgh_slides.values():
        assert isinstance(slide.figure, go.Figure) and slide.figure.data
        assert slide.figure.layout.title.text is None  # the slide has the title
        assert slide.ics_code == "QGH"
        assert slide.scenario_name == slides.DEFAULT_SCENARIO_NAME
        assert slide.takeaway in slide.alt_text


def test_overview_takeaway_from_the_tables():
    practices = layers.read_table("practices", vintage="2022")
    lsoas = layers.read_table("lsoas", vintage="2022")
    qwu = practices[practices["icb_code"] == "QWU"]
    listed = int(qwu["registered_patients"].sum())
    residents = int(lsoas.loc[lsoas["icb_code"] == "QWU", "population"].sum())
    slide = slides.overview_slide(layers.load_system("QWU", vintage="2022"))
    assert slide.takeaway.startswith(f"{listed:,} registered patients at {len(qwu)} practices")
    assert f"{abs(listed - residents):,}" in slide.takeaway


def test_map_takeaway_counts_core20_lsoas(qgh_slides):
    lsoas = layers.read_table("lsoas", vintage="2022")
    qgh = lsoas[lsoas["icb_code"] == "QGH"]
    core20 = qgh[qgh["imd_decile"] <= 2]
    expected = f"{len(core20)} of {len(qgh)} neighbourhoods (LSOAs)"
    assert qgh_slides["map"].takeaway.startswith(expected)
    assert f"{int(core20['population'].sum()):,} residents" in qgh_slides["map"].takeaway


def test_tiers_takeaway_counts_pcns_from_the_practice_lists(qgh, qgh_slides):
    practices = layers.read_table("practices", vintage="2022")
    sizes = practices[practices["icb_code"] == "QGH"].groupby("pcn_code")["registered_patients"]
    sizes = sizes.sum()
    above, below = int((sizes > 50_000).sum()), int((sizes < 30_000).sum())
    assert qgh_slides["tiers"].takeaway.startswith(
        f"{above} of {len(sizes)} PCNs are above 50,000 patients and {below} below 30,000"
    )
    # The high-risk count is the rounded total of the unrounded individual counts.
    people = slides.risk_individuals(qgh)
    raw_high = int((people["risk_tier"] == "high").sum())
    assert f"about {round_count(raw_high):,} people are at high risk" in (
        qgh_slides["tiers"].takeaway
    )


def test_risk_slides_show_only_rounded_counts(qgh_slides):
    for key in ("tiers", "inequality"):
        slide = qgh_slides[key]
        assert slide.disclosure == "individual"
        counts = re.findall(r"[Aa]bout ([\d,]+) (?:people|patients)", slide.takeaway)
        assert counts and all(_safe(c) for c in counts)
    risk = [t for t in qgh_slides["tiers"].figure.data if t.legendgroup == "risk"]
    assert [t.name for t in risk] == [
        "Rising risk (2+ long-term conditions)",
        "High risk (moderate or severe frailty)",
    ]  # a renamed group fails here instead of checking nothing
    for trace in risk:
        assert all(_safe(t) for t in trace.text), trace.text


def test_inequality_share_is_from_rounded_counts(qgh, qgh_slides):
    people = slides.risk_individuals(qgh)
    at_risk = int(people["risk_tier"].isin(["rising", "high"]).sum())
    share = 100 * round_count(at_risk) / round_count(len(people))
    assert f"About {round_count(at_risk):,} patients ({share:.1f}%)" in (
        qgh_slides["inequality"].takeaway
    )


def test_alignment_takeaway_from_registrations(qgh_slides):
    regs = layers.read_table("registrations", vintage="2022")
    lsoas = layers.read_table("lsoas", vintage="2022")
    practices = layers.read_table("practices", vintage="2022")
    members = practices[(practices["icb_code"] == "QGH") & practices["pcn_code"].notna()]
    joined = regs.merge(members[["practice_code", "pcn_code"]], on="practice_code").merge(
        lsoas[["lsoa_code", "ltla_code", "icb_code"]], on="lsoa_code", how="left"
    )
    total = joined.groupby("pcn_code")["patients"].sum()
    home = joined.groupby(["pcn_code", "ltla_code"])["patients"].sum().groupby("pcn_code").max()
    straddle = int((home / total < 0.9).sum())
    ics_patients = regs[
        regs["practice_code"].isin(practices.loc[practices.icb_code == "QGH", "practice_code"])
    ]
    inside = ics_patients.merge(lsoas[["lsoa_code", "icb_code"]], on="lsoa_code")
    share = 100 * inside.loc[inside["icb_code"] == "QGH", "patients"].sum()
    share /= ics_patients["patients"].sum()
    assert qgh_slides["alignment"].takeaway == (
        f"{straddle} of {len(total)} PCNs straddle a council boundary (under 90% of patients "
        f"in one district); {share:.1f}% of patients live in the ICS"
    )


def test_allocation_slide_uses_the_scenario_everywhere():
    qwu = layers.load_system("QWU", vintage="2022")
    frame = slides.practice_frame_for(qwu)
    scenario = Scenario("Level up 5%", 1_000_000_000, default_catalogue(), "equal_per_head")
    text = scenario.to_json()
    built = slides.build_slides(qwu, text, keys=["overview", "allocation"])
    assert {s.scenario_name for s in built} == {"Level up 5%"}
    allocation = built[1]
    assert allocation.title == "Sharing the budget: Level up 5%"
    # Equal per head: the largest place gets budget × its share of the population.
    population = frame.groupby("place_code")["wp_population"].sum()
    top = population.idxmax()
    name = qwu.places.set_index("place_code").loc[top, "place_name"]
    pounds = 1e9 * population[top] / population.sum()
    assert allocation.takeaway.startswith(f"{name} gets the most, £{pounds / 1e6:.1f}m")
    assert "of £1.00bn" in allocation.takeaway


def test_bad_scenario_json_is_refused_with_a_reason():
    qwu = layers.load_system("QWU", vintage="2022")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        slides.allocation_slide(qwu, "{not json")
    bad = json.loads(Scenario("X", 100, default_catalogue(), "weighted_capitation").to_json())
    bad["version"] = 99
    with pytest.raises(ScenarioError, match="version"):
        slides.scenario_name_of(json.dumps(bad))


def test_progress_reports_every_slide():
    seen = []
    slides.build_slides(
        layers.load_system("QWU", vintage="2022"),
        keys=["overview", "map"],
        progress=lambda f, m: seen.append(f),
    )
    assert seen == [0.5, 1.0]


def test_palettes_are_colour_blind_safe(qgh_slides):
    # Every bar trace that has a name also has text labels, so no meaning rests on
    # colour alone; paired series differ by hatch pattern as well as colour.
    for slide in qgh_slides.values():
        bars = [t for t in slide.figure.data if t.type == "bar"]
        for trace in bars:
            assert trace.text is not None and len(trace.text) > 0, (slide.key, trace.name)
        patterns = [t.marker.pattern.shape for t in bars if t.showlegend is not False]
        named = [t for t in bars if t.name and slide.figure.layout.showlegend is not False]
        if len(named) > 1:
            assert len(set(patterns)) > 1, slide.key
    assert np.all([c.startswith("#") for c in slides.OKABE_ITO])


def test_alignment_and_inequality_slides_draw_the_pages_figures(qgh_slides):
    """One definition: the slides restyle the Boundary alignment and Inequality pages'
    figure functions (layers.figures), they do not draw their own."""
    from layers.alignment import home_authorities
    from layers.figures import alignment as alignment_figures

    tables = (layers.read_table(t, vintage="2022") for t in ("registrations", "lsoas", "practices"))
    homes = home_authorities(*tables, by="pcn", la_level="ltla", icb_code="QGH", threshold=0.9)
    homes = homes[homes["unit_type"] == "pcn"]
    page = alignment_figures.home_share_chart(homes, 0.9, authority="district")
    slide = qgh_slides["alignment"].figure
    assert [t.name for t in slide.data] == [t.name for t in page.data]
    for shown, drawn in zip(slide.data, page.data, strict=True):
        assert list(shown.y) == list(drawn.y) and list(shown.text) == list(drawn.text)
        assert shown.marker.pattern.shape == drawn.marker.pattern.shape

    inequality = qgh_slides["inequality"].figure
    bars, line = inequality.data
    assert (bars.type, bars.name, line.type) == ("bar", "Decile value", "scatter")
    assert line.name.startswith("SII line: gap")
    labels = list(layers.indicators.DECILE_LABELS.values())
    ticks = list(inequality.layout.xaxis.ticktext)
    assert ticks == sorted(ticks, key=labels.index) and set(ticks) <= set(labels)
    assert sum(bars.width) == pytest.approx(96)  # bars as wide as their share of patients
    assert bars.textposition == "outside" and all(t.endswith("%") or t == "*" for t in bars.text)
