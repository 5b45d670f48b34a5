"""Querysets built once per process, their parameters swapped in on each use.

Building a queryset and compiling it to SQL costs about a millisecond of CPU, more than
running most of the small reads a page sends. ``Prebuilt`` builds a query once per process
(and database, and number of ids) from stand-ins for its ids and for the moment, keeps the
compiled statement, and gives on each call a queryset that runs that statement with the
real values, and reads its rows as the ORM would (model instances, ``select_related``,
annotations, ``values_list``; ``prefetch_related`` lookups run as usual).

Rules for a ``build(*ids, now)`` function:

- every id it is given appears as a parameter of the statement (checked);
- every moment in the statement is ``now`` or ``now`` plus or minus a fixed duration
  (checked: a moment far from the stand-in is refused), and no date is derived from it;
- slices (``[:20]``) are fixed: they are written into the SQL;
- the queryset is read whole (``list``, iteration): ``get``, ``first``, ``count``,
  ``exists`` or further filters would build a new query.

Elsewhere than PostgreSQL (the SQLite demo, whose compiler writes moments as text), the
query is built each time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

_ID_STAND_INS = tuple(-7_402_000_001 - i for i in range(64))
_NOW_STAND_IN = datetime(2000, 1, 1, tzinfo=UTC)
_MOMENT_RANGE = timedelta(days=3660)


class Prebuilt:
    """``Prebuilt(name, build)(*ids, now=None)``: the queryset ``build(*ids, now)`` from a
    statement compiled once per process (see the module's docstring)."""

    def __init__(self, name: str, build, *, vary=None) -> None:
        """``vary``: a function of no argument whose answer is part of what the statement
        is built for (a setting the build reads, such as a duration)."""
        self.name = name
        self.build = build
        self.vary = vary
        self._built: dict[tuple, tuple] = {}

    def __call__(self, *ids: int, now: datetime | None = None, using: str = "default"):
        now = now or timezone.now()
        connection = connections[using]
        if connection.vendor != "postgresql" or len(ids) > len(_ID_STAND_INS):
            return self.build(*ids, now)
        key = (using, len(ids), self.vary() if self.vary else None)
        built = self._built.get(key)
        if built is None:
            try:
                built = self._compile(len(ids), using)
            except EmptyResultSet:  # nothing to read (``__in`` no id): no statement
                built = False
            self._built[key] = built
        if built is False:
            return self.build(*ids, now)
        template, compiler, sql, params = built
        swap = dict(zip(_ID_STAND_INS, ids, strict=False))
        values = tuple(
            swap.get(p, p)
            if type(p) is int
            else now + (p - _NOW_STAND_IN)
            if isinstance(p, datetime)
            else p
            for p in params
        )
        return _bound(template, compiler, connection, sql, values)

    def _compile(self, count: int, using: str) -> tuple:
        stand_ins = _ID_STAND_INS[:count]
        template = self.build(*stand_ins, _NOW_STAND_IN).using(using)
        query = template.query.chain()
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        seen = {p for p in params if type(p) is int and p in _ID_STAND_INS}
        if seen != set(stand_ins):
            raise AssertionError(f"{self.name}: ids missing from the statement: {params}")
        for p in params:
            if isinstance(p, datetime):
                if abs(p - _NOW_STAND_IN) > _MOMENT_RANGE:
                    raise AssertionError(f"{self.name}: a moment not from now: {p}")
            elif hasattr(p, "isoformat"):
                raise AssertionError(f"{self.name}: a date or time in the statement: {p}")
        return template, compiler, sql, tuple(params)


def _bound(template: QuerySet, compiler, connection, sql: str, params: tuple) -> QuerySet:
    """A queryset like ``template`` whose query compiles to ``sql`` with ``params``, read
    through a copy of the compiler that built it (its columns, related models and
    converters), on this thread's connection."""
    bound = object.__new__(type(compiler))
    bound.__dict__.update(compiler.__dict__)
    bound.connection = connection
    bound.as_sql = lambda *args, **kwargs: (sql, params)
    query = object.__new__(type(template.query))
    query.__dict__.update(template.query.__dict__)
    query.get_compiler = lambda *args, **kwargs: bound
    query.chain = query.clone = _refuse  # a filter, slice or count would read the same rows
    queryset = template.__class__(
        model=template.model, query=query, using=template._db, hints=template._hints
    )
    queryset._prefetch_related_lookups = template._prefetch_related_lookups
    queryset._known_related_objects = template._known_related_objects
    queryset._iterable_class = template._iterable_class
    queryset._fields = template._fields
    return queryset


def _refuse(*args, **kwargs):
    raise TypeError("A prebuilt queryset is read whole: build another to filter, slice or count")
