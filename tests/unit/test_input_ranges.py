"""Every numeric input has a documented range, and names one rule (issue #18).

Numbers past their range are validation errors (``ScenarioError``, ``ValueError`` from
the bands parser and the current-allocation check), never an overflow, ``Infinity`` in
saved JSON, or ``RecursionError``. Names of every kind follow :mod:`layers.names`.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from layers import strict_json
from layers.allocation import (
    MAX_POUNDS,
    CatalogueError,
    Scenario,
    ScenarioError,
    default_catalogue,
    example_practices,
    validate_catalogue,
    validate_current_allocation,
)
from layers.names import FORMULA_PREFIXES, clean_name, name_problem, normalise_name
from layers.tiers import MAX_BAND_BOUND, parse_bands, validate_bands

TOO_BIG = f"is more than £{MAX_POUNDS:,}, the largest amount accepted"


def scenario_text(budget_json: str = "1000.0", **changes) -> str:
    data = Scenario("Base", 1000, default_catalogue()).to_dict()
    data.update(changes)
    text = json.dumps(data)
    return text.replace('"budget": 1000.0', f'"budget": {budget_json}')


@pytest.mark.parametrize(
    ("budget_json", "message"),
    [
        ("1e307", f"budget 1e+307 {TOO_BIG}"),
        ("12345678901234567", f"budget 12345678901234567 {TOO_BIG}"),
        (
            '"1e1000000"',
            "budget '1e1000000' is not a number of pounds (write it like 1250000 or £1,250,000.00)",
        ),
        (
            '"1,5"',
            "budget '1,5' is not a number of pounds (write it like 1250000 or £1,250,000.00)",
        ),
        (
            "1" + "0" * 4999,
            "scenario cannot be read: it holds an integer of 5,000 digits; at most 20 are allowed",
        ),
        (
            "1e400",
            "scenario cannot be read: it holds the number 1e400, too large to be a finite number",
        ),
        ("NaN", "scenario cannot be read: it holds NaN, which is not a number JSON allows"),
        (
            "-Infinity",
            "scenario cannot be read: it holds -Infinity, which is not a number JSON allows",
        ),
    ],
)
def test_scenario_budgets_outside_their_range_are_errors(budget_json, message):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json(scenario_text(budget_json))
    assert str(info.value) == message


def test_largest_budget_is_accepted_and_saved_as_strict_json():
    scenario = Scenario.from_json(scenario_text(str(MAX_POUNDS)))
    assert scenario.budget_pence == MAX_POUNDS * 100
    assert Scenario.from_json(scenario.to_json()) == scenario
    with pytest.raises(ScenarioError, match="the largest amount accepted"):
        Scenario("Over", MAX_POUNDS + 1, default_catalogue())


def test_deep_scenario_is_an_error_not_recursion():
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json("[" * 200_000 + "]" * 200_000)
    assert str(info.value) == (
        "scenario cannot be read: it is nested 200,000 levels deep; at most 64 levels are allowed"
    )


def test_json_written_is_strict():
    assert strict_json.dumps({"a": 1.5}) == '{"a": 1.5}'
    for value in (float("inf"), float("nan")):
        with pytest.raises(ValueError, match="not JSON compliant"):
            strict_json.dumps({"budget": value})
    assert "Infinity" not in Scenario("Big", MAX_POUNDS, default_catalogue()).to_json()


def test_huge_parameters_and_shares_are_range_errors():
    with pytest.raises(ScenarioError) as info:
        Scenario(
            "Fair", 1000, default_catalogue(), "inequality_zero_sum", {"share_percent": 10**5000}
        )
    assert str(info.value) == (
        "method 'inequality_zero_sum' parameter 'share_percent' must be between 0 and 100, got "
        "an integer of more than 4,300 digits"
    )
    catalogue = default_catalogue().astype(object)
    catalogue.loc[0, "share_percent"] = 10**30
    with pytest.raises(CatalogueError, match=r"share_percent 10{30} must be between 0 and 100"):
        validate_catalogue(catalogue)


@pytest.mark.parametrize(
    ("pounds", "reason"),
    [
        ("1,5", "pounds '1,5' is not a number"),
        ("1,00,000", "pounds '1,00,000' is not a number"),
        ("12345678901234567", f"pounds '12345678901234567' {TOO_BIG}"),
        ("1e400", "pounds '1e400' is not a number"),
        (10**20, f"pounds 100000000000000000000 {TOO_BIG}"),
        (float("inf"), "pounds inf is not a finite number"),
    ],
)
def test_current_allocation_pounds_have_a_range(pounds, reason):
    frame = pd.DataFrame({"place_code": ["X", "Y"], "pounds": [pounds, "£1,000.50"]})
    with pytest.raises(ValueError) as info:
        validate_current_allocation(frame, example_practices())
    assert str(info.value) == f"current allocation has 1 problem(s):\nrow 2: {reason}"


def test_current_allocation_keeps_thousands_commas_in_their_places():
    frame = pd.DataFrame({"place_code": ["X", "Y"], "pounds": ["£1,250,000.50", "1250000"]})
    totals = validate_current_allocation(frame, example_practices())
    assert totals["pence"].tolist() == [125_000_050, 125_000_000]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1-100000000000000000000,30k-50k,100k-500k,500k-1.5m",
            "'100000000000000000000' is more than 100,000,000 people, the largest band accepted.",
        ),
        (
            "1k-10k,30k-50k,100k-500k,500k-" + "9" * 5000,
            "'99999999999999999999999999999999999...' is more than 100,000,000 people, the "
            "largest band accepted.",
        ),
        (
            "1k-10k,30k-50k,100k-500k,500k-101m",
            "Band for ICS: the upper bound (101000000) is more than 100,000,000 people, the "
            "largest band accepted.",
        ),
    ],
)
def test_band_limits_have_a_range(text, message):
    with pytest.raises(ValueError) as info:
        parse_bands(text)
    assert str(info.value) == message


def test_largest_band_is_accepted():
    assert validate_bands({"ics": (1, MAX_BAND_BOUND)})["ics"] == (1, MAX_BAND_BOUND)
    with pytest.raises(ValueError, match="largest band accepted"):
        validate_bands({"ics": (1, 10**5000)})


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("char", "label"),
    [
        ("\u2028", "U+2028 LINE SEPARATOR"),
        ("\u2029", "U+2029 PARAGRAPH SEPARATOR"),
        ("\u0085", "U+0085 NEXT LINE"),
        ("\u007f", "U+007F DELETE"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u2060", "U+2060 WORD JOINER"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\u00ad", "U+00AD SOFT HYPHEN"),
        ("\ue000", "U+E000 private-use character"),
        ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("\u3164", "U+3164 HANGUL FILLER"),
        ("\ufe0f", "U+FE0F VARIATION SELECTOR-16"),
        ("\x01", "U+0001 control character"),
    ],
)
def test_invisible_and_control_characters_are_refused(char, label):
    assert name_problem(f"Nor{char}th", "place_name") == (
        f"place_name {f'Nor{char}th'!r} contains an invisible or control character ({label} "
        "at position 4)"
    )


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_formula_prefixes_are_refused(prefix):
    problem = name_problem(f"{prefix}2+3+cmd|' /C calc'!A0", "service name")
    assert problem is not None
    assert "formula" in problem or "control character" in problem


def test_names_normalise_to_one_form():
    assert normalise_name("Cafe\u0301\u00a0\u2003Royal ") == "Café Royal"
    assert clean_name("  North  East ", "place") == "North East"
    assert name_problem("x" * 100_000, "place_name") == (
        "place_name is longer than 100 characters (100,000)"
    )


def test_every_kind_of_name_uses_the_rule():
    with pytest.raises(ScenarioError, match="RIGHT-TO-LEFT OVERRIDE"):
        Scenario("Plan\u202e", 1000, default_catalogue())
    catalogue = default_catalogue()
    catalogue.loc[0, "service"] = '=HYPERLINK("http://example.com","x")'
    with pytest.raises(ScenarioError) as info:
        Scenario("Plan", 1000, catalogue)
    assert str(info.value) == (
        "scenario catalogue is invalid: catalogue row 1: service name "
        "'=HYPERLINK(\"http://example.com\",\"x\")' starts with '=', which spreadsheets read "
        "as a formula"
    )
    lookalike = default_catalogue()
    lookalike.loc[1, "service"] = lookalike.loc[0, "service"] + "\u00a0"
    with pytest.raises(CatalogueError, match="service name is repeated"):
        validate_catalogue(lookalike)
