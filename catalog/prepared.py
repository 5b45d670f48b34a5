"""Queries Django compiles once per process, then runs with other values.

Building a query costs Django ~0.5 ms of CPU (cloning, resolving lookups, compiling the
SQL), several times what PostgreSQL takes to answer the small queries every page sends.
A ``Prepared`` query is built once per process and shape from *stand-ins* for its values,
and its SQL is run with the real values swapped in: calling it gives the list iterating
the queryset gives (model instances with their ``select_related`` objects, annotations
and ``prefetch_related`` lookups, ``values`` dicts, ``values_list`` rows), with Django's
converters applied. Elsewhere than on PostgreSQL (the SQLite demo, which is given moments
as text), the query is built each time. On PostgreSQL the statement is also prepared on
the server, once per connection (``_server_binding_cursor``).

    user_and_profile = Prepared(
        lambda user_id: User.objects.select_related("staff_profile").filter(pk=user_id)
    )
    user_and_profile.first(42)  # or user_and_profile(42): the list

``build`` receives one stand-in per argument: ints for ints, strings for strings, and for
a ``datetime`` a fixed moment; every moment in the statement must be that moment give or
take fixed durations (they are all shifted to the moment passed). A query whose shape
depends on a value (a list's length, ``None``) gets one statement per shape: pass such
values as separate arguments (``*ids``). A value the query changes (``startswith``) or puts
in its SQL text cannot be a stand-in: building checks that every stand-in is a parameter
as given, and that no moment (nor day) other than the stand-in's is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet, prefetch_related_objects
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.db.transaction import TransactionManagementError

_INT = -2_147_000_000  # stand-ins for ints: ids no row has, within a 32-bit column's range
_BIGINT = (-(2**63), 2**63 - 1)
_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
_NEAR = timedelta(days=3660)  # a moment "now" give or take up to ten years


def _stand_in(position: int, value):
    if type(value) is int:
        return _INT - position
    if type(value) is str:
        return f"\x1fstand-in {position}\x1f"
    if isinstance(value, datetime):
        return _MOMENT
    raise TypeError(f"A prepared query takes ints, strings and one datetime, not {value!r}")


@dataclass(frozen=True)
class _Statement:
    alias: str  # the database
    sql: str | None  # None: Django asked nothing for the stand-ins (built each time)
    params: tuple
    slots: dict[int, int]  # parameter index -> argument position
    moments: tuple[int, ...]  # parameter indexes holding a moment
    converters: tuple  # (column, converters, expression) as Django's compiler gives them
    make: Callable  # (rows, connection) -> what iterating the queryset gives
    prefetch: tuple  # the queryset's prefetch_related lookups, run on the objects
    columns: int | None  # the columns to keep of each row (None: all)
    locks: bool  # SELECT … FOR UPDATE: only inside a transaction


class Prepared:
    """``Prepared(build)(*args)``: the list iterating ``build(*args)`` gives (model
    instances, ``values`` dicts, ``values_list`` tuples or flat values), from a statement
    compiled once per process and shape (see the module's docstring)."""

    def __init__(self, build: Callable[..., QuerySet], *, depends_on: Callable[[], object] = None):
        """``depends_on``: what else the SQL depends on (a setting): one statement per value."""
        self.build = build
        self.depends_on = depends_on
        self._statements: dict[tuple, _Statement] = {}

    def __call__(self, *args) -> list:
        if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
            # SQLite (the demo) is given moments as text: they could not be shifted. The
            # query is built each time there.
            return list(self.build(*args))
        statement, connection = self._statement(args)
        if any(type(a) is int and not _BIGINT[0] <= a <= _BIGINT[1] for a in args):
            return []  # an id beyond 64 bits matches no row (the ORM says the same)
        if statement.sql is None:
            # Django found nothing to ask for these stand-ins (``IN ()``, or a stand-in
            # outside a small column's range): it decides again for these values.
            return list(self.build(*args))
        if statement.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(statement.params)
        for index, position in statement.slots.items():
            params[index] = args[position]
        if statement.moments:
            shift = next(a for a in args if isinstance(a, datetime)) - _MOMENT
            for index in statement.moments:
                params[index] += shift
        with _server_binding_cursor(connection) as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        if statement.columns is not None:
            rows = [row[: statement.columns] for row in rows]
        if statement.converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for column, converters, expression in statement.converters:
                    for converter in converters:
                        row[column] = converter(row[column], expression, connection)
        found = statement.make(rows, connection) if rows else []
        if statement.prefetch and found:
            prefetch_related_objects(found, *statement.prefetch)
        return found

    def first(self, *args):
        found = self(*args)
        return found[0] if found else None

    def _statement(self, args: tuple):
        key = tuple(type(a) for a in args)  # the shape: one statement per kind of values
        if self.depends_on is not None:
            key += (self.depends_on(),)
        statement = self._statements.get(key)
        if statement is None:
            stand_ins = [_stand_in(i, a) for i, a in enumerate(args)]
            statement = self._statements[key] = self._compile(self.build(*stand_ins), stand_ins)
        return statement, connections[statement.alias]

    def _compile(self, queryset: QuerySet, stand_ins: list) -> _Statement:
        compiler = queryset.query.get_compiler(using=queryset.db)
        prefetch = tuple(queryset._prefetch_related_lookups)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Statement(queryset.db, None, (), {}, (), (), list, prefetch, None, False)
        position = {s: i for i, s in enumerate(stand_ins) if not isinstance(s, datetime)}
        slots = {i: position[p] for i, p in enumerate(params) if _hashable(p) in position}
        moments = tuple(i for i, p in enumerate(params) if isinstance(p, datetime))
        missing = set(position.values()) - set(slots.values())
        strays = [params[i] for i in moments if abs(params[i] - _MOMENT) > _NEAR] + [
            # a day made from the moment (``now.date()``) would not move with it
            p
            for p in params
            if isinstance(p, date)
            and not isinstance(p, datetime)
            and abs(p - _MOMENT.date()) <= _NEAR
        ]
        if missing or strays or (moments and _MOMENT not in stand_ins):
            raise AssertionError(
                f"Cannot prepare this query: its parameters are {params!r} for {stand_ins!r}"
            )
        columns = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = tuple(
            (column, tuple(found), expression)
            for column, (found, expression) in compiler.get_converters(columns).items()
        )
        return _Statement(
            queryset.db,
            sql,
            tuple(params),
            slots,
            moments,
            converters,
            _maker(queryset, compiler),
            prefetch,
            compiler.col_count if compiler.has_extra_select else None,
            bool(queryset.query.select_for_update),
        )


def _server_binding_cursor(connection):
    """A cursor sending the values apart from the SQL, on which psycopg prepares a
    statement once the connection's ``prepare_threshold`` allows it (settings: at once):
    PostgreSQL then keeps it parsed and planned on the connection, where planning was most
    of its time on these small reads. Django's own cursors bind client-side and are never
    prepared. While Django logs statements (``DEBUG``, a test counting queries), its own
    cursor is used: the log shows each statement with its values, as for any other."""
    if connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def _maker(queryset: QuerySet, compiler) -> Callable:
    """What turns the rows into what iterating ``queryset`` gives (as Django's iterables
    of the same names do)."""
    kind = queryset._iterable_class
    if kind is ModelIterable:
        info = compiler.klass_info
        fields = info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        model = info["model"]
        init_list = [f[0].target.attname for f in compiler.select[start:end]]
        populators = get_related_populators(info, compiler.select, queryset.db)
        annotations = tuple(compiler.annotation_col_map.items())

        fast = _from_db(model, init_list)

        def objects(rows, connection):
            found = []
            make = fast
            if make is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
                make = partial(model.from_db, field_names=init_list)
            alias = connection.alias
            for row in rows:
                obj = make(alias, values=row[start:end])
                for populator in populators:
                    populator.populate(row, obj)
                for name, column in annotations:
                    setattr(obj, name, row[column])
                found.append(obj)
            return found

        return objects
    if kind is ValuesIterable:
        query = queryset.query
        names = (
            list(query.selected)
            if query.selected
            else [
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            ]
        )
        return lambda rows, connection: [dict(zip(names, row, strict=False)) for row in rows]
    if kind is ValuesListIterable:
        return lambda rows, connection: [tuple(row) for row in rows]
    if kind is FlatValuesListIterable:
        return lambda rows, connection: [row[0] for row in rows]
    raise TypeError(f"A prepared query gives objects, values or values_list, not {kind}")


def _from_db(model, field_names: list[str]) -> Callable | None:
    """``model.from_db`` for rows of the columns ``field_names``, without what a fresh
    instance does not need: the keyword-argument machinery of ``Model.__init__``, each
    plain field's descriptor (a field whose descriptor does more is still set through it).
    Signals are sent by ``from_db`` itself: ``objects`` falls back on it while ``pre_init``
    or ``post_init`` has receivers for the model. None where the model changes how it is
    made (its own ``__init__`` or ``from_db``)."""
    if (
        model.__init__ is not Model.__init__
        or model.from_db.__func__ is not Model.from_db.__func__
        or model._meta.abstract
    ):
        return None
    plain = (DeferredAttribute, ForeignKeyDeferredAttribute)
    through = []  # the fields set with setattr, their descriptor doing more than storing
    for name in field_names:
        descriptor = next((k.__dict__[name] for k in model.__mro__ if name in k.__dict__), None)
        if type(descriptor) not in plain:
            through.append(name)
    new = model.__new__

    def make(db, values):
        obj = new(model)
        obj._state = ModelState()
        if through:
            for name, value in zip(field_names, values, strict=True):
                if name in through:
                    setattr(obj, name, value)
                else:
                    obj.__dict__[name] = value
        else:
            obj.__dict__.update(zip(field_names, values, strict=True))
        obj._state.adding = False
        obj._state.db = db
        return obj

    return make


def prefetched(instance, relation: str, objects: list) -> None:
    """Give ``instance.<relation>.all()`` these objects, as ``prefetch_related`` would (the
    related manager answers from the instance's prefetch cache)."""
    descriptor = getattr(type(instance), relation)
    queryset = getattr(instance, relation).get_queryset()  # filtered to the instance
    queryset._result_cache, queryset._prefetch_done = objects, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[
        descriptor.field.remote_field.cache_name
    ] = queryset


def _hashable(value):
    return value if isinstance(value, int | str) else None
