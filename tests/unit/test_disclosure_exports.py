"""No suppressible count of people leaks from any export, for the four seed ICSs.

Counts of people derived from the synthetic individuals (risk tiers, at-risk
prevalence) must follow NHS Digital's rule wherever they are shown or exported below
national level: 0 stays 0, 1-7 become ``*``, larger counts are rounded to the nearest 5.

For QGH, QRV, QWU and QU9 this builds every export that holds such counts:

* the slide deck (PowerPoint and PDF) of presentation mode;
* the tiers page's risk-tier tables (CSV and XLSX), for every layer;
* the inequality page's at-risk decile tables (CSV and XLSX), for the ICS, every place
  and every PCN;

and scans them two ways:

A. **where counts of people are**, every value is ``*``, 0 or a multiple of 5 of at
   least 10, and percentages equal those computed from the rounded counts;
B. **anywhere in the file**, no whole number equals an unrounded count that the rule
   would change (10 or more and not a multiple of 5): the true counts behind the
   export, recomputed here from the individuals, never appear.

``tests/app/test_downloads.py`` checks that every page offers those downloads.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

import layers
from layers import indicators, slides, tiers
from layers.deck import build_deck, footer_lines
from layers.deprivation import practice_deprivation
from layers.disclosure import round_count, shares_from_rounded
from layers.export import table_csv, table_xlsx
from layers.individuals import aggregate_individuals
from tests.browser_harness import chromium_available
from tests.conftest import IN_CI

SEED_ICS = ["QGH", "QRV", "QWU", "QU9"]
TIERS = ("low", "rising", "high")
_NUMBER = re.compile(r"(?<![\w.,*])(\d{1,3}(?:,\d{3})+|\d+)(?![\w]|[.,]\d)")


def is_safe(value: object) -> bool:
    """A shown count of people: '*', 0, or a multiple of 5 that is at least 10."""
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text == "*":
            return True
        if not text.isdigit():
            return False
        value = int(text)
    if isinstance(value, float) and not float(value).is_integer():
        return False
    value = int(value)
    return value == 0 or (value >= 10 and value % 5 == 0)


def numbers_in(text: str) -> set[int]:
    """Whole numbers written in text (not decimals, not parts of codes or words)."""
    return {int(m.replace(",", "")) for m in _NUMBER.findall(text)}


def leaky(values: object) -> set[int]:
    """Unrounded counts that the rule would change and that are too big to be chance."""
    array = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype=np.int64)
    return {int(v) for v in array if v >= 10 and v % 5 != 0}


#: Columns that name or label a unit (headers as exports write them, in words):
#: published, never counts of people.
LABEL_COLUMNS = {"Code", "Name", "IMD decile"}


def csv_frame(data: bytes) -> pd.DataFrame:
    """A CSV export read back with a plain read_csv: the table alone, no comment lines."""
    assert not data.decode("utf-8-sig").startswith("#")
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def xlsx_frame(data: bytes) -> pd.DataFrame:
    """The Data sheet of an XLSX export read back (the About sheet holds the licence)."""
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=object)
    assert set(sheets) == {"Data", "About"}
    assert layers.SOURCES in sheets["About"]["About"].tolist()
    return sheets["Data"]


def numbers_in_table(frame: pd.DataFrame) -> set[int]:
    """Whole numbers in every column but labels and percentages (checked on their own)."""
    found: set[int] = set()
    for column in frame.columns:
        if column in LABEL_COLUMNS or str(column).endswith(("_pct", "(%)")):
            continue
        for value in frame[column]:
            if isinstance(value, str):
                found |= numbers_in(value)
            elif isinstance(value, int | np.integer) or (
                isinstance(value, float) and value.is_integer()
            ):
                found.add(int(value))
    return found


class Context:
    """One ICS: its individuals' unrounded counts, the true values never to be shown."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.system = layers.load_system(code, detail="light", vintage="2022")
        self.people = slides.risk_individuals(self.system)
        self.practice_counts = aggregate_individuals(
            self.people, ["practice_code", "risk_tier", "imd_decile"]
        )
        self.practice_counts["practice_code"] = self.practice_counts["practice_code"].astype(str)
        self.tables = tiers.tier_tables(self.system)
        #: Unrounded counts of people by tier (and in IMD deciles 1-2), per layer.
        self.truth_by_layer: dict[str, set[int]] = {}
        counts = self.practice_counts
        deprived = counts["imd_decile"].isin([1, 2]).fillna(False).to_numpy(dtype=bool)
        for layer in tiers.BANDED_LAYERS:
            unit = tiers.unit_mapping(self.tables, layer).set_index("practice_code")["code"]
            frame = counts.assign(unit=counts["practice_code"].map(unit))
            by_tier = frame.groupby(["unit", "risk_tier"], observed=True)["people"].sum()
            dep = frame[deprived].groupby(["unit", "risk_tier"], observed=True)["people"].sum()
            at_risk = frame[frame["risk_tier"].astype(str) != "low"].groupby("unit")["people"]
            self.truth_by_layer[layer] = leaky(by_tier) | leaky(dep) | leaky(at_risk.sum())
        self.truth = set().union(*self.truth_by_layer.values())


