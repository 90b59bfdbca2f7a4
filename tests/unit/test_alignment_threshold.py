"""Additions to layers.alignment for the boundaries page: re-flagging at a new threshold,
units homed in places, the disclosure-controlled overlap and straddling list, the
charts and the one-page place card.

Hand-worked answers on the toy geography (layers/alignment/examples.py) and on small
hand-made matrices; equality with a full recomputation on the real July 2022 data.
"""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd
import pytest

from layers import alignment as al
from layers.alignment import tables
from layers.alignment.disclosed import AREA_NAMES, REST_OF_ENGLAND
from layers.alignment.examples import toy_geography
from layers.export import FIGURE_FORMATS, figure_bytes
from layers.figures import alignment as figures
from layers.geodata import vintage_dir
from tests.browser_harness import CHROMIUM
from tests.conftest import IN_CI

TOWN, FIELD = "E07000001", "E07000002"
THRESHOLDS = [0.5, 0.6, 0.8, 0.9, 0.95, 1.0]


@pytest.fixture
def toy():
    return toy_geography()


def _args(toy):
    return toy.registrations, toy.lsoas, toy.practices


def _toy_figures(toy, threshold):
    authorities = al.authority_polygons(toy.lsoa_geometry, toy.lsoas)
    return al.alignment_figures(
        *_args(toy),
        "QAA",
        places=toy.places,
        threshold=threshold,
        footprints=toy.footprints,
        authorities=authorities,
        vintage="2022",
    )


# -- threshold ----------------------------------------------------------------------


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_apply_threshold_equals_a_full_recomputation(toy, threshold):
    base = _toy_figures(toy, 1.0)
    expected = _toy_figures(toy, threshold)
    got = al.apply_threshold(base, threshold)
    assert set(got) == set(expected)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], obj=name)


def test_apply_threshold_by_hand(toy):
    got = al.apply_threshold(_toy_figures(toy, 1.0), 0.85)
    # Home shares of QAA's units (see the toy table): A00004 0.8, U00001 13/14, U00002 0.6.
    assert got["straddling_units"]["unit_code"].tolist() == ["U00002", "A00004"]
    flags = got["home_authorities"].set_index("unit_code")["straddles"].to_dict()
    assert flags == {"A00004": True, "U00001": False, "U00002": True}
    town = got["place_summary"].set_index("place_name").loc["Town"]
    assert town["n_straddling"] == 2
    assert town["straddling"] == "A00004 (80% here); U00002 (60% here)"
    comparison = got["alignment_comparison"].set_index("unit_code")
    assert bool(comparison.loc["U00001", "residence_straddles"]) is False


def test_apply_threshold_does_not_modify_its_input(toy):
    base = _toy_figures(toy, 1.0)
    before = {k: v.copy() for k, v in base.items()}
    al.apply_threshold(base, 0.6)
    for name, table in before.items():
        pd.testing.assert_frame_equal(base[name], table, obj=name)


def test_apply_threshold_refuses_tables_computed_at_a_lower_threshold(toy):
    low = _toy_figures(toy, 0.7)
    with pytest.raises(ValueError, match=r"threshold=1\.0"):
        al.apply_threshold(low, 0.9)
    assert al.apply_threshold(low, 0.65)["straddling_units"]["unit_code"].tolist() == ["U00002"]


def test_apply_threshold_validation(toy):
    base = _toy_figures(toy, 1.0)
    with pytest.raises(TypeError, match="mapping"):
        al.apply_threshold([base], 0.9)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        al.apply_threshold(base, 90)
    without_units = {k: v for k, v in base.items() if k != "place_units"}
    with pytest.raises(ValueError, match="place_units"):
        al.apply_threshold(without_units, 0.9)


