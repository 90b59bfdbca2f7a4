"""The scenario library in the dashboard (the storage is :mod:`dashboard.store`).

* ``account``: who is using it (Streamlit's OIDC sign-in when configured, else anonymous)
  and the sidebar's sign-in;
* ``documents``: a page's what-if state as a scenario document, and the checks a
  document must pass before this dashboard opens or imports it;
* ``restore``: opening a scenario (from its link or the library) into the session, the
  banner that says one is open, and "back to the real configuration";
* ``save``: the one "Save as a scenario" section every page with a what-if shows;
* ``browse``, ``actions``, ``versions``, ``transfer``: the library page's sections.
"""
