from .access import staff_profile, stores_for

SESSION_STORE_KEY = "current_store_id"


def current_store(request):
    """The store the signed-in staff member works in now: an associate's own store, or the
    one a manager or head office picked (remembered in the session), else the first."""
    stores = stores_for(request.user)
    chosen = request.session.get(SESSION_STORE_KEY)
    if chosen is not None:
        store = stores.filter(pk=chosen).first()
        if store is not None:
            return store
    return stores.order_by("name").first()


def store_visit(request, store) -> None:
    """A store-scoped page (floor, board) makes its store the current one, so the header,
    product availability and orders all speak of the store on screen."""
    if request.store is None or request.store.pk != store.pk:
        request.session[SESSION_STORE_KEY] = store.pk
        request.store = store


class StaffMiddleware:
    """Sets ``request.staff`` (a StaffProfile or None) and ``request.store`` (or None)."""

    skip_prefixes = ("/api/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.staff = None
        request.store = None
        if request.user.is_authenticated and not request.path.startswith(self.skip_prefixes):
            request.staff = staff_profile(request.user)
            if request.staff is not None:
                request.store = current_store(request)
        return self.get_response(request)
