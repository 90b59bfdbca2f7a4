"""Quantile assignment against the PHEindicatormethods reference (testdata_Quantiles.csv).

The CSV is upstream's ``testdata_Quantiles`` (1,017 rows). As upstream's
LoadTestdata.R does, ``Polarity`` "RAG - High is good" means ``invert = False``
and "RAG - Low is good" ``invert = True`` (some rows already hold True/False),
and ``Test == "BadPolarity"`` rows are kept out of the calculation tests. The
cases follow testQuantiles.R:

* GroupSet "IndSexReg" (339 rows): deciles within IndSexRef x ParentCode,
  invert from the Polarity field;
* GroupSet "IndSex" (152 Gooddata rows): septiles within IndSexRef, invert from
  Polarity;
* GroupSet "None" (491 rows; pandas would read the text "None" as missing, so it
  is read with ``keep_default_na=False``): quartiles over the whole set, default
  ``invert = True``;
* the 35 "BadPolarity" rows (GroupSet "IndSex") exist only to trigger the
  "invert varies within a group" error, so they have no quantile to reproduce.

Rows where QuantileInGrp is empty must be NaN in ours: either the value is
missing, or the group has fewer areas than quantiles (E12000004 has 9 areas
for deciles).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from layers.inequality import assign_quantiles, quantiles_by_group
from tests.conftest import SHARED_REFERENCE

REFERENCE = SHARED_REFERENCE
QUANTILE_CSV = REFERENCE / "phe_quantile" / "testdata_Quantiles.csv"

POLARITY = {
    "RAG - High is good": False,
    "RAG - Low is good": True,
    "False": False,
    "True": True,
}


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference folder {REFERENCE} absent")
    df = pd.read_csv(QUANTILE_CSV, keep_default_na=False, na_values=[""])
    assert set(df["Polarity"]) <= set(POLARITY)
    return df.assign(invert=df["Polarity"].map(POLARITY).astype(bool))


CASES = {
    "IndSexReg": {"by": ["IndSexRef", "ParentCode"], "n_quantiles": 10, "invert": "invert"},
    "IndSex": {"by": "IndSexRef", "n_quantiles": 7, "invert": "invert"},
    "None": {"by": None, "n_quantiles": 4, "invert": True},
}


def _check(sub: pd.DataFrame, got: pd.Series) -> int:
    want = sub["QuantileInGrp"]
    same = (got == want) | (got.isna() & want.isna())
    assert same.all(), sub.loc[~same, ["IndSexRef", "ParentCode", "Value", "QuantileInGrp"]]
    return int(same.sum())


def test_every_row_is_accounted_for(ref: pd.DataFrame) -> None:
    assert len(ref) == 1017
    good = ref["Test"].str.startswith("Good")
    assert set(ref.loc[good, "GroupSet"]) == set(CASES)
    assert (ref.loc[~good, "Test"] == "BadPolarity").sum() == 35
    assert good.sum() == 339 + 152 + 491


@pytest.mark.parametrize("group_set", list(CASES))
def test_reference_quantiles(ref: pd.DataFrame, group_set: str) -> None:
    sub = ref[ref["Test"].str.startswith("Good") & (ref["GroupSet"] == group_set)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = quantiles_by_group(sub, "Value", **CASES[group_set])
    # only the deciles case has a region with fewer areas than quantiles
    messages = [str(w.message) for w in caught]
    assert messages == (["One or more groups had too few small areas to allow quantiles to be "
                         "assigned"] if group_set == "IndSexReg" else [])  # fmt: skip
    assert _check(sub, got) == {"IndSexReg": 339, "IndSex": 152, "None": 491}[group_set]


def test_reference_too_few_areas_warns(ref: pd.DataFrame) -> None:
    # the 9-area region cannot be split into deciles (upstream warning test)
    sub = ref[(ref["IndSexRef"] == "90366Female") & (ref["GroupSet"] == "IndSexReg")]
    with pytest.warns(UserWarning, match="too few small areas"):
        got = quantiles_by_group(sub, "Value", by=["IndSexRef", "ParentCode"], invert=False)
    small = sub["ParentCode"] == "E12000004"
    assert small.sum() == 9 and got[small].isna().all()
    _check(sub, got)


def test_reference_bad_polarity_errors(ref: pd.DataFrame) -> None:
    bad = ref[ref["Test"] == "BadPolarity"]
    assert bad["invert"].nunique() == 2
    with pytest.raises(ValueError, match="same value within each group"):
        quantiles_by_group(bad, "Value", by="IndSexRef", invert="invert")


# --- hand-worked cases -----------------------------------------------------------------------


def test_formula_by_hand() -> None:
    # N = 12 areas, 10 quantiles: width N/n = 1.2; rank r -> floor(11 - ceil((13 - r) / 1.2))
    # r=1: ceil(10) = 10 -> 1;  r=2: ceil(9.17) = 10 -> 1;  r=3: ceil(8.33) = 9 -> 2
    # r=6: ceil(5.83) = 6 -> 5;  r=7: ceil(5.0) = 5 -> 6;  r=8: ceil(4.17) = 5 -> 6
    # r=12: ceil(0.83) = 1 -> 10  (the two doubled quantiles are 1 and 6)
    got = assign_quantiles(np.arange(1, 13), 10, invert=False)
    assert got.tolist() == [1, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10]


def test_invert_and_ties_and_missing() -> None:
    # invert=True: highest value first; ties share the lowest rank; NaN stays NaN
    got = assign_quantiles([5.0, np.nan, 1.0, 5.0, 3.0, 2.0], 5, invert=True)
    # non-missing N=5 -> ranks (max - v): 5->1, 5->1, 3->3, 2->4, 1->5
    assert np.isnan(got[1])
    assert got[[0, 3, 4, 5, 2]].tolist() == [1, 1, 3, 4, 5]


def test_too_few_values_warns_and_gives_nan() -> None:
    with pytest.warns(UserWarning, match="too few small areas"):
        got = assign_quantiles([1.0, 2.0, 3.0], 5)
    assert np.isnan(got).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_quantiles": 0}, ValueError, "at least 1"),
        ({"n_quantiles": 2.5}, TypeError, "must be an integer"),
        ({"invert": 6}, TypeError, "invert must be True or False"),
    ],
)
def test_invalid_arguments(kwargs: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        assign_quantiles([1.0, 2.0, 3.0], **kwargs)


def test_grouped_argument_errors() -> None:
    df = pd.DataFrame({"g": ["a", "a"], "v": [1.0, 2.0], "name": ["x", "y"], "pol": [1, 0]})
    with pytest.raises(KeyError, match="not found"):
        quantiles_by_group(df, "missing")
    with pytest.raises(TypeError, match="must be numeric"):
        quantiles_by_group(df, "name")
    with pytest.raises(TypeError, match="must be boolean"):
        quantiles_by_group(df, "v", invert="pol")
