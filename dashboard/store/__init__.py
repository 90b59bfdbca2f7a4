"""The scenario library: what-ifs saved on the server, versioned, shared by link.

This package never imports Streamlit. The dashboard opens the store once per server
process and passes the signed-in user (or :data:`ANONYMOUS`) to every call::

    from dashboard import store

    library = store.open_store(st.secrets.get("database_url"))   # migrates at start-up
    user = store.user_from_claims(st.user.to_dict()) if auth else store.ANONYMOUS
    saved = library.save_new(document, "Option B", user, visibility="shared")
    library.save_version(saved.id, document, user, base_version=saved.latest_version)

Modules: :mod:`~dashboard.store.document` (the JSON format), :mod:`~dashboard.store.names`,
:mod:`~dashboard.store.database` (URL, engine, migrations, faults),
:mod:`~dashboard.store.repository` (the operations), :mod:`~dashboard.store.errors`.
"""

from __future__ import annotations

import threading

from dashboard.store.database import (
    DATA_DIR_VARIABLE,
    DATABASE_URL_VARIABLE,
    database_url,
    default_sqlite_path,
    describe_url,
)
from dashboard.store.document import (
    DOCUMENT_FORMAT,
    DOCUMENT_VERSION,
    KINDS,
    VINTAGES,
    ParsedDocument,
    ScenarioDocument,
    check_place_groupings,
    document_json,
    parse_document,
    place_groupings_report,
    read_document,
)
from dashboard.store.errors import (
    ConflictError,
    CorruptStore,
    DocumentError,
    DocumentVersionError,
    InvalidNameError,
    PermissionDeniedError,
    ScenarioArchivedError,
    ScenarioNotFoundError,
    StoreError,
    StoreUnavailable,
)
from dashboard.store.names import MAX_NAME_LENGTH, clean_description, clean_name
from dashboard.store.repository import (
    ANONYMOUS,
    VISIBILITIES,
    ScenarioStore,
    ScenarioSummary,
    ScenarioVersion,
    User,
    VersionInfo,
    library_table,
    user_from_claims,
)

__all__ = [
    "ANONYMOUS",
    "DATABASE_URL_VARIABLE",
    "DATA_DIR_VARIABLE",
    "DOCUMENT_FORMAT",
    "DOCUMENT_VERSION",
    "KINDS",
    "MAX_NAME_LENGTH",
    "VINTAGES",
    "VISIBILITIES",
    "ConflictError",
    "CorruptStore",
    "DocumentError",
    "DocumentVersionError",
    "InvalidNameError",
    "ParsedDocument",
    "PermissionDeniedError",
    "ScenarioArchivedError",
    "ScenarioDocument",
    "ScenarioNotFoundError",
    "ScenarioStore",
    "ScenarioSummary",
    "ScenarioVersion",
    "StoreError",
    "StoreUnavailable",
    "User",
    "VersionInfo",
    "check_place_groupings",
    "clean_description",
    "clean_name",
    "database_url",
    "default_sqlite_path",
    "describe_url",
    "document_json",
    "library_table",
    "open_store",
    "parse_document",
    "place_groupings_report",
    "read_document",
    "user_from_claims",
]

_stores: dict[str, ScenarioStore] = {}
_lock = threading.Lock()


def open_store(url: str | None = None) -> ScenarioStore:
    """The process's store for ``url`` (see :func:`database_url`), opened and migrated once.

    Call it at start-up and wherever the store is needed; a failure is not remembered,
    so a database that comes back is used on the next call.

    Raises
    ------
    StoreUnavailable
        The database cannot be reached or written; the dashboard keeps working for
        analysis and says that saving is unavailable.
    CorruptStore
        The SQLite file is damaged; it is left untouched.
    """
    resolved = database_url(url)
    key = describe_url(resolved) + "|" + str(hash(resolved.password))
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = ScenarioStore.open(resolved)
            _stores[key] = store
        return store