@pytest.fixture(scope="module", params=SEED_ICS)
def context(request) -> Context:
    return Context(request.param)


# --------------------------------------------------------------------------- tiers page


def test_tiers_risk_tables_are_disclosure_controlled(context):
    tier_cols = [*TIERS, "total", *(f"{t}_imd_1_2" for t in TIERS)]
    for layer in tiers.BANDED_LAYERS:
        table = tiers.risk_tiers_by_unit(context.practice_counts, context.tables, layer)
        # A: every count cell is shown safely; percentages come from the rounded counts.
        for column in tier_cols:
            bad = table.loc[~table[column].map(is_safe), ["code", column]]
            assert bad.empty, f"{context.code} {layer}: unsafe {column}\n{bad.head()}"
        for tier in TIERS:
            numeric = pd.to_numeric(table[f"{tier}_imd_1_2"], errors="coerce")
            base = pd.to_numeric(table[tier], errors="coerce")
            ok = numeric.notna() & base.gt(0)
            expected = (100 * numeric[ok] / base[ok]).round(1)
            shown = pd.to_numeric(table.loc[ok, f"{tier}_imd_1_2_pct"], errors="coerce")
            assert np.allclose(shown, expected), f"{context.code} {layer} {tier} %"
        # B: the files never hold a true count the rule would change.
        title = f"Risk tiers by {layer} {context.code}"
        for read in (csv_frame(table_csv(table, title)), xlsx_frame(table_xlsx(table, title))):
            assert len(read) == len(table)
            found = numbers_in_table(read) & context.truth
            assert not found, f"{context.code} {layer}: unrounded counts {sorted(found)[:5]}"


# --------------------------------------------------------------------------- inequality page


def test_inequality_at_risk_tables_are_disclosure_controlled(context):
    system = context.system
    counts = indicators.at_risk_counts(context.practice_counts)
    deprivation = practice_deprivation(
        system.registrations, layers.read_table("lsoas", vintage="2022")
    )
    prevalence = indicators.at_risk_prevalence(counts, deprivation)
    n_tables = 0
    for level in indicators.UNIT_LEVELS:
        members = indicators.unit_membership(
            level, "practice", practices=system.practices, ics_code=context.code
        )
        rows = indicators.unit_rows(prevalence, members)
        deciles = indicators.by_decile(rows, "at_risk")
        truth = leaky(deciles["count"]) | context.truth
        for unit, unit_deciles in deciles.groupby("unit_code"):
            table = indicators.decile_display_table(unit_deciles, "at_risk")
            people, at_risk = table.columns[1], table.columns[2]
            share = table.columns[3]
            for column in (people, at_risk):
                assert table[column].map(is_safe).all(), f"{context.code} {unit} {column}"
            numeric = table[[people, at_risk]].apply(pd.to_numeric, errors="coerce")
            expected = shares_from_rounded(
                numeric[at_risk].fillna(0).astype(int), numeric[people].fillna(0).astype(int)
            )
            known = numeric.notna().all(axis=1).to_numpy()
            assert list(table.loc[known, share]) == list(expected[known]), unit
            title = f"At risk by decile {unit}"
            for read in (
                csv_frame(table_csv(table, title)),
                xlsx_frame(table_xlsx(table, title)),
            ):
                found = numbers_in_table(read) & truth
                assert not found, f"{context.code} {unit}: unrounded {sorted(found)[:5]}"
            n_tables += 1
    assert n_tables >= 1 + len(system.places)


