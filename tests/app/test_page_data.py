"""The upload flow on the Your data page, under AppTest: validate, show, apply, clear."""

import json

import pytest
from streamlit.testing.v1 import AppTest

import layers
from dashboard.scaffold import plain
from tests.app.apptest import APP, metrics

QGH = layers.load_system("QGH", vintage="2022")
CODES = sorted(QGH.practices["practice_code"])


def grouping_csv(n_places: int = 3, extra: str = "") -> bytes:
    rows = [f"{c},Locality {i % n_places + 1}" for i, c in enumerate(CODES)]
    return ("practice_code,place_name\n" + "\n".join(rows) + "\n" + extra).encode()


@pytest.fixture
def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ics"] = "QGH"
    at.run()
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception
    return at


def uploader(at: AppTest, kind: str):
    return next(
        u
        for u in at.get("file_uploader")
        if u.proto.id.endswith(f"upload_{kind}") or f"upload_{kind}" in u.proto.id
    )


def apply_grouping(at: AppTest, content: bytes) -> AppTest:
    uploader(at, "place_groupings").set_value(("groups.csv", content, "text/csv"))
    at.run()
    at.button(key="apply_place_groupings").click().run()
    return at


def test_valid_grouping_changes_every_page(data_page):
    at = apply_grouping(data_page, grouping_csv(3))
    assert not at.exception
    assert any("Applied" in s.value for s in at.success)
    at.switch_page("views/overview.py").run()
    assert not at.exception
    assert metrics(at)["Places"] == "3"
    assert metrics(at)["Registered patients (Jul 2022)"] == "817,738"  # nothing lost
    assert any("Your own place groupings" in c.value for c in at.caption)
    assert any("Uploaded data in use this session: place groupings" in i.value for i in at.info)


def test_rejected_rows_are_listed_with_row_numbers(data_page):
    bad_rows = "ZZZ999,Nowhere\n"  # row len(CODES) + 2 in the spreadsheet
    uploader(data_page, "place_groupings").set_value(
        ("groups.csv", grouping_csv(2, bad_rows), "text/csv")
    )
    data_page.run()
    assert not data_page.exception
    rejected = next(d.value for d in data_page.dataframe if "Why rejected" in d.value.columns)
    assert rejected["Row"].tolist() == [len(CODES) + 2]
    assert "ZZZ999" in rejected["Why rejected"].iloc[0]
    assert any("1 rejected" in w.value for w in data_page.warning)


def test_malformed_upload_changes_nothing(data_page):
    at = apply_grouping(data_page, grouping_csv(3))
    before = at.session_state["uploads"].fingerprint()
    uploader(at, "place_groupings").set_value(("groups.csv", b"\xff\xfe\x00garbage", "text/csv"))
    at.run()
    assert not at.exception
    assert any("was not used" in e.value and plain("UTF-8") in e.value for e in at.error)
    assert at.session_state["uploads"].fingerprint() == before
    at.switch_page("views/overview.py").run()
    assert metrics(at)["Places"] == "3"


def test_clear_restores_the_built_in_places(data_page):
    at = apply_grouping(data_page, grouping_csv(3))
    at.switch_page("views/data.py").run()
    at.button(key="clear_place_groupings").click().run()
    at.switch_page("views/overview.py").run()
    assert metrics(at)["Places"] == "2"
    assert not any("Uploaded data in use" in i.value for i in at.info)


def test_boundaries_upload_draws_on_the_map(data_page):
    square = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"place_name": "Proposed North"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[-2.4, 52.2], [-2.1, 52.2], [-2.1, 52.4], [-2.4, 52.4], [-2.4, 52.2]]
                    ],
                },
            }
        ],
    }
    uploader(data_page, "boundaries").set_value(
        ("proposed.geojson", json.dumps(square).encode(), "application/geo+json")
    )
    data_page.run()
    data_page.button(key="apply_boundaries").click().run()
    data_page.switch_page("views/map.py").run()
    assert not data_page.exception
    figure = json.loads(data_page.get("plotly_chart")[0].proto.spec)
    assert any(t.get("name") == "Proposed boundaries (your upload)" for t in figure["data"])


def test_practice_list_is_compared_on_the_overview(data_page):
    first = QGH.practices.iloc[0]
    content = (
        "practice_code,practice_name,postcode,list_size,pcn_code\n"
        f"{first.practice_code},{first.practice_name},{first.postcode},"
        f"{first.registered_patients + 100},{first.pcn_code}\n"
    ).encode()
    uploader(data_page, "practice_list").set_value(("list.csv", content, "text/csv"))
    data_page.run()
    data_page.button(key="apply_practice_list").click().run()
    data_page.switch_page("views/overview.py").run()
    assert not data_page.exception
    assert metrics(data_page)["Practices in both"] == "1"
    compared = next(d.value for d in data_page.dataframe if "difference" in d.value.columns)
    assert compared.dropna(subset=["difference"])["difference"].tolist() == [100]


def test_budgets_become_the_current_allocation(data_page):
    places = QGH.places  # preset places for QGH: Herefordshire, Worcestershire
    content = (
        "place_code,pounds\n"
        + "\n".join(f"{code},{100_000_000 + i}" for i, code in enumerate(places["place_code"]))
    ).encode()
    uploader(data_page, "budgets").set_value(("budgets.csv", content, "text/csv"))
    data_page.run()
    assert not data_page.error, [e.value for e in data_page.error]
    data_page.button(key="apply_budgets").click().run()
    current = data_page.session_state["alloc_current"]
    assert current["name"] == "budgets.csv"
    assert current["totals"]["pence"].sum() == sum(
        (100_000_000 + i) * 100 for i in range(len(places))
    )
    data_page.switch_page("views/allocation.py").run()
    assert not data_page.exception