def test_place_units_match_the_place_summary(toy):
    units = al.place_units(*_args(toy), "QAA", places=toy.places)
    card = al.place_summary(*_args(toy), "QAA", places=toy.places).set_index("place_code")
    per_place = units.groupby("place_code").agg(
        n=("unit_code", "size"), home=("home_patients", "sum"), patients=("patients", "sum")
    )
    for code, row in per_place.iterrows():
        assert row["n"] == card.loc[code, "n_home_units"]
        assert row["home"] == card.loc[code, "residents_at_home_units"]
        assert row["patients"] == card.loc[code, "home_unit_patients"]
    assert units.set_index("unit_code").loc["U00001", "patients"] == 1400


def test_place_straddling_orders_and_fills_places():
    units = pd.DataFrame(
        {
            "place_code": ["B", "A", "A"],
            "unit_code": ["U3", "U2", "U1"],
            "unit_name": ["Three", "Two", "One"],
            "home_share": [0.5, 0.7, 0.894],
        }
    )
    out = al.place_straddling(units, 0.9, place_codes=["A", "B", "C"])
    assert out["n_straddling"].tolist() == [2, 1, 0]
    assert out["straddling"].tolist() == ["One (89% here); Two (70% here)", "Three (50% here)", ""]
    with pytest.raises(ValueError, match="missing column"):
        al.place_straddling(units.drop(columns="unit_name"), 0.9)


# -- disclosure ---------------------------------------------------------------------


def test_disclose_overlap_by_hand():
    matrix = pd.DataFrame(
        {
            "A": [1302, 0, 3],
            "B": [12, 40, 0],
            "C": [3, 4, 2],  # pooled with D: 3 + 5 = 8 -> 10; 4 + 0 -> *; 2 + 2 -> *
            "D": [5, 0, 2],
            "W92000004": [0, 6, 0],
            "unknown": [2, 0, 0],
        },
        index=pd.Index(["U1", "U2", "U3"], name="unit_code"),
    )
    out = al.disclose_overlap(matrix, keep=["A", "B"])
    assert list(out.shown.columns) == ["A", "B", REST_OF_ENGLAND, "W92000004", "unknown"]
    assert out.shown.loc["U1"].tolist() == [1300, 10, 10, 0, "*"]
    assert out.shown.loc["U2"].tolist() == [0, 40, "*", "*", 0]
    assert out.shown.loc["U3"].tolist() == ["*", 0, "*", 0, 0]
    # Totals from the unrounded counts: 1324 -> 1325, 50 -> 50, 7 -> *.
    assert out.totals.tolist() == [1325, 50, "*"]
    assert np.isnan(out.total_values.loc["U3"])
    # Percentages from the rounded figures: 1300 / 1325, 40 / 50.
    assert out.shares.loc["U1", "A"] == pytest.approx(98.1)
    assert out.shares.loc["U2", "B"] == pytest.approx(80.0)
    assert np.isnan(out.shares.loc["U2", "W92000004"])
    assert out.values.loc["U2", REST_OF_ENGLAND] != out.values.loc["U2", REST_OF_ENGLAND]
    with pytest.raises(ValueError, match="not in the matrix"):
        al.disclose_overlap(matrix, keep=["Z"])
    with pytest.raises(TypeError, match="numeric"):
        al.disclose_overlap(matrix.astype(str))


def test_disclose_straddlers_rounds_and_uses_rounded_shares(toy):
    args = _args(toy)
    straddling = al.straddling_units(*args, threshold=0.99)
    out = al.disclose_straddlers(straddling, al.residence_shares(*args)).set_index("unit_code")
    # U00001: 1400 patients, 1300 in Townham (E07000001), 100 in Fieldshire.
    assert out.loc["U00001", "patients"] == 1400
    assert out.loc["U00001", "home_share_pct"] == pytest.approx(92.9)
    assert out.loc["U00001", "second_patients"] == 100
    assert out.loc["U00001", "split"] == "Townham 92.9%; Fieldshire 7.1%"
    # A00004: 100 patients, 80 Townham, 15 Wales, 5 unknown (suppressed).
    assert out.loc["A00004", "split"].endswith("Unknown LSOA *")
    one = al.disclose_straddlers(straddling, al.residence_shares(*args), max_items=1)
    assert one.set_index("unit_code").loc["A00004", "split"] == "Townham 80.0%; 2 other areas 20.0%"
    with pytest.raises(ValueError, match="max_items"):
        al.disclose_straddlers(straddling, al.residence_shares(*args), max_items=0)


