"""Map: the five layers of the chosen ICS on one interactive, offline map."""

from dashboard import scaffold
from dashboard.sections.map import layers_map

ctx = scaffold.context()
scaffold.start(ctx, f"Map: {ctx.title_suffix}")
layers_map.draw(ctx)
scaffold.finish(ctx)
