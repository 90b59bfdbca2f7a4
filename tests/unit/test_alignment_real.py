"""layers.alignment on the real July 2022 data, built straight from ../shared/data.

Practice → ICB: practice_pcn_subicb_icb_2022.csv ICB_CODE; practices in no PCN get
theirs from epraccur HIGH_LEVEL_HEALTH_GEOGRAPHY. LSOA → ICB: the 2022 lookup's
icb22_code_h. The tables are built here (not read from geodata/) so that the
facts are checked against the raw published files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from layers import alignment as al
from layers.build import pick_columns
from tests.conftest import SHARED_DATA, require_shared


@pytest.fixture(scope="module")
def raw():
    require_shared(SHARED_DATA)
    return load_raw_tables(SHARED_DATA)


def load_raw_tables(d: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """registrations, lsoas, practices shaped like the geodata tables, from the raw files."""
    registrations = pd.read_parquet(
        d / "primary_care/gp-reg-pat-prac-lsoa-all_2022-07.parquet",
        columns=["OrganisationCode", "LSOA11CD", "Patient"],
    ).rename(
        columns={
            "OrganisationCode": "practice_code",
            "LSOA11CD": "lsoa_code",
            "Patient": "patients",
        }
    )
    lookup = pd.read_csv(d / "lookups/lookup_lsoa11_sicbl22_icb22_ltla22.csv", dtype=str)
    utla = pd.read_csv(d / "lookups/lookup_ltla22_utla22.csv", dtype=str)
    ccg = pd.read_csv(d / "lookups/lookup_lsoa11_ccg21_stp21_ltla21.csv", dtype=str)
    population = pd.read_csv(
        d / "population/population_mid2020_lsoa11_syoa_persons.csv",
        usecols=["lsoa11_code", "total_population"],
        dtype={"lsoa11_code": str},
    )
    lsoas = (
        lookup.rename(
            columns={
                "lsoa11_code": "lsoa_code",
                "icb22_code_h": "icb_code",
                "icb22_name": "icb_name",
                "ltla22_code": "ltla_code",
                "ltla22_name": "ltla_name",
            }
        )[["lsoa_code", "icb_code", "icb_name", "ltla_code", "ltla_name"]]
        .merge(
            utla.rename(
                columns={
                    "ltla22_code": "ltla_code",
                    "utla22_code": "utla_code",
                    "utla22_name": "utla_name",
                }
            )[["ltla_code", "utla_code", "utla_name"]],
            on="ltla_code",
            how="left",
        )
        .merge(
            ccg.rename(columns={"lsoa11_code": "lsoa_code"})[
                ["lsoa_code", "ccg21_code", "ccg21_name", "stp21_code", "stp21_name"]
            ],
            on="lsoa_code",
            how="left",
        )
        .merge(
            population.rename(
                columns={"lsoa11_code": "lsoa_code", "total_population": "population"}
            ),
            on="lsoa_code",
            how="left",
        )
    )
    pcn = pd.read_csv(d / "primary_care/practice_pcn_subicb_icb_2022.csv", dtype=str)
    practices = pick_columns(
        pcn,
        {
            "PRACTICE_CODE": "practice_code",
            "PCN_CODE": "pcn_code",
            "PCN_NAME": "pcn_name",
            "ICB_CODE": "icb_code",
        },
    )
    epraccur = pd.read_csv(d / "primary_care/epraccur_2022-06.csv", dtype=str)
    missing = sorted(set(registrations["practice_code"]) - set(practices["practice_code"]))
    no_pcn = (
        epraccur.set_index("ORG_CODE")
        .loc[missing, ["HIGH_LEVEL_HEALTH_GEOGRAPHY"]]
        .rename(columns={"HIGH_LEVEL_HEALTH_GEOGRAPHY": "icb_code"})
        .rename_axis("practice_code")
        .reset_index()
        .assign(pcn_code=None, pcn_name=None)
    )
    practices = pd.concat([practices, no_pcn], ignore_index=True)
    return registrations, lsoas, practices


@pytest.mark.parametrize(
    ("icb", "expected", "n_practices", "n_no_pcn", "patients_in_pcn"),
    [("QRV", 0.92, 354, 8, 2_768_504), ("QGH", 0.97, 79, 0, 817_738)],
)
def test_share_of_practice_patients_living_in_the_ics(
    raw, icb, expected, n_practices, n_no_pcn, patients_in_pcn
):
    registrations, lsoas, practices = raw
    row = al.ics_flow_summary(registrations, lsoas, practices, icb).iloc[0]
    print(f"{icb}: {row['practice_resident_share']:.6f} of practice patients live in the ICS")
    assert row["practice_resident_share"] == pytest.approx(expected, abs=0.006)
    assert row["n_practices"] == n_practices
    assert row["n_practices_no_pcn"] == n_no_pcn
    # the data README's patients at practices in a PCN; no-PCN practices come on top
    home = al.home_authorities(registrations, lsoas, practices, icb_code=icb)
    in_pcn = home.loc[home["unit_type"] == "pcn", "patients"].sum()
    assert in_pcn == patients_in_pcn
    assert home["patients"].sum() == row["practice_patients"]
    assert (home["unit_type"] == "practice_no_pcn").sum() == n_no_pcn


def test_qrv_figures_match_a_direct_pandas_computation(raw):
    registrations, lsoas, practices = raw
    # independent computation with merges and groupbys
    reg = registrations.merge(practices, on="practice_code").merge(
        lsoas[["lsoa_code", "ltla_code"]], on="lsoa_code", how="left"
    )
    reg = reg[reg["icb_code"] == "QRV"]
    unit = reg["pcn_code"].fillna(reg["practice_code"])
    by_la = reg.groupby([unit.rename("unit"), "ltla_code"])["patients"].sum()
    total = reg.groupby(unit.rename("unit"))["patients"].sum()
    share = (by_la.groupby(level=0).max() / total).sort_index()

    home = al.home_authorities(registrations, lsoas, practices, icb_code="QRV")
    home = home.set_index("unit_code")["home_share"].sort_index()
    assert len(home) == 53  # 45 PCNs and 8 practices in no PCN
    np.testing.assert_allclose(home.to_numpy(), share.reindex(home.index).to_numpy())

    qrv_lsoas = lsoas.loc[lsoas["icb_code"] == "QRV", "lsoa_code"]
    living = reg.loc[reg["lsoa_code"].isin(qrv_lsoas), "patients"].sum()
    row = al.ics_flow_summary(registrations, lsoas, practices, "QRV").iloc[0]
    assert row["practice_patients_resident"] == living
    residents = registrations.loc[registrations["lsoa_code"].isin(qrv_lsoas), "patients"].sum()
    assert row["resident_patients"] == residents


@pytest.mark.parametrize("icb", ["QRV", "QGH"])
def test_whole_bundle_is_consistent(raw, icb):
    registrations, lsoas, practices = raw
    f = al.alignment_figures(registrations, lsoas, practices, icb, vintage="2022")
    summary = f["flow_summary"].iloc[0]
    assert f["overlap_matrix"].to_numpy().sum() == summary["practice_patients"]
    shares = f["residence_shares"].groupby("unit_code")["share"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0)
    cot = f["authority_coterminosity"]
    for column in ("residents_coterminosity", "home_units_coterminosity"):
        assert cot[column].between(0, 1).all()
    flows = f["cross_boundary_flows"]
    outflow = flows.loc[flows["direction"] == "outflow", "patients"].sum()
    inflow = flows.loc[flows["direction"] == "inflow", "patients"].sum()
    assert outflow == summary["outflow_patients"]
    assert inflow == summary["inflow_patients"]
    conc = f["flow_concentration"]
    sums = conc.groupby(["from_code", "to_code"])["share_of_flow"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    place_flows = f["place_flows"]
    from_places = place_flows[place_flows["from_kind"] == "place"]
    assert from_places["patients"].sum() == summary["resident_patients"]
    card = f["place_summary"]
    assert card["resident_patients"].sum() == summary["resident_patients"]
    assert card["n_lsoas"].sum() == (lsoas["icb_code"] == icb).sum()


def test_merger_lineage_and_split_authorities(raw):
    _, lsoas, _ = raw
    qrv = al.merger_lineage(lsoas, "QRV", vintage="2022")
    assert qrv["ccg21_name"].tolist() == ["NHS North West London CCG"]
    assert qrv["whole"].all()
    qu9 = al.merger_lineage(lsoas, "QU9", vintage="2022")
    assert len(qu9) == 3 and qu9["stp21_code"].nunique() == 1
    split = al.split_authorities(lsoas)
    # 12 districts straddle two 2022 ICBs (e.g. Waverley: Surrey Heartlands and Frimley)
    assert split["la_code"].nunique() == 12
    waverley = split[split["la_name"] == "Waverley"].set_index("icb_code")
    assert set(waverley.index) == {"QXU", "QNQ"}
    assert al.split_authorities(lsoas, icb_code="QRV").empty
    assert al.split_authorities(lsoas, la_level="utla")["la_code"].nunique() == 10