# -- charts -------------------------------------------------------------------------


def test_overlap_heatmap_cells_carry_text_and_follow_the_order():
    matrix = pd.DataFrame(
        {"A": [1300, 3], "B": [12, 40]}, index=pd.Index(["U1", "U2"], name="unit_code")
    )
    overlap = al.disclose_overlap(matrix)
    fig = figures.overlap_heatmap(
        overlap, unit_labels={"U1": "North", "U2": "South"}, order=["U2", "U1"], cells="share"
    )
    trace = fig.data[0]
    assert list(trace.y) == ["South", "North"]
    assert trace.text.tolist() == [["*", "88.9%"], ["99.2%", "0.8%"]]
    assert np.isnan(trace.z[0][0])
    assert "patients" in fig.layout.xaxis.title.text.lower() or fig.layout.xaxis.title.text
    assert "rounded" in fig.layout.title.subtitle.text
    with pytest.raises(ValueError, match="cells"):
        figures.overlap_heatmap(overlap, cells="percent")
    with pytest.raises(ValueError, match="not in the overlap"):
        figures.overlap_heatmap(overlap, order=["U9"])


def test_home_share_chart_splits_at_the_threshold(toy):
    home = al.home_authorities(*_args(toy))
    fig = figures.home_share_chart(home, 0.85)
    straddling, within = fig.data
    assert sorted(straddling.y) == ["A00004", "U00002"]
    assert sorted(within.y) == ["U00001", "U00003"]
    assert all("straddles" in t for t in straddling.text)
    assert straddling.marker.pattern.shape == "/"
    assert straddling.marker.pattern.bgcolor == straddling.marker.color


def test_flow_map_needs_geometry(toy):
    rows = pd.DataFrame(
        {"lsoa_code": ["W92000004"], "patients": [5], "share_of_flow": [1.0], "share_of_lsoa": [0]}
    )
    with pytest.raises(ValueError, match="geometry"):
        figures.flow_map(rows, toy.lsoa_geometry.to_crs(4326))


def test_lineage_map_labels_every_ccg_and_the_parts_elsewhere(toy):
    fig = figures.lineage_map(
        toy.lsoas, toy.lsoa_geometry.to_crs(4326), "QAA", la_level="ltla", vintage="2022"
    )
    labels = {a.text for a in fig.layout.annotations if a.xref == "x"}
    assert labels == {"1. Town", "2. Field", "Field → Beta", "Fieldshire → Beta"}
    assert fig.layout.map.style is None  # SVG: text labels need no map glyphs
    whole = toy.lsoas.assign(icb_code="QAA", ccg21_code="E38000001", ccg21_name="NHS Town CCG")
    fig = figures.lineage_map(
        whole, toy.lsoa_geometry.to_crs(4326), "QAA", la_level="ltla", vintage="2022"
    )
    assert [t.name for t in fig.data] == [
        "1. Town (2021 CCG)",
        "Local authority boundaries (lower-tier)",
        "ICS boundary",
    ]


def test_home_share_bands_count_pcns_in_words():
    home = pd.DataFrame({"home_share": [0.55, 0.65, 0.66, 0.93, 1.0]})
    fig = figures.home_share_bands(home, 0.9, authority="district")
    straddling, fitting = fig.data
    assert straddling.name == "Straddles: under 90% in one district"
    assert list(straddling.y) == [1, 2, 0, 0] and list(fitting.y) == [1, 1]
    assert list(straddling.text) == ["1 PCN", "2 PCNs", "0 PCNs", "0 PCNs"]
    assert straddling.marker.pattern.shape != fitting.marker.pattern.shape


# -- display tables -----------------------------------------------------------------


