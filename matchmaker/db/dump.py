"""An event's rows in a database-neutral form: dump, load (keeping or remapping ids), delete.

Generic over the SQLAlchemy metadata; which tables and rows belong to an event is the plan in
``event_tables.py``. Rows travel as JSON values (ISO times, base64 bytes, enum values), so a
dump of SQLite loads into PostgreSQL and back.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
    union,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy import Table as SATable

from matchmaker.db.event_tables import (
    KEPT_AS_WRITTEN,
    PLAN,
    SHARED,
    SOFT_REFERENCES,
    TABLES,
    Row,
    tables,
)
from matchmaker.errors import InvalidInput, Problem

CHUNK = 500  # ids per IN (...) list: well under every driver's parameter limit


# ---- values ------------------------------------------------------------------------------


def encode(column: Column[Any], value: Any) -> Any:
    """Return ``value`` of ``column`` as a JSON value."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Enum):
        return value.value
    return value


def decode(column: Column[Any], value: Any) -> Any:
    """Return the Python value of ``column`` that :func:`encode` turned into ``value``.

    Raises ValueError when ``value`` cannot be one of the column's values.
    """
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        parsed = datetime.fromisoformat(_of(value, str))
        if parsed.tzinfo is None:
            raise ValueError(f"time without a time zone: {value!r}")
        return parsed
    if isinstance(kind, Date):
        return date.fromisoformat(_of(value, str))
    if isinstance(kind, LargeBinary):
        return base64.b64decode(_of(value, str), validate=True)
    if isinstance(kind, SAEnum) and kind.enum_class is not None:
        return kind.enum_class(value)
    if isinstance(kind, Boolean):
        return _of(value, bool)
    if isinstance(kind, Integer):
        return _of(value, int)
    if isinstance(kind, Float):
        return float(_of(value, int | float))
    if isinstance(kind, String):
        return _of(value, str)
    return value  # JSON


def _of(value: Any, kind: Any) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"unexpected value {value!r}")
    return value


def decode_row(table: SATable, row: Row) -> Row:
    """Return a dumped row of ``table`` as Python values; ValueError when it does not fit."""
    if set(row) != set(table.c.keys()):
        raise ValueError(f"columns {sorted(row)} are not those of {table.name}")
    decoded = {c.name: decode(c, row[c.name]) for c in table.columns}
    for (name, _column), soft in SOFT_REFERENCES.items():
        if name == table.name:
            try:
                pointed: str | None = soft.target(decoded)
            except KeyError:
                pointed = None
            if not (pointed in PLAN or pointed in KEPT_AS_WRITTEN) or "id" not in TABLES[pointed].c:
                raise ValueError(f"a {table.name} row points into no planned table: {pointed!r}")
    return decoded


# ---- dump --------------------------------------------------------------------------------


def dump_event(conn: Connection, event_id: int) -> Iterator[tuple[SATable, Iterator[Row]]]:
    """Yield each planned table with its rows of the event, as JSON-ready dicts in id order."""
    for table in tables():
        query = select(table).where(PLAN[table.name](event_id))
        query = query.order_by(*table.primary_key.columns)
        yield table, (_encoded(table, row) for row in conn.execute(query).mappings())


def _encoded(table: SATable, row: Any) -> Row:
    return {c.name: encode(c, row[c.name]) for c in table.columns}


def shared_accounts(conn: Connection, event_id: int) -> dict[int, str]:
    """Return ``{id: user name}`` of the accounts the event's rows name but the plan leaves out
    (organisers and staff who audited a change or gave a verdict)."""
    users = TABLES[SHARED]
    named = [
        select(table.c[column]).where(PLAN[table.name](event_id), table.c[column].is_not(None))
        for table in tables()
        for column in _references(table, SHARED)
    ]
    query = select(users.c.id, users.c.username).where(
        users.c.id.in_(union(*named) if len(named) > 1 else named[0]),
        users.c.id.not_in(select(users.c.id).where(PLAN[SHARED](event_id))),
    )
    return {int(row.id): str(row.username) for row in conn.execute(query.order_by(users.c.id))}


def _references(table: SATable, target: str) -> list[str]:
    return [
        c.name
        for c in table.columns
        if any(fk.column.table.name == target for fk in c.foreign_keys)
    ]


# ---- load --------------------------------------------------------------------------------


@dataclass
class Loaded:
    """What a load did: whether the original ids were kept, and old id -> new id per table."""

    kept_ids: bool
    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    accounts_missing: list[str] = field(default_factory=list)


def ids_free(conn: Connection, rows: dict[str, list[Row]]) -> bool:
    """Return True when no planned row's id is taken in this database, nor the id of a deleted
    record whose audit trail the rows carry (it would join a stranger's history)."""
    wanted = {t.name: {r["id"] for r in rows.get(t.name, [])} for t in tables() if "id" in t.c}
    for (name, column), soft in SOFT_REFERENCES.items():
        for row in rows.get(name, []):
            if soft.target(row) in wanted:  # not a reference kept as written (the library's)
                wanted[soft.target(row)].add(row[column])
    for name, ids in wanted.items():
        for chunk in chunks(sorted(ids)):
            if conn.scalar(select(func.count()).where(TABLES[name].c.id.in_(chunk))):
                return False
    return True


