"""The scenario library: save, version, list, open, duplicate, rename, archive, restore.

Rules, enforced here whatever the page does:

* A save never overwrites. Saving an existing scenario adds version N + 1 and must say
  which version it started from; if someone saved a newer one meanwhile the save is
  refused with :class:`~dashboard.store.errors.ConflictError` naming who and when.
  The check is a compare-and-set on ``latest_version`` plus a unique
  ``(scenario, version)``, so two concurrent saves can never both become version N.
* Only a scenario's author may save over, rename, archive or restore it. Anyone who
  can see a scenario may duplicate it (the copy is theirs). A private scenario is
  invisible to everyone else: to them it does not exist.
* Nothing is deleted: archiving hides a scenario from the default list; restoring
  brings it back.
* Without sign-in everybody is :data:`ANONYMOUS` and every scenario is shared.

Every query binds its values as parameters; a search is matched as literal text (``%``
and ``_`` included).

Examples
--------
>>> from layers import tiers
>>> from dashboard.store.document import ScenarioDocument
>>> store = ScenarioStore.open("sqlite://")
>>> doc = ScenarioDocument("tiers", "QGH", "2022", "preset", bands=dict(tiers.DEFAULT_BANDS))
>>> first = store.save_new(doc, "Option A", ANONYMOUS)
>>> second = store.save_version(first.id, doc, ANONYMOUS, base_version=1)
>>> second.version, [s.name for s in store.list_scenarios(ANONYMOUS)]
(2, ['Option A'])
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import pandas as pd
from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy.engine import URL, RowMapping

from dashboard.store.database import (
    database_url,
    describe_url,
    engine_for,
    faults,
    migrate,
    write_transaction,
)
from dashboard.store.document import (
    KINDS,
    ScenarioDocument,
    document_json,
    read_document,
)
from dashboard.store.errors import (
    ConflictError,
    DocumentError,
    InvalidNameError,
    PermissionDeniedError,
    ScenarioArchivedError,
    ScenarioNotFoundError,
)
from dashboard.store.names import MAX_NAME_LENGTH, clean_description, clean_name
from dashboard.store.schema import scenarios, versions
from layers.export import neutralise

__all__ = [
    "ANONYMOUS",
    "VISIBILITIES",
    "ScenarioStore",
    "ScenarioSummary",
    "ScenarioVersion",
    "User",
    "VersionInfo",
    "library_table",
    "user_from_claims",
]

#: Who may see a scenario: its author only, or everyone on the server.
VISIBILITIES: Final = ("private", "shared")
_LIST_LIMIT: Final = 5_000


@dataclass(frozen=True)
class User:
    """Who is acting: a stable id (an e-mail or OIDC subject) and a display name."""

    id: str
    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip() or len(self.id) > 320:
            raise ValueError(f"A user id must be 1-320 characters of text, got {self.id!r}.")
        object.__setattr__(self, "name", clean_name(self.name or self.id))

    @property
    def signed_in(self) -> bool:
        """False for :data:`ANONYMOUS` (no sign-in configured)."""
        return self.id != ANONYMOUS_ID


ANONYMOUS_ID: Final = "anonymous"
#: Everybody, when the server has no sign-in configured.
ANONYMOUS: Final = User(ANONYMOUS_ID, "anonymous")


def user_from_claims(claims: Mapping[str, Any] | None) -> User:
    """The user from Streamlit's ``st.user`` (OIDC claims); :data:`ANONYMOUS` if signed out.

    The id is the e-mail when the provider gives one (stable across providers' subject
    formats), else ``issuer|subject``.

    Examples
    --------
    >>> user_from_claims({"is_logged_in": True, "email": "ann@nhs.net", "name": "Ann"})
    User(id='ann@nhs.net', name='Ann')
    >>> user_from_claims({"is_logged_in": False}) is ANONYMOUS
    True
    """
    if not claims or not claims.get("is_logged_in"):
        return ANONYMOUS
    email = claims.get("email")
    if isinstance(email, str) and email.strip():
        identity = email.strip().lower()
    else:
        identity = f"{claims.get('iss', '')}|{claims.get('sub', '')}"
    name = str(claims.get("name") or claims.get("preferred_username") or identity)
    try:
        return User(identity, name[:MAX_NAME_LENGTH])
    except InvalidNameError:  # a provider's display name of only control characters
        return User(identity, identity[:MAX_NAME_LENGTH])


@dataclass(frozen=True)
class ScenarioSummary:
    """One scenario as the library lists it (no document)."""

    id: str
    kind: str
    ics: str
    vintage: str
    place_definition: str
    name: str
    description: str
    author: str
    author_name: str
    visibility: str
    archived: bool
    latest_version: int
    created_at: datetime
    updated_at: datetime

    @property
    def kind_label(self) -> str:
        """Plain words for the kind."""
        return KINDS[self.kind]


@dataclass(frozen=True)
class VersionInfo:
    """One saved version, without its document."""

    scenario_id: str
    version: int
    saved_by: str
    saved_by_name: str
    saved_at: datetime


@dataclass(frozen=True, eq=False)
class ScenarioVersion:
    """One saved version with its document and the scenario it belongs to."""

    scenario: ScenarioSummary
    version: int
    document: ScenarioDocument
    saved_by: str
    saved_by_name: str
    saved_at: datetime


def _utc(value: datetime) -> datetime:
    # SQLite gives back naive datetimes; every stored time is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _summary(row: RowMapping) -> ScenarioSummary:
    return ScenarioSummary(
        id=row["id"],
        kind=row["kind"],
        ics=row["ics"],
        vintage=row["vintage"],
        place_definition=row["place_definition"],
        name=row["name"],
        description=row["description"],
        author=row["author"],
        author_name=row["author_name"],
        visibility=row["visibility"],
        archived=bool(row["archived"]),
        latest_version=row["latest_version"],
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
    )


def _check_user(user: object) -> User:
    if not isinstance(user, User):
        raise TypeError(f"user must be a User (or ANONYMOUS), got {type(user).__name__}")
    return user


def _check_document(document: object) -> ScenarioDocument:
    if not isinstance(document, ScenarioDocument):
        raise TypeError(f"document must be a ScenarioDocument, got {type(document).__name__}")
    return document


def _visibility(visibility: str, user: User) -> str:
    if visibility not in VISIBILITIES:
        raise InvalidNameError(f"Visibility must be 'private' or 'shared', got {visibility!r}.")
    if visibility == "private" and not user.signed_in:
        raise PermissionDeniedError(
            "Sign-in is not configured on this server, so every scenario is shared with "
            "everyone who uses it; a private scenario needs sign-in."
        )
    return visibility


def _visible_to(user: User):
    return or_(scenarios.c.visibility == "shared", scenarios.c.author == user.id)


class ScenarioStore:
    """The scenario library on one database.

    Create it once per server process with :meth:`open` (which runs the migrations)
    and share it between sessions: it holds only the engine and its connection pool.

    Parameters
    ----------
    engine : Engine
        Already migrated (see :meth:`open`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | URL | None = None) -> ScenarioStore:
        """Connect, create the SQLite file if needed, and migrate to the newest schema.

        Parameters
        ----------
        url : str or URL, optional
            From Streamlit secrets; else ``ICS_PLANNER_DATABASE_URL``; else the
            default SQLite file (:func:`~dashboard.store.database.default_sqlite_path`).

        Raises
        ------
        StoreUnavailable
            The database cannot be reached, written or created.
        CorruptStore
            The SQLite file is damaged (it is left as it is).
        """
        resolved = url if isinstance(url, URL) else database_url(url)
        engine = engine_for(resolved)
        migrate(engine)
        return cls(engine)

    @property
    def location(self) -> str:
        """Where the library is, for the page (password hidden)."""
        return describe_url(self.engine.url)

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    # ------------------------------------------------------------------ reading

    def _row(self, connection, scenario_id: str, user: User) -> RowMapping:
        if not isinstance(scenario_id, str):
            raise ScenarioNotFoundError(f"No scenario {scenario_id!r}.")
        row = (
            connection.execute(select(scenarios).where(scenarios.c.id == scenario_id))
            .mappings()
            .first()
        )
        if row is None or (row["visibility"] == "private" and row["author"] != user.id):
            raise ScenarioNotFoundError(
                f"There is no scenario {scenario_id!r} that you can open: the link may be "
                "mistyped, or the scenario is private to someone else."
            )
        return row

    def get(self, scenario_id: str, user: User) -> ScenarioSummary:
        """One scenario's details (archived ones too: the page says it is archived).

        Raises
        ------
        ScenarioNotFoundError
            Unknown, or private to someone else.
        """
        _check_user(user)
        with faults(self.engine.url), self.engine.connect() as connection:
            return _summary(self._row(connection, scenario_id, user))

    def get_version(
        self, scenario_id: str, user: User, version: int | None = None
    ) -> ScenarioVersion:
        """A scenario's document at one version (the latest by default).

        Raises
        ------
        ScenarioNotFoundError
            Unknown scenario or version, or private to someone else.
        """
        _check_user(user)
        with faults(self.engine.url), self.engine.connect() as connection:
            summary = _summary(self._row(connection, scenario_id, user))
            wanted = summary.latest_version if version is None else version
            if isinstance(wanted, bool) or not isinstance(wanted, int):
                raise ScenarioNotFoundError(f"Version must be a whole number, got {version!r}.")
            row = (
                connection.execute(
                    select(versions).where(
                        versions.c.scenario_id == scenario_id, versions.c.version == wanted
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            raise ScenarioNotFoundError(
                f"Scenario “{summary.name}” has no version {wanted}; its versions are "
                f"1 to {summary.latest_version}."
            )
        return ScenarioVersion(
            scenario=summary,
            version=row["version"],
            document=read_document(row["document"]).document,
            saved_by=row["saved_by"],
            saved_by_name=row["saved_by_name"],
            saved_at=_utc(row["saved_at"]),
        )

    def versions(self, scenario_id: str, user: User) -> list[VersionInfo]:
        """Every version of a scenario, newest first."""
        _check_user(user)
        with faults(self.engine.url), self.engine.connect() as connection:
            self._row(connection, scenario_id, user)
            rows = connection.execute(
                select(
                    versions.c.version,
                    versions.c.saved_by,
                    versions.c.saved_by_name,
                    versions.c.saved_at,
                )
                .where(versions.c.scenario_id == scenario_id)
                .order_by(versions.c.version.desc())
            ).all()
        return [VersionInfo(scenario_id, v, by, name, _utc(at)) for v, by, name, at in rows]

    def list_scenarios(
        self,
        user: User,
        *,
        ics: str | None = None,
        author: str | None = None,
        search: str | None = None,
        kind: str | None = None,
        vintage: str | None = None,
        include_archived: bool = False,
        archived_only: bool = False,
        limit: int = _LIST_LIMIT,
    ) -> list[ScenarioSummary]:
        """Scenarios this user can see, most recently saved first.

        Parameters
        ----------
        user : User
        ics, author, kind, vintage : str, optional
            Exact filters (``author`` is a user id).
        search : str, optional
            Text the name must contain, ignoring case; matched literally.
        include_archived : bool, default False
            Also list archived scenarios.
        archived_only : bool, default False
            List only archived scenarios (to restore one).
        limit : int, default 5000
        """
        _check_user(user)
        conditions = [_visible_to(user)]
        if archived_only:
            conditions.append(scenarios.c.archived.is_(True))
        elif not include_archived:
            conditions.append(scenarios.c.archived.is_(False))
        for column, value in (
            (scenarios.c.ics, ics),
            (scenarios.c.author, author),
            (scenarios.c.kind, kind),
            (scenarios.c.vintage, vintage),
        ):
            if value is not None:
                conditions.append(column == value)
        if search:
            if not isinstance(search, str):
                raise TypeError(f"search must be text, got {type(search).__name__}")
            conditions.append(
                func.lower(scenarios.c.name).contains(search.strip().lower(), autoescape=True)
            )
        query = (
            select(scenarios)
            .where(and_(*conditions))
            .order_by(scenarios.c.updated_at.desc(), scenarios.c.id)
            .limit(max(1, min(int(limit), _LIST_LIMIT)))
        )
        with faults(self.engine.url), self.engine.connect() as connection:
            return [_summary(row) for row in connection.execute(query).mappings()]

    def authors(self, user: User) -> list[tuple[str, str]]:
        """(id, display name) of everyone whose scenarios this user can see, for a filter."""
        _check_user(user)
        query = (
            select(scenarios.c.author, func.max(scenarios.c.author_name))
            .where(_visible_to(user))
            .group_by(scenarios.c.author)
            .order_by(scenarios.c.author)
        )
        with faults(self.engine.url), self.engine.connect() as connection:
            return [(a, n) for a, n in connection.execute(query).all()]

    # ------------------------------------------------------------------ writing

    def save_new(
        self,
        document: ScenarioDocument,
        name: str,
        user: User,
        *,
        description: str = "",
        visibility: str = "shared",
    ) -> ScenarioSummary:
        """Save a what-if as a new scenario (version 1).

        Raises
        ------
        InvalidNameError
            Bad name, description or visibility.
        PermissionDeniedError
            A private scenario without sign-in.
        StoreUnavailable, CorruptStore
            Database faults; nothing was saved.
        """
        _check_user(user)
        _check_document(document)
        name = clean_name(name)
        description = clean_description(description)
        visibility = _visibility(visibility, user)
        body = document_body(document)
        now = datetime.now(UTC)
        scenario_id = secrets.token_hex(8)
        with faults(self.engine.url), write_transaction(self.engine) as connection:
            connection.execute(
                insert(scenarios).values(
                    id=scenario_id,
                    kind=document.kind,
                    ics=document.ics,
                    vintage=document.vintage,
                    place_definition=document.place_definition,
                    name=name,
                    description=description,
                    author=user.id,
                    author_name=user.name,
                    visibility=visibility,
                    archived=False,
                    latest_version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            _insert_version(connection, scenario_id, 1, body, user, now)
            row = (
                connection.execute(select(scenarios).where(scenarios.c.id == scenario_id))
                .mappings()
                .one()
            )
        return _summary(row)

    def save_version(
        self, scenario_id: str, document: ScenarioDocument, user: User, *, base_version: int
    ) -> ScenarioVersion:
        """Save a new version of the user's own scenario, started from ``base_version``.

        Raises
        ------
        ConflictError
            Someone saved a version after ``base_version``: nothing was written.
        PermissionDeniedError
            The scenario is someone else's (duplicate it instead).
        ScenarioArchivedError
            Restore it first.
        ScenarioNotFoundError
            Unknown, or private to someone else.
        DocumentError
            The document is for another ICS, vintage or kind than the scenario.
        """
        _check_user(user)
        _check_document(document)
        if isinstance(base_version, bool) or not isinstance(base_version, int):
            raise TypeError(f"base_version must be a whole number, got {base_version!r}")
        body = document_body(document)
        now = datetime.now(UTC)
        with faults(self.engine.url), write_transaction(self.engine) as connection:
            row = self._row(connection, scenario_id, user)
            self._check_owner(row, user, "save a new version of")
            if row["archived"]:
                raise ScenarioArchivedError(
                    f"“{row['name']}” is archived; restore it before saving a new version."
                )
            _check_same_subject(row, document)
            changed = connection.execute(
                update(scenarios)
                .where(
                    scenarios.c.id == scenario_id,
                    scenarios.c.latest_version == base_version,
                )
                .values(latest_version=base_version + 1, updated_at=now)
            ).rowcount
            if changed != 1:
                raise _conflict(connection, scenario_id, base_version)
            _insert_version(connection, scenario_id, base_version + 1, body, user, now)
            summary = _summary(self._row(connection, scenario_id, user))
        return ScenarioVersion(summary, base_version + 1, document, user.id, user.name, now)

    def duplicate(
        self,
        scenario_id: str,
        user: User,
        *,
        name: str | None = None,
        version: int | None = None,
        visibility: str = "shared",
    ) -> ScenarioSummary:
        """Copy a visible scenario (one version, the latest by default) as the user's own."""
        source = self.get_version(scenario_id, user, version)
        copy_name = name if name is not None else f"Copy of {source.scenario.name}"
        if name is None and len(copy_name) > 200:
            copy_name = copy_name[:200]
        return self.save_new(
            source.document,
            copy_name,
            user,
            description=source.scenario.description,
            visibility=visibility,
        )

    def rename(
        self,
        scenario_id: str,
        user: User,
        name: str,
        description: str | None = None,
    ) -> ScenarioSummary:
        """Rename the user's own scenario (and change its description if given)."""
        _check_user(user)
        values: dict[str, Any] = {"name": clean_name(name)}
        if description is not None:
            values["description"] = clean_description(description)
        return self._change(scenario_id, user, "rename", values)

    def set_visibility(self, scenario_id: str, user: User, visibility: str) -> ScenarioSummary:
        """Make the user's own scenario private or shared."""
        _check_user(user)
        return self._change(
            scenario_id, user, "change who can see", {"visibility": _visibility(visibility, user)}
        )

    def archive(self, scenario_id: str, user: User) -> ScenarioSummary:
        """Archive the user's own scenario (hidden from the list, never deleted)."""
        return self._change(scenario_id, user, "archive", {"archived": True})

    def restore(self, scenario_id: str, user: User) -> ScenarioSummary:
        """Bring an archived scenario of the user's back into the list."""
        return self._change(scenario_id, user, "restore", {"archived": False})

    def _change(
        self, scenario_id: str, user: User, action: str, values: dict[str, Any]
    ) -> ScenarioSummary:
        _check_user(user)
        with faults(self.engine.url), write_transaction(self.engine) as connection:
            row = self._row(connection, scenario_id, user)
            self._check_owner(row, user, action)
            if action == "rename" and row["archived"]:
                raise ScenarioArchivedError(f"“{row['name']}” is archived; restore it first.")
            connection.execute(
                update(scenarios).where(scenarios.c.id == scenario_id).values(**values)
            )
            return _summary(self._row(connection, scenario_id, user))

    @staticmethod
    def _check_owner(row: RowMapping, user: User, action: str) -> None:
        if row["author"] != user.id:
            raise PermissionDeniedError(
                f"“{row['name']}” belongs to {row['author_name']}; you cannot {action} it. "
                "Duplicate it to make a copy of your own."
            )

    # ------------------------------------------------------------------ files

    def export_json(self, scenario_id: str, user: User, version: int | None = None) -> str:
        """A version as a scenario file (formula prefixes in its text neutralised)."""
        found = self.get_version(scenario_id, user, version)
        return document_json(found.document, found.scenario.name, found.scenario.description)

    def import_json(
        self,
        text: str | bytes,
        user: User,
        *,
        name: str | None = None,
        visibility: str = "shared",
        ics: str | None = None,
        vintage: str | None = None,
        place_definition: str | None = None,
        known_practice_codes: Sequence[str] | None = None,
    ) -> ScenarioSummary:
        """Save a scenario file (this format, or a bare allocation scenario) as a new one.

        ``ics``, ``vintage`` and ``place_definition`` say where a bare allocation file is
        being opened; ``name`` overrides the file's own.

        Raises
        ------
        DocumentError, DocumentVersionError
            Malformed, invalid, or from a newer planner: nothing is saved.
        """
        parsed = read_document(
            text,
            ics=ics,
            vintage=vintage,
            place_definition=place_definition,
            known_practice_codes=known_practice_codes,
        )
        chosen = name if name is not None else parsed.name
        if chosen is None:
            raise InvalidNameError("The file has no name: give the scenario one.")
        return self.save_new(
            parsed.document,
            chosen,
            user,
            description=parsed.description,
            visibility=visibility,
        )


def document_body(document: ScenarioDocument) -> str:
    """The stored JSON of a document (compact, without name or description)."""
    return document_json(document, indent=None)  # type: ignore[arg-type]


def _insert_version(
    connection, scenario_id: str, version: int, body: str, user: User, when: datetime
) -> None:
    connection.execute(
        insert(versions).values(
            scenario_id=scenario_id,
            version=version,
            document=body,
            saved_by=user.id,
            saved_by_name=user.name,
            saved_at=when,
        )
    )


def _check_same_subject(row: RowMapping, document: ScenarioDocument) -> None:
    for field in ("kind", "ics", "vintage"):
        if row[field] != getattr(document, field):
            raise DocumentError(
                f"This scenario is a {row['kind']} scenario of {row['ics']} ({row['vintage']} "
                f"data); the state being saved is {document.kind} of {document.ics} "
                f"({document.vintage}). Save it as a new scenario instead."
            )


def _conflict(connection, scenario_id: str, base_version: int) -> ConflictError:
    latest = connection.execute(
        select(versions.c.version, versions.c.saved_by_name, versions.c.saved_at)
        .where(versions.c.scenario_id == scenario_id)
        .order_by(versions.c.version.desc())
        .limit(1)
    ).one()
    return ConflictError(scenario_id, base_version, latest[0], latest[1], _utc(latest[2]))


def library_table(
    summaries: Sequence[ScenarioSummary], *, for_export: bool = False
) -> pd.DataFrame:
    """The library as a table: one row per scenario, columns in words.

    With ``for_export`` every text cell that a spreadsheet would run as a formula is
    neutralised (see :func:`layers.export.neutralise`).
    """
    frame = pd.DataFrame(
        {
            "Scenario": [s.name for s in summaries],
            "Kind": [s.kind_label for s in summaries],
            "ICS": [s.ics for s in summaries],
            "Data vintage": [s.vintage for s in summaries],
            "Author": [s.author_name for s in summaries],
            "Shared": ["shared" if s.visibility == "shared" else "private" for s in summaries],
            "Versions": pd.array([s.latest_version for s in summaries], dtype="int64"),
            "Last saved (UTC)": [f"{s.updated_at:%Y-%m-%d %H:%M}" for s in summaries],
            "Archived": ["yes" if s.archived else "no" for s in summaries],
            "Description": [s.description for s in summaries],
            "Id": [s.id for s in summaries],
        }
    )
    if for_export:
        for column in ("Scenario", "Author", "Description"):
            frame[column] = frame[column].map(neutralise)
    return frame