def test_display_tables_are_the_library_tables_in_words(toy):
    computed = _toy_figures(toy, 0.9)
    home = tables.home_table(computed["home_authorities"], 0.9)
    # U00002: 600 of its 1,000 patients live in Townham (worked by hand in test_alignment).
    u2 = home.set_index("Code").loc["U00002"]
    assert (u2["Registered patients"], u2["Home share (%)"]) == (1000, 60.0)
    assert u2["Straddles (under 90%)"] == "Yes" and u2["Type"] == "PCN"
    assert home["Home share (%)"].is_monotonic_increasing
    flows = tables.flow_table(computed["cross_boundary_flows"])
    assert flows["Patients (Jul 2022)"].sum() == computed["cross_boundary_flows"]["patients"].sum()
    matrix = tables.place_flow_matrix(computed["place_flows"], ["Town", "Country"])
    assert (
        matrix.drop(columns="Residents of").to_numpy().sum()
        == computed["place_flows"]["patients"].sum()
    )
    glance = tables.place_glance_table(computed["place_summary"], 0.9)
    assert glance.set_index("Place").loc["Town", "Straddling (under 90%)"] == 2
    with pytest.raises(ValueError, match="Unknown order"):
        tables.order_units(computed["home_authorities"], [], "random")


def test_overlap_tables_suppress_in_the_export_and_blank_on_screen(toy):
    computed = _toy_figures(toy, 0.9)
    overlap = al.disclose_overlap(computed["overlap_matrix"])
    rows = tables.order_units(computed["home_authorities"], ["E07000001"], "name")
    shown, export = tables.overlap_tables(overlap, computed["home_authorities"], {}, rows)
    assert shown["Code"].tolist() == export["Code"].tolist() == sorted(rows)
    a4 = export.set_index("Code").loc["A00004"]
    assert a4["Unknown LSOA"] == "*" and a4["Wales"] == 15  # 5 patients: suppressed
    assert np.isnan(shown.set_index("Code").loc["A00004", "Unknown LSOA"])
    _, shares = tables.overlap_tables(overlap, computed["home_authorities"], {}, rows, "share")
    assert shares.set_index("Code").loc["A00004", "Unknown LSOA"] == "*"


# -- place card ---------------------------------------------------------------------


def _toy_card(toy, threshold=0.9):
    computed = al.apply_threshold(_toy_figures(toy, 1.0), threshold)
    row = computed["place_summary"].iloc[0]
    units = computed["place_units"].loc[lambda u: u["place_code"] == row["place_code"]]
    facts = al.place_card_table(row, threshold=threshold, ics_name="Alpha", vintage="2022")
    return row, facts, units


def test_place_card_table_in_plain_words(toy):
    row, facts, _ = _toy_card(toy)
    values = facts.set_index("Item")["Value"]
    assert values["Place"] == "Town"
    assert values["Residents registered with units homed here"] == "97.5% (1,980 of 2,030)"
    assert values["Patients of those units living here"] == "79.2% (1,980 of 2,500)"
    assert values["PCNs homed here (most patients live here)"] == (
        "2 PCNs and 1 practice(s) in no PCN"
    )
    _, facts_low, _ = _toy_card(toy, threshold=0.5)
    assert facts_low.set_index("Item").loc["Straddling units (under 50% of patients here)"].iloc[
        0
    ] == ("0 of 3")
    with pytest.raises(ValueError, match="place_summary row"):
        al.place_card_table(
            row.drop("n_straddling"), threshold=0.9, ics_name="Alpha", vintage="2022"
        )


def test_place_card_xlsx_has_the_facts_and_units(toy):
    _, facts, units = _toy_card(toy)
    book = pd.read_excel(
        io.BytesIO(al.place_card_xlsx(facts, units, title="Town card", vintage="2022")),
        sheet_name=None,
    )
    assert list(book) == ["Card", "Units", "About"]
    assert book["Card"]["Value"].tolist()[0] == "Town"
    assert sorted(book["Units"]["Code"]) == ["A00004", "U00001", "U00002"]
    assert "Town card" in book["About"]["About"].tolist()


