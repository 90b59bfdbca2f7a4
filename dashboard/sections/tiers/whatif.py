"""What-if regrouping: move practices, merge PCNs, move PCNs between places.

A scenario is a :class:`layers.tiers.Regrouping` (a short, serialisable list of
operations, no data), kept in this browser session per ICS, place definition and
vintage; the real configuration is never changed.
"""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.scaffold import PageContext, vinfo, vw
from dashboard.sections.tiers import TierView
from dashboard.state import SystemKey
from layers import format as fmt
from layers import tiers

#: Session key of the scenarios: ``{SystemKey: Regrouping}``.
SCENARIOS = "tiers_scenarios"
#: Session key of a refusal to show once, after the Apply button's callback.
MESSAGE = "tiers_message"
#: The changes one can make, in words (keys as :data:`layers.tiers.OPERATION_TYPES`).
OPERATION_KINDS = {
    "move_practice": "Move a practice to another PCN",
    "merge_pcns": "Merge two PCNs",
    "move_pcn": "Move a PCN to another place",
}


def current(key: SystemKey) -> tiers.Regrouping:
    """The session's scenario for this system (empty: the real configuration)."""
    return st.session_state.get(SCENARIOS, {}).get(key, tiers.Regrouping())


def _store(key: SystemKey, regrouping: tiers.Regrouping) -> None:
    st.session_state.setdefault(SCENARIOS, {})[key] = regrouping


def _operation() -> tiers.Operation:
    """The change the inputs describe."""
    state = st.session_state
    kind = state.get("tiers_op_kind")
    if kind == "move_practice":
        return tiers.MovePractice(state["tiers_op_practice"], state["tiers_op_to_pcn"])
    if kind == "merge_pcns":
        name = (state.get("tiers_op_name") or "").strip() or None
        return tiers.MergePCNs(state["tiers_op_kept"], state["tiers_op_absorbed"], name)
    return tiers.MovePCNToPlace(state["tiers_op_pcn"], state["tiers_op_to_place"])


def _apply(key: SystemKey) -> None:
    """Callback of the Apply button: validate the change against the real tables."""
    try:
        candidate = current(key).then(_operation())
        tiers.apply_regrouping(loaders.tier_tables(key), candidate)
    except (KeyError, TypeError, ValueError) as problem:
        reason = problem.reason if isinstance(problem, tiers.RegroupingError) else str(problem)
        st.session_state[MESSAGE] = f"That change was not applied: {reason}"
        return
    _store(key, candidate)
    st.session_state.pop("tiers_op_name", None)


def _undo(key: SystemKey) -> None:
    _store(key, current(key).undo())


def _reset(key: SystemKey) -> None:
    _store(key, tiers.Regrouping())


def _controls(kind: str, shown: tiers.TierTables) -> bool:
    """The inputs of one kind of change; whether there is something to apply."""
    pcns, places = shown.pcns, shown.places
    pcn_names = dict(zip(pcns["pcn_code"], pcns["pcn_name"], strict=True))
    pcn_place = dict(zip(pcns["pcn_code"], pcns["place_code"], strict=True))
    place_names = dict(zip(places["place_code"], places["place_name"], strict=True))
    pcn_order = sorted(pcn_names, key=lambda code: (pcn_names[code], code))
    pcn_label = {code: f"{pcn_names[code]} ({code})" for code in pcn_order}
    controls = st.columns([3, 3, 2])
    if kind == "move_practice":
        practices = shown.practices.sort_values(["practice_name", "practice_code"])
        practice_pcn = dict(zip(practices["practice_code"], practices["pcn_code"], strict=True))
        practice_label = {
            code: f"{name} ({code}) · "
            + (pcn_names[pcn] if isinstance(pcn, str) else vinfo().no_pcn_label)
            for code, name, pcn in zip(
                practices["practice_code"],
                practices["practice_name"],
                practices["pcn_code"],
                strict=True,
            )
        }
        chosen = controls[0].selectbox(
            "Practice",
            list(practice_label),
            format_func=practice_label.get,
            key="tiers_op_practice",
        )
        targets = [code for code in pcn_order if code != practice_pcn.get(chosen)]
        ready = controls[1].selectbox(
            "Move to PCN", targets, format_func=pcn_label.get, key="tiers_op_to_pcn"
        )
    elif kind == "merge_pcns":
        kept = controls[0].selectbox(
            "Keep PCN (code and place)", pcn_order, format_func=pcn_label.get, key="tiers_op_kept"
        )
        ready = controls[1].selectbox(
            "Merge into it",
            [code for code in pcn_order if code != kept],
            format_func=pcn_label.get,
            key="tiers_op_absorbed",
        )
        controls[2].text_input(
            "New name (optional)", key="tiers_op_name", placeholder="e.g. Malvern & Upton PCN"
        )
    else:
        with_place = {
            code: f"{pcn_label[code]} · {place_names[pcn_place[code]]}" for code in pcn_order
        }
        chosen = controls[0].selectbox(
            "PCN", pcn_order, format_func=with_place.get, key="tiers_op_pcn"
        )
        ready = controls[1].selectbox(
            "Move to place",
            [place for place in place_names if place != pcn_place.get(chosen)],
            format_func=place_names.get,
            key="tiers_op_to_place",
        )
    return ready is not None


def _buttons(key: SystemKey, regrouping: tiers.Regrouping, ready: bool) -> None:
    buttons = st.columns([2, 2, 3, 5])
    buttons[0].button(
        "Apply change",
        type="primary",
        on_click=_apply,
        args=(key,),
        key="tiers_apply",
        disabled=not ready,
        help=None if ready else "There is nothing to move or merge it with here.",
    )
    for column, label, callback, name in (
        (buttons[1], "Undo last change", _undo, "tiers_undo"),
        (buttons[2], "Reset to the real configuration", _reset, "tiers_reset"),
    ):
        column.button(
            label, on_click=callback, args=(key,), key=name, disabled=not regrouping.operations
        )


def draw(ctx: PageContext, bands: dict[str, tuple[int, int]]) -> TierView:
    """The what-if controls; returns the configuration every tab shows."""
    real = loaders.tier_tables(ctx.key)
    regrouping = current(ctx.key)
    try:
        shown = tiers.apply_regrouping(real, regrouping)
    except tiers.RegroupingError as error:
        st.warning(f"The saved scenario no longer applies ({error}); it has been reset.")
        regrouping = tiers.Regrouping()
        _store(ctx.key, regrouping)
        shown = real
    st.subheader("What-if regrouping")
    st.caption(
        "Try changes and see every figure on this page update. They live in this browser "
        "session until you save them as a scenario (below); the real configuration is never "
        "changed."
    )
    message = st.session_state.pop(MESSAGE, None)
    if message:
        st.warning(message)
    kind = st.radio(
        "Change",
        list(OPERATION_KINDS),
        format_func=OPERATION_KINDS.get,
        horizontal=True,
        key="tiers_op_kind",
    )
    _buttons(ctx.key, regrouping, _controls(kind, shown))
    if regrouping.operations:
        steps = tiers.describe_regrouping(real, regrouping)
        st.info(
            f"Showing a what-if scenario with {len(steps)} change(s); the real configuration "
            "is unchanged. Registered patients in the ICS: "
            f"{fmt.count(shown.registered_patients)} "
            f"(real: {fmt.count(real.registered_patients)}).\n\n"
            + "\n".join(f"{i}. {text}" for i, text in enumerate(steps, start=1))
        )
    else:
        st.caption(vw("No changes: the figures show the real configuration (July 2022)."))
    return TierView(real=real, shown=shown, regrouping=regrouping, bands=bands)
