"""Overview: headline figures for the chosen ICS and its places, PCNs and practices."""

from dashboard import loaders, scaffold
from dashboard.sections.overview import headline, practice_list, sources, units

ctx = scaffold.context()
system = loaders.system(ctx.key)

scaffold.start(
    ctx,
    ctx.title_suffix,
    caption=f"ICB code {ctx.code}"
    + (f" · NHS England code {nhse}" if (nhse := loaders.nhse_code(ctx.key)) else "")
    + f" · Integrated Care Board as at {ctx.info.icb_date}",
)
headline.draw(ctx, system)
units.draw(ctx, system)
practice_list.draw(ctx, system)
sources.draw(ctx)
scaffold.finish(ctx)