# --------------------------------------------------------------------------- the deck


@pytest.fixture(scope="module")
def deck(context):
    if not chromium_available():
        if IN_CI:
            raise RuntimeError("CI=true but Chromium is missing: kaleido needs it")
        pytest.skip("Debian chromium is not installed")
    built = slides.build_slides(context.system, individuals=context.people)
    return built, build_deck(built)


def test_deck_shows_only_rounded_counts_of_people(context, deck):
    pptx = pytest.importorskip("pptx")
    pypdf = pytest.importorskip("pypdf")
    built, files = deck
    individual = [i for i, s in enumerate(built) if s.disclosure == "individual"]
    assert {built[i].key for i in individual} == {"tiers", "inequality"}

    presentation = pptx.Presentation(io.BytesIO(files.pptx))
    reader = pypdf.PdfReader(io.BytesIO(files.pdf))
    pages = []
    for page_pptx, page_pdf in zip(presentation.slides, reader.pages, strict=True):
        text = "\n".join(s.text_frame.text for s in page_pptx.shapes if s.has_text_frame)
        pages.append((text, page_pdf.extract_text()))

    def content(text: str, slide: slides.Slide, number: int) -> str:
        """Page text without the boilerplate every slide carries (source, licence...)."""
        text = " ".join(text.split())
        for line in (*footer_lines(slide, number, len(built)), *slide.notes):
            normal = " ".join(line.split())
            assert normal in text, f"{context.code} {slide.key}: footer missing"
            text = text.replace(normal, " ")
        return text

    people_phrase = re.compile(r"[Aa]bout ([\d,]+) (?:people|patients)|\(([\d,*]+)\) are")
    for i in individual:
        slide = built[i]
        # A: counts of people in the takeaway, and on the bars, are shown safely.
        for text in (slide.takeaway, *pages[i]):
            shown = [a or b for a, b in people_phrase.findall(" ".join(text.split()))]
            assert shown, f"{context.code} {slide.key}: no count of people found"
            assert all(is_safe(v) for v in shown), (context.code, slide.key, shown)
        for trace in slide.figure.data:
            if trace.legendgroup == "risk":
                assert all(is_safe(t) for t in trace.text), (context.code, trace.text)
                assert all(is_safe(float(v)) for v in trace.x), (context.code, trace.x)
    # B: no page of either file holds a true count the rule would change. The deck shows
    # counts of people for the ICS and its places, so those are the true counts to look
    # for (practice-level ones are small and would match published unit counts by chance).
    deck_truth = context.truth_by_layer["ics"] | context.truth_by_layer["place"]
    assert deck_truth
    for number, (slide, (pptx_text, pdf_text)) in enumerate(zip(built, pages, strict=True), 1):
        for text in (pptx_text, pdf_text):
            found = numbers_in(content(text, slide, number)) & deck_truth
            assert not found, f"{context.code} {slide.key}: unrounded {sorted(found)[:5]}"


def test_scanner_finds_a_leak():
    # The scan itself must be able to fail: a table of raw counts is caught both ways.
    raw = pd.DataFrame({"code": ["U1", "U2"], "high": [3, 1234]})
    assert not raw["high"].map(is_safe).all()
    assert numbers_in_table(csv_frame(table_csv(raw, "t"))) & leaky(raw["high"]) == {1234}
    assert numbers_in_table(xlsx_frame(table_xlsx(raw, "t"))) & leaky(raw["high"]) == {1234}
    assert numbers_in("about 1,234 people; 23.4%; Core20; v3.0; U12345") == {1234}
    assert round_count(1234) == 1235 and is_safe(1235)
