"""The five layers against their design bands: headline numbers, the ladder, the summary."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.exports import show_figure, table_downloads
from dashboard.scaffold import PageContext, vinfo, vw
from dashboard.sections.tiers import TierView
from layers import format as fmt
from layers import tiers
from layers.figures import tiers as figures

#: Summary columns shown as formatted text (the rest are words).
_NUMBERS = (
    "Units",
    "Median",
    "Smallest",
    "Largest",
    "Below band",
    "Within band",
    "Above band",
    "Units (real)",
    "Outside band (real)",
)


def _metrics(view: TierView, summary: pd.DataFrame, real_summary: pd.DataFrame) -> None:
    rows = summary.set_index("layer")
    metrics = st.columns(4)
    metrics[0].metric(
        vw("Registered patients (Jul 2022)"), fmt.count(rows.loc["ics", "registered_patients"])
    )
    metrics[1].metric(
        vw("Residents (ONS mid-2020)"), fmt.count(rows.loc["ics", "resident_population"])
    )
    metrics[2].metric(
        "Synthetic individuals",
        fmt.count(rows.loc["individual", "n_units"]),
        help="One synthetic individual per registered patient (layers.individuals).",
    )
    # A place with no practice is not undersized: it has its own status, not a flag.
    outside = int(view.flags["flag"].isin(("below", "above")).sum())
    change = outside - int(real_summary[["n_below", "n_above"]].sum().sum())
    metrics[3].metric(
        "Units outside their band",
        f"{outside} of {len(view.flags)}",
        delta=f"{change:+d} vs real" if view.changed and change else None,
        delta_color="off",
        help="Practices, PCNs, places and the ICS outside their design band"
        + (" (what-if scenario)." if view.changed else "."),
    )


def summary_table(summary: pd.DataFrame, real_summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """The summary in words (numbers unformatted); with the real counts beside a scenario."""
    table = pd.DataFrame(
        {
            "Layer": summary["label"],
            "Units": summary["n_units"],
            "Median": summary["median"].round(0),
            "Smallest": summary["smallest"],
            "Largest": summary["largest"],
            "Band": [
                fmt.MISSING if pd.isna(low) else f"{fmt.count(low)}–{fmt.count(high)}"
                for low, high in zip(summary["band_low"], summary["band_high"], strict=True)
            ],
            "Below band": summary["n_below"],
            "Within band": summary["n_within"],
            "Above band": summary["n_above"],
        }
    )
    if real_summary is not None:
        table["Units (real)"] = real_summary["n_units"].to_numpy()
        table["Outside band (real)"] = (
            real_summary["n_below"] + real_summary["n_above"]
        ).to_numpy()
    table["Population basis"] = summary["population_basis"]
    return table


def _notes(summary: pd.DataFrame) -> str:
    rows = summary.set_index("layer")
    ics, pcn = rows.loc["ics"], rows.loc["pcn"]
    notes = [
        "The individuals rung counts synthetic individuals (one per registered patient); an "
        "individual has no band.",
        f"The ICS is flagged on registered patients ({fmt.count(ics['registered_patients'])}); "
        f"it has {fmt.count(ics['resident_population'])} residents (ONS mid-2020).",
    ]
    if pcn["outside_layer"]:
        notes.append(
            f"{int(pcn['outside_layer'])} practice(s) with "
            f"{fmt.count(pcn['outside_layer_patients'])} patients are in no PCN "
            f"(“{vinfo().no_pcn_label}”): they are kept in the practice, place and ICS figures "
            "but belong to no PCN."
        )
    return vw(" ".join(notes))


def draw(ctx: PageContext, view: TierView) -> None:
    """Headline numbers, the ladder, the summary table and the units against their bands."""
    summary = tiers.tier_summary(view.shown, view.bands, flags=view.flags)
    real_summary = tiers.tier_summary(view.real, view.bands) if view.changed else summary
    st.subheader("The five layers against their design bands")
    _metrics(view, summary, real_summary)
    ladder = figures.ladder(
        summary,
        view.flags,
        f"Population tiers: {ctx.title_suffix}",
        scenario=view.changed,
        vintage=ctx.info.data_line,
    )
    show_figure(ladder, f"Population tiers {ctx.code}", "tiers_ladder")
    table = summary_table(summary, real_summary if view.changed else None)
    shown = table.assign(
        **{column: table[column].map(fmt.count) for column in _NUMBERS if column in table}
    )
    st.dataframe(shown, hide_index=True, key="tiers_summary_table")
    table_downloads(
        table, f"Population tiers summary {ctx.code} ({view.configuration})", "tiers_summary"
    )
    st.caption(_notes(summary))
    bars = figures.band_counts(
        view.flags, view.bands, f"Units against their band: {ctx.name} ({view.configuration})"
    )
    show_figure(bars, f"Units against their band {ctx.code}", "tiers_band_counts")
