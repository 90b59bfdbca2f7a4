"""layers.flag_changes on the hand-made example tables: known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from layers import tiers
from layers._checks import MissingColumnsError
from layers.flag_changes import NO_UNIT, flag_changes


def test_identical_configurations_change_nothing():
    flags = tiers.flag_units(tiers.example_tables(), {"practice": (30, 100)})
    assert flag_changes(flags, flags).empty


def test_new_bands_change_only_the_flags_they_move():
    tables = tiers.example_tables()
    before = tiers.flag_units(tables, {"practice": (30, 100)})
    after = tiers.flag_units(tables, {"practice": (20, 120)})
    changes = flag_changes(before, after)
    # P2 (25 patients) and P3 (115) come within the wider band; nothing else moves.
    assert changes["code"].tolist() == ["P2", "P3"]
    assert changes["change"].tolist() == [
        "Below band → Within band",
        "Above band → Within band",
    ]
    assert changes["registered_patients_a"].tolist() == [25, 115]


def test_a_unit_in_one_configuration_only_is_listed_with_the_other_side_empty():
    tables = tiers.example_tables()
    bands = {"pcn": (100, 200)}
    merged = tiers.apply_regrouping(tables, tiers.Regrouping().merge_pcns("A", "B"))
    changes = flag_changes(tiers.flag_units(merged, bands), tiers.flag_units(tables, bands))
    gone = changes.set_index("code").loc["B"]
    assert gone["change"] == f"{NO_UNIT} → Within band"
    assert gone["registered_patients_a"] is pd.NA
    assert gone["registered_patients_b"] == 115


def test_tables_without_flags_are_refused():
    flags = tiers.flag_units(tiers.example_tables())
    with pytest.raises(MissingColumnsError):
        flag_changes(flags.drop(columns="status"), flags)
