"""Who may see what: roles and stores, checked on every view and websocket."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When

from catalog.models import Store
from catalog.prepared import Prepared

from .models import StaffProfile

Role = StaffProfile.Role


def staff_profile(user) -> StaffProfile | None:
    """The user's profile, cached on the user object (a signed-in request's user comes
    with it: ``staff.backends``); superusers count as head office."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_staff_profile_cache"):
        try:
            profile = user.staff_profile
        except StaffProfile.DoesNotExist:
            profile = None
        if profile is None and user.is_superuser:
            profile = StaffProfile(user=user, role=Role.HEAD_OFFICE)
        user._staff_profile_cache = profile
    return user._staff_profile_cache


def _selling_stores(profile: StaffProfile | int | None = None) -> QuerySet[Store]:
    """Active selling stores (not warehouses); of one staff profile when given."""
    stores = Store.objects.filter(is_active=True, is_warehouse=False)
    return stores if profile is None else stores.filter(staff=profile)


def stores_for(user) -> QuerySet[Store]:
    """The selling stores (not warehouses) this user may work in or oversee."""
    profile = staff_profile(user)
    if profile is None:
        return Store.objects.none()
    return _selling_stores(None if profile.role == Role.HEAD_OFFICE else profile)


def _first_of(stores: QuerySet[Store], chosen: int) -> QuerySet[Store]:
    first = Case(When(pk=chosen, then=Value(0)), default=Value(1))
    return stores.order_by(first, "name", "pk")[:1]


_first_of_all = Prepared(lambda chosen: _first_of(_selling_stores(), chosen))
_first_of_profile = Prepared(
    lambda profile_id, chosen: _first_of(_selling_stores(profile_id), chosen)
)


def first_store(user, *, chosen: int | None = None) -> Store | None:
    """The store of ``stores_for(user)`` with the id ``chosen`` if there is one, else the
    first by name (one query)."""
    profile = staff_profile(user)
    if profile is None:
        return None
    chosen = chosen if type(chosen) is int else 0
    if profile.role == Role.HEAD_OFFICE:
        return _first_of_all.first(chosen)
    return _first_of_profile.first(profile.pk, chosen)


def can_access_store(user, store: Store | int) -> bool:
    store_id = store.pk if isinstance(store, Store) else store
    return stores_for(user).filter(pk=store_id).exists()


def has_role(user, *roles: str) -> bool:
    profile = staff_profile(user)
    return profile is not None and profile.role in roles


def staff_required(*roles: str):
    """Signed in, with a staff profile of one of ``roles`` (any role when none given)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            profile = staff_profile(request.user)
            if profile is None or (roles and profile.role not in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def remember_current_store(user, store: Store | None) -> None:
    """The request's current store, just read through ``stores_for(user)``: kept on the
    user object so ``store_or_403`` of that same store costs no query."""
    user._current_store_cache = store


def store_or_403(user, code: str) -> Store:
    current = getattr(user, "_current_store_cache", None)
    if current is not None and current.code == code:
        return current
    store = stores_for(user).filter(code=code).first()
    if store is None:
        raise PermissionDenied
    return store
