"""Who is using the library: Streamlit's OIDC sign-in when configured, else anonymous.

Sign-in is configured by an ``[auth]`` section in ``.streamlit/secrets.toml`` (one
provider), or by one sub-section per provider (``[auth.microsoft]``, ``[auth.nhs_login]``);
see the README. Without it everybody is :data:`dashboard.store.ANONYMOUS` and every
scenario is shared. With it, writing (save, rename, archive) needs a signed-in user, so
that nobody can change another person's scenario.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from dashboard import store
from dashboard.scaffold import plain

#: Provider names in secrets, in words on the sign-in buttons.
PROVIDER_WORDS = {"microsoft": "Microsoft Entra ID", "nhs_login": "NHS login"}


def _auth_section() -> Mapping | None:
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return None
    return section if isinstance(section, Mapping) else None


def providers() -> list[str | None]:
    """The configured providers: ``[None]`` for a single ``[auth]`` provider, else names."""
    section = _auth_section()
    if not section:
        return []
    named = [name for name, value in section.items() if isinstance(value, Mapping)]
    return named if named else [None]


def sign_in_configured() -> bool:
    """Whether this server has OIDC sign-in configured."""
    return bool(providers())


def current_user() -> store.User:
    """The signed-in user, or :data:`~dashboard.store.ANONYMOUS`."""
    if not sign_in_configured():
        return store.ANONYMOUS
    return store.user_from_claims(st.user.to_dict())


def write_refusal(user: store.User) -> str | None:
    """Why this user may not save or change scenarios (None if they may)."""
    if sign_in_configured() and not user.signed_in:
        return (
            "Sign in (in the sidebar) to save or change scenarios: this server records "
            "who saved each one. You can open shared scenarios without signing in."
        )
    return None


def explain(user: store.User) -> None:
    """One line on how the library knows who you are."""
    if not sign_in_configured():
        st.caption(
            "No sign-in is configured on this server: the library works anonymously, and "
            "every scenario is shared with everyone who uses this dashboard."
        )
    elif user.signed_in:
        st.caption(
            f"Signed in as {plain(user.name)}. Your scenarios can be private (only you "
            "see them) or shared with everyone on this server."
        )
    else:
        st.caption("Signed out: you see shared scenarios only. Sign in in the sidebar.")


def draw_sidebar() -> None:
    """Sign in or out, in the sidebar (nothing when sign-in is not configured)."""
    names = providers()
    if not names:
        return
    user = current_user()
    if user.signed_in:
        st.caption(f"Signed in as {plain(user.name)}.")
        if st.button("Sign out", key="account_sign_out"):
            st.logout()
        return
    for name in names:
        label = "Sign in" if name is None else f"Sign in with {PROVIDER_WORDS.get(name, name)}"
        if st.button(label, key=f"account_sign_in_{name or 'default'}"):
            st.login(name)
