"""Names of the session-state entries the router sets and every page reads.

The router (``app.py``) is the only writer of the shared entries; pages read them
through :func:`dashboard.scaffold.context`.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

import layers

#: The chosen ICS (its code in the vintage in use).
ICS_KEY = "ics"
#: The chosen place definition: "preset", "utla" or "ltla".
PLACES_KEY = "place_definition"
#: The data vintage.
VINTAGE_KEY = "vintage"
#: The design bands ``{layer: (low, high)}`` shared by the tiers and England pages.
BANDS_KEY = "tiers_bands"
#: The session's uploaded data (``layers.uploads.SessionData``) and the ICS it is for.
UPLOADS_KEY = "uploads"
UPLOADS_ICS_KEY = "uploads_ics"
#: Digest of an applied, uploaded practice → place grouping (see loaders.register_grouping).
GROUPING_DIGEST_KEY = "grouping_digest"
#: The applied aggregates of the user's own records (``dashboard.risk_source.HeldAggregates``);
#: they name their own ICSs and vintage, so they are kept apart from ``UPLOADS_KEY``.
AGGREGATES_KEY = "people_aggregates"

#: The data vintage a link without ``?vintage=`` opens in (unless it names a 2022 code).
DEFAULT_VINTAGE = layers.DEFAULT_VINTAGE
#: The ICS a first visit opens on in each vintage: Herefordshire and Worcestershire.
DEFAULT_ICS_BY_VINTAGE = {key: v.example_icb for key, v in layers.VINTAGES.items()}
#: The 2022 default, for callers that predate the vintages.
DEFAULT_ICS = DEFAULT_ICS_BY_VINTAGE["2022"]


class SystemKey(NamedTuple):
    """What identifies one loaded system: every cached loader takes it first.

    ``place_definition`` may be ``custom:<base>:<digest>`` for an uploaded grouping.
    """

    code: str
    place_definition: str
    vintage: str


def grouping_digest(code: str) -> str | None:
    """The applied uploaded grouping's digest, if it was made for ``code``."""
    digest = st.session_state.get(GROUPING_DIGEST_KEY)
    return digest if digest and st.session_state.get(UPLOADS_ICS_KEY) == code else None


def uploaded(code: str, kind: str):
    """The session's uploaded table of ``kind`` for ``code``, or None."""
    uploads = st.session_state.get(UPLOADS_KEY)
    if uploads is None or st.session_state.get(UPLOADS_ICS_KEY) != code:
        return None
    return uploads.get(kind)
