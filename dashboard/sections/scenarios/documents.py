"""A page's what-if state as a scenario document, and what this dashboard can open.

:func:`page_document` is the one way a page turns its state into a
:class:`~dashboard.store.ScenarioDocument`: the ICS, vintage and place definition come
from the page's context, and an applied uploaded grouping travels with the document
(its practice → place names only; never individual-level rows).

:func:`check_fits` holds the checks a document must pass before the dashboard opens or
imports it, beyond the document's own validation: an ICS this dashboard knows, a data
vintage it offers, a place definition the ICS offers, a page that can show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

import layers
from dashboard import loaders, store
from dashboard.scaffold import PageContext, plain, quote
from dashboard.state import DEFAULT_VINTAGE, SystemKey, uploaded
from layers.allocation import ScenarioError

#: Data vintages the dashboard's pages offer (every page reads the vintage from the link).
OFFERED_VINTAGES = tuple(layers.VINTAGES)
#: The page each kind of scenario opens on (a file in ``dashboard/views``).
PAGE_OF_KIND = {
    "tiers": "views/tiers.py",
    "allocation": "views/allocation.py",
    "place_grouping": "views/data.py",
    "merge": "views/mergers.py",
}


@dataclass(frozen=True)
class KindHooks:
    """How a page opens its own kind of scenario (the Mergers page: ``"merge"``).

    ``check`` raises :class:`CannotOpenError` if the page cannot show the document;
    ``apply`` sets the page's session state to it (after every check passed); ``close``
    undoes that ("back to the real configuration").
    """

    check: Callable[[store.ScenarioDocument], None]
    apply: Callable[[store.ScenarioDocument], None]
    close: Callable[[store.ScenarioDocument], None]


#: Hooks by kind, registered by the page that shows that kind. What-if merges open only
#: once the Mergers page registers ``KIND_HOOKS["merge"]`` (from a module that
#: ``restore`` imports, so the hooks exist before the router reads a link).
KIND_HOOKS: dict[str, KindHooks] = {}


class CannotOpenError(ValueError):
    """A valid scenario that this dashboard cannot open here; the message says why.

    Its message is markdown-safe already (values in it are quoted with ``quote``).
    """


def said(problem: Exception) -> str:
    r"""An error's message as a sentence, safe to show inside markdown.

    Examples
    --------
    >>> said(ValueError("A scenario name is blank"))
    'A scenario name is blank.'
    >>> said(ValueError("*bold*"))
    '\\*bold\\*.'
    """
    text = str(problem).strip()
    text = text if isinstance(problem, CannotOpenError) else plain(text)
    return text if text.endswith((".", "!", "?")) else text + "."


def base_places(ctx: PageContext) -> str:
    """The sidebar's place definition under an uploaded grouping (``custom:<base>:…``)."""
    definition = ctx.place_definition
    return definition.split(":")[1] if definition.startswith("custom:") else definition


def page_groupings(ctx: PageContext) -> pd.DataFrame | None:
    """The uploaded practice → place names the page's numbers use (None if none)."""
    if not ctx.place_definition.startswith("custom:"):
        return None
    grouping = uploaded(ctx.code, "place_groupings")
    return None if grouping is None else grouping[["practice_code", "place_name"]]


def page_document(ctx: PageContext, kind: str, **content: object) -> store.ScenarioDocument:
    """The page's what-if as a document of ``kind`` (``content``: bands, regrouping...).

    Raises
    ------
    dashboard.store.DocumentError
        If the state cannot be saved (the message says why).
    """
    content.setdefault("place_groupings", page_groupings(ctx))
    return store.ScenarioDocument(kind, ctx.code, ctx.vintage, base_places(ctx), **content)


def describe_system(code: str, vintage: str) -> str:
    """``"Herefordshire and Worcestershire (QGH, 2022 data)"``, for messages."""
    name = loaders.system_names(vintage).get(code) if vintage in OFFERED_VINTAGES else None
    return f"{name} ({code}, {vintage} data)" if name else f"ICS {code} ({vintage} data)"


def _linked_ics(requested: str, vintage: str = DEFAULT_VINTAGE) -> str | None:
    try:
        return layers.resolve_ics(requested, vintage=vintage)
    except ValueError:
        return None


def check_fits(
    document: store.ScenarioDocument,
    linked_ics: str | None = None,
    linked_vintage: str | None = None,
) -> None:
    """Raise :class:`CannotOpenError` unless this dashboard can open the document.

    ``linked_ics`` and ``linked_vintage`` are what a link asks for besides the scenario:
    a link for one ICS (or vintage) and a scenario of another is refused, never guessed.
    """
    where = describe_system(document.ics, document.vintage)
    if document.vintage not in OFFERED_VINTAGES:
        raise CannotOpenError(
            f"it was made with the {document.vintage} data, which this dashboard does not "
            f"offer yet (it offers {', '.join(OFFERED_VINTAGES)})"
        )
    if linked_vintage is not None and linked_vintage != document.vintage:
        raise CannotOpenError(
            f"it is for {where}, but the link asks for the {quote(linked_vintage)} data; "
            "open the scenario's own link, or open it from the Scenario library"
        )
    if document.ics not in loaders.system_names(document.vintage):
        n_icbs = layers.get_vintage(document.vintage).n_icbs
        raise CannotOpenError(
            f"its ICS {quote(document.ics)} is not one of England's {n_icbs} in the "
            f"{document.vintage} data"
        )
    if linked_ics is not None and _linked_ics(linked_ics, document.vintage) != document.ics:
        raise CannotOpenError(
            f"it is for {where}, but the link asks for ICS {quote(linked_ics)}; open the "
            "scenario's own link, or open it from the Scenario library"
        )
    from dashboard.link import place_options

    if document.place_definition not in place_options(document.ics, document.vintage):
        raise CannotOpenError(
            f"it uses places “{layers.PLACE_DEFINITIONS[document.place_definition]}”, which "
            f"{where} does not offer"
        )
    if document.kind == "merge" and "merge" not in KIND_HOOKS:
        raise CannotOpenError("what-if merges open on the Mergers page, not yet built")
    if document.kind in KIND_HOOKS:
        KIND_HOOKS[document.kind].check(document)
    if document.allocation is not None:
        from dashboard.sections.allocation.files import check_page_can_show

        try:
            check_page_can_show(document.allocation)
        except ScenarioError as problem:
            reason = f"the Service allocation page cannot show it: {problem}"
            raise CannotOpenError(reason) from None


def grouping_report(document: store.ScenarioDocument, name: str):
    """The upload report of the document's groupings, checked against its ICS's practices.

    Raises
    ------
    dashboard.store.DocumentError
        If a practice is not one of the ICS's (or any row is unusable).
    """
    practices = loaders.system(SystemKey(document.ics, document.place_definition, document.vintage))
    return store.place_groupings_report(
        document.place_groupings or (), practices.practices["practice_code"], filename=name
    )