def load_event(
    conn: Connection,
    rows: dict[str, list[Row]],
    accounts: dict[int, str],
    keep_ids: bool,
    written: Callable[[str], None] | None = None,
) -> Loaded:
    """Insert an event's rows (decoded by :func:`decode_row`), parents first.

    With ``keep_ids`` every row keeps its id (the caller checked :func:`ids_free`); otherwise
    each gets a new one, and every reference, foreign key or not, follows. References to shared
    accounts (``{old id: user name}``) are found by user name, else left empty. ``written`` is
    called with each table's name once its rows are in. Raises InvalidInput when a row names a
    row that is neither in ``rows`` nor a shared account.
    """
    allocate = _Allocator(conn)
    loaded = Loaded(keep_ids)
    for table in tables():
        if "id" in table.c:
            old = sorted(r["id"] for r in rows.get(table.name, []))
            new = old if keep_ids else allocate(table.name, len(old))
            loaded.ids[table.name] = dict(zip(old, new, strict=True))
    users = TABLES[SHARED]
    names = sorted(set(accounts.values()))
    found = {
        str(row.username): int(row.id)
        for chunk in chunks(names)
        for row in conn.execute(
            select(users.c.username, users.c.id).where(users.c.username.in_(chunk))
        )
    }
    shared = {old: found.get(name) for old, name in accounts.items()}
    loaded.accounts_missing = sorted(set(names) - set(found))
    for table in tables():
        batch = [
            _remapped(table, dict(row), loaded, shared, allocate)
            for row in rows.get(table.name, [])
        ]
        if batch:
            conn.execute(insert(table), batch)
        if written is not None:
            written(table.name)
    if keep_ids and conn.dialect.name == "postgresql":
        advance_sequences(
            conn, {name: max(ids.values()) for name, ids in loaded.ids.items() if ids}
        )
    return loaded


def _remapped(
    table: SATable, row: Row, loaded: Loaded, shared: dict[int, int | None], allocate: _Allocator
) -> Row:
    for column in table.columns:
        value = row[column.name]
        if value is None:
            continue
        targets = {fk.column.table.name for fk in column.foreign_keys}
        soft = SOFT_REFERENCES.get((table.name, column.name))
        if soft is not None and soft.target(row) in KEPT_AS_WRITTEN:
            continue  # the trail of a library row, which spans contests: its id as it was
        if soft is not None:
            target = soft.target(row)
            known = loaded.ids.get(target, {})
            if value not in known:  # a record deleted before the backup: its trail stays apart
                known[value] = value if loaded.kept_ids else allocate(target, 1)[0]
                loaded.ids.setdefault(target, known)
            row[column.name] = known[value]
        elif column.name == "id" and column.primary_key:
            row[column.name] = loaded.ids[table.name][value]
        elif targets:
            (target,) = targets
            if value in loaded.ids.get(target, {}):
                row[column.name] = loaded.ids[target][value]
            elif target == SHARED and value in shared:
                row[column.name] = shared[value]
            else:
                problem = Problem(
                    "backup.dangling", column=f"{table.name}.{column.name}", value=value
                )
                raise InvalidInput("backup.invalid", [problem])
    return row


class _Allocator:
    """Hands out new ids: from the table's sequence on PostgreSQL; on SQLite past the largest id
    in use, counting the ids audit entries of deleted records still name."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.next: dict[str, int] = {}

    def __call__(self, table: str, count: int) -> list[int]:
        if count == 0:
            return []
        if self.conn.dialect.name == "postgresql":
            values = self.conn.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table, "n": count},
            )
            return sorted(int(v) for v in values)
        if table not in self.next:  # past live rows and the ids of deleted records' trails
            named = [
                select(func.max(TABLES[name].c[column])).where(
                    TABLES[name].c[soft.by].in_(soft.naming(table))
                )
                for (name, column), soft in SOFT_REFERENCES.items()
            ]
            used = [self.conn.scalar(q) for q in (select(func.max(TABLES[table].c.id)), *named)]
            self.next[table] = max(int(u or 0) for u in used) + 1
        start = self.next[table]
        self.next[table] = start + count
        return list(range(start, start + count))


def advance_sequences(conn: Connection, floors: dict[str, int]) -> None:
    """Move PostgreSQL id sequences past ``{table: id}`` and the table's largest id (never back),
    so new rows never take an id a restored row, or a deleted record's audit trail, uses."""
    for name, floor in floors.items():
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name})
        if sequence is None:
            continue
        conn.execute(
            text(
                f"SELECT setval(:s, GREATEST(:floor, (SELECT COALESCE(MAX(id), 0) FROM {name}),"
                f" (SELECT last_value FROM {sequence})))"
            ),
            {"s": sequence, "floor": floor},
        )


# ---- delete ------------------------------------------------------------------------------


def delete_event(conn: Connection, event_id: int) -> None:
    """Delete every planned row of the event, children first.

    Keys are collected before anything is deleted: some rows reach the event only through rows
    that go earlier (a project's text vectors through the project).
    """
    keys = {
        table.name: list(
            conn.execute(select(*table.primary_key.columns).where(PLAN[table.name](event_id)))
        )
        for table in tables()
    }
    for table in reversed(tables()):
        pk = list(table.primary_key.columns)
        for chunk in chunks(keys[table.name]):
            if len(pk) == 1:
                conn.execute(delete(table).where(pk[0].in_([k[0] for k in chunk])))
            else:
                conn.execute(delete(table).where(tuple_(*pk).in_([tuple(k) for k in chunk])))


def chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