def _need_chromium():
    if not CHROMIUM.exists():
        if IN_CI:
            raise RuntimeError("CI=true but Chromium is missing: kaleido needs it")
        pytest.skip("Debian chromium is not installed")


def test_place_card_renders_to_a_one_page_pdf_with_the_place_name(toy):
    _need_chromium()
    pypdf = pytest.importorskip("pypdf")
    _, facts, units = _toy_card(toy)
    fig = figures.place_card_figure(
        facts, units, threshold=0.9, title="Townham card", vintage="2022"
    )
    data = figure_bytes(fig, "pdf", width=figures.CARD_WIDTH, height=figures.CARD_HEIGHT, scale=1)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 596)  # A4 landscape
    text = reader.pages[0].extract_text()
    assert "Townham card" in text and "U00002" in text
    png = figure_bytes(fig, "png", width=figures.CARD_WIDTH, height=figures.CARD_HEIGHT, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_figure_bytes_formats():
    assert "pdf" in FIGURE_FORMATS
    with pytest.raises(ValueError, match="'pdf'"):
        figure_bytes(
            figures.home_share_chart(
                pd.DataFrame(
                    {
                        "unit_code": ["U"],
                        "unit_name": ["U"],
                        "home_la_name": ["A"],
                        "home_share": [1.0],
                    }
                ),
                0.9,
            ),
            "jpeg",
        )


# -- real data ----------------------------------------------------------------------

needs_geodata = pytest.mark.skipif(
    not (vintage_dir("2022") / "registrations.parquet").exists() and not os.environ.get("CI"),
    reason="geodata/ is not built on this machine",
)


@needs_geodata
@pytest.mark.parametrize(("icb", "la_level"), [("QRV", "utla"), ("QE1", "ltla")])
def test_real_apply_threshold_equals_recomputation(england, icb, la_level):
    import layers

    places = layers.place_lookup(icb, "utla", vintage="2022")
    base = al.alignment_figures(
        *england, icb, places=places, la_level=la_level, threshold=1.0, vintage="2022"
    )
    for threshold in (0.7, 0.9):
        expected = al.alignment_figures(
            *england, icb, places=places, la_level=la_level, threshold=threshold, vintage="2022"
        )
        got = al.apply_threshold(base, threshold)
        for name in ("home_authorities", "straddling_units", "place_summary"):
            pd.testing.assert_frame_equal(got[name], expected[name], obj=name)


@needs_geodata
def test_real_disclosed_overlap_obeys_the_rule(england):
    registrations, lsoas, practices = england
    matrix = al.overlap_matrix(registrations, lsoas, practices, la_level="utla", icb_code="QRV")
    boroughs = lsoas.loc[lsoas["icb_code"] == "QRV", "utla_code"].unique()
    out = al.disclose_overlap(matrix, keep=[c for c in matrix.columns if c in boroughs])
    # 8 boroughs, the rest of England and unknown LSOAs (no patient lives in Wales).
    assert list(out.shown.columns[8:]) == [REST_OF_ENGLAND, "unknown"]
    assert set(out.shown.columns[:8]) == set(boroughs)
    values = out.shown.to_numpy().ravel()
    numbers = np.array([v for v in values if v != "*"], dtype=np.int64)
    assert (numbers % 5 == 0).all()
    assert not ((numbers >= 1) & (numbers <= 7)).any()
    # The pooled column is the sum of the unrounded cells it replaces, rounded once.
    rest = matrix.drop(columns=[*boroughs, *[c for c in AREA_NAMES if c in matrix]]).sum(axis=1)
    shown_rest = out.values[REST_OF_ENGLAND].dropna()
    expected = 5 * ((rest.loc[shown_rest.index] + 2) // 5)
    np.testing.assert_array_equal(shown_rest.to_numpy(), expected.to_numpy())
    # Babylon GP at Hand: most patients live outside North West London.
    assert out.shares.loc["U19803", REST_OF_ENGLAND] > 60
