"""Inequality: where inequalities are widest, measured the way public health analysts do."""

import streamlit as st

from dashboard import scaffold
from dashboard.sections.inequality import choice, deciles, explain, measures, profile, ranking

ctx = scaffold.context()
scaffold.start(ctx, f"Inequality: {ctx.title_suffix}")
st.markdown(
    scaffold.vw(
        "Where are inequalities widest, and how wide are they? Areas are grouped by **national "
        "IMD 2019 deciles**: decile 1 is the most deprived 10% of England's 32,844 LSOAs, "
        "decile 10 the least deprived. The measures are the ones public health teams "
        "publish: the slope and relative indices of inequality (PHE / OHID method), "
        "concentration indices and the Gini coefficient."
    )
)
profile.draw(ctx)

st.header("2. Indicators by deprivation decile")
chosen = choice.read(ctx)
chosen, by_decile, summary = deciles.summarise(ctx, chosen)
if by_decile.empty:
    st.warning(
        f"{chosen.unit_name} has no {chosen.areas} with “{chosen.spec.label}” to group by "
        "decile. Choose another unit or indicator."
    )
else:
    deciles.draw(ctx, chosen, by_decile, summary)
    measures.draw(ctx, chosen, summary)
ranking.draw(ctx, chosen)
explain.draw(ctx, chosen)
scaffold.finish(ctx)
