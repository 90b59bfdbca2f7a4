"""Overview: headline figures for the chosen ICS and its places, PCNs and practices."""

import pandas as pd
import streamlit as st

import layers
from dashboard import loaders, scaffold
from dashboard.exports import table_downloads

ctx = scaffold.context()
code, place_definition, system_key = ctx.code, ctx.place_definition, ctx.key
system = loaders.system(system_key)
ics = system.ics.iloc[0]

st.title(f"{system.name} ICS")
st.caption(f"NHS ICB code {code} · Integrated Care Board as at 1 July 2022")
scaffold.place_note(ctx)

cols = st.columns(5)
cols[0].metric("Registered patients (Jul 2022)", f"{ics.registered_patients:,}")
cols[1].metric("Residents (ONS mid-2020)", f"{ics.resident_population:,}")
cols[2].metric("Places", f"{ics.n_places}")
cols[3].metric("PCNs", f"{ics.n_pcns}")
cols[4].metric(
    "GP practices",
    f"{ics.n_practices}",
    help=f"{ics.n_practices_no_pcn} of them are in no PCN in the May 2022 ePCN extract; "
    "they are kept and placed by their commissioner.",
)
if ics.n_practices_no_pcn:
    st.info(
        f"{ics.n_practices_no_pcn} practice(s) are in no PCN in the ePCN extract "
        f"(May 2022). They are kept in every figure and shown as “{layers.NO_PCN_LABEL}”."
    )
st.markdown(
    "Registered patients count everyone on the ICS's practice lists, wherever they live; "
    "residents count everyone living in the ICS's LSOAs. The two differ because people "
    "register across boundaries."
)

st.subheader("Places")
places_table = system.places.drop(columns="geometry")
st.dataframe(
    places_table,
    hide_index=True,
    column_config={
        "place_code": "Code",
        "place_name": "Place",
        "resident_population": st.column_config.NumberColumn(
            "Residents (mid-2020)", format="localized"
        ),
        "registered_patients": st.column_config.NumberColumn(
            "Registered patients (Jul 2022)", format="localized"
        ),
        "n_lsoas": "LSOAs",
        "n_pcns": "PCNs",
        "n_practices": "Practices",
    },
)
table_downloads(places_table, f"Places of {system.name} ICS", "overview_places")

st.subheader("Primary Care Networks")
pcn_table = system.pcns[
    ["pcn_name", "pcn_code", "place_name", "registered_patients", "n_practices"]
].sort_values("registered_patients", ascending=False)
st.dataframe(
    pcn_table,
    hide_index=True,
    column_config={
        "pcn_name": "PCN",
        "pcn_code": "Code",
        "place_name": "Place",
        "registered_patients": st.column_config.NumberColumn(
            "Registered patients (Jul 2022)", format="localized"
        ),
        "n_practices": "Practices",
    },
)
table_downloads(pd.DataFrame(pcn_table), f"PCNs of {system.name} ICS", "overview_pcns")
st.subheader("GP practices")
practice_table = pd.DataFrame(
    system.practices[
        ["practice_name", "practice_code", "pcn_name", "place_name", "registered_patients"]
    ]
).sort_values("registered_patients", ascending=False)
st.dataframe(
    practice_table,
    hide_index=True,
    column_config={
        "practice_name": "Practice",
        "practice_code": "Code",
        "pcn_name": "PCN",
        "place_name": "Place",
        "registered_patients": st.column_config.NumberColumn(
            "Registered patients (Jul 2022)", format="localized"
        ),
    },
)
table_downloads(practice_table, f"GP practices of {system.name} ICS", "overview_practices")

uploads = st.session_state.get("uploads")
uploaded_list = (
    uploads.get("practice_list")
    if uploads is not None and st.session_state.get("uploads_ics") == code
    else None
)
if uploaded_list is not None:
    st.subheader("Your practice list against the July 2022 registrations")
    builtin = system.practices[
        ["practice_code", "practice_name", "pcn_code", "registered_patients"]
    ]
    compared = builtin.merge(
        uploaded_list[["practice_code", "list_size", "pcn_code"]].rename(
            columns={"pcn_code": "your_pcn_code"}
        ),
        on="practice_code",
        how="outer",
        indicator=True,
    )
    compared["status"] = compared["_merge"].map(
        {"both": "In both", "left_only": "Not in your list", "right_only": "New in your list"}
    )
    compared["difference"] = compared["list_size"] - compared["registered_patients"]
    compared["pcn_changed"] = (compared["_merge"] == "both") & (
        compared["pcn_code"].fillna("") != compared["your_pcn_code"].fillna("")
    )
    shown = compared.drop(columns="_merge")
    cols = st.columns(3)
    cols[0].metric("Practices in both", int((compared["_merge"] == "both").sum()))
    cols[1].metric("New in your list", int((compared["_merge"] == "right_only").sum()))
    cols[2].metric("PCN changed", int(compared["pcn_changed"].sum()))
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "registered_patients": st.column_config.NumberColumn(
                "Registered (Jul 2022)", format="localized"
            ),
            "list_size": st.column_config.NumberColumn("Your list size", format="localized"),
            "difference": st.column_config.NumberColumn("Difference", format="localized"),
        },
    )
    table_downloads(shown, f"{system.name} practice list comparison", key="practice_compare")

with st.expander("Data vintage and sources", expanded=True):
    st.markdown(
        f"""
- **Vintage:** {layers.DATA_VINTAGE}.
- **Geography:** 2011 LSOAs (32,844 in England), coverage-simplified so that neighbours
  keep shared edges; places and the ICS are dissolved from the same LSOAs, so they nest
  exactly. PCNs have no official boundaries: a PCN's footprint is the set of LSOAs where
  it has more registered patients than any other PCN of the ICS.
- **Sources:** ONS LSOA→sub-ICB→ICB→LAD lookup (July 2022); NHS Digital patients
  registered at a GP practice by LSOA (July 2022); NHS Digital ePCN (May 2022) and ODS
  epraccur; MHCLG English Indices of Deprivation 2019; ONS mid-2020 population estimates;
  NHS England 2022/23 practice weighted populations.
- **Licences:** {layers.SOURCES}
"""
    )
scaffold.finish(ctx)
