from .tablet import idle_seconds, is_tablet_session


def tablet(request):
    """On a shared tablet's session: the lock button and the idle lock's delay."""
    on_tablet = is_tablet_session(request)
    return {
        "on_tablet": on_tablet,
        "tablet_idle_seconds": idle_seconds() if on_tablet else None,
    }
