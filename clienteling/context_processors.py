from .access import Role, stores_for


def staff(request):
    profile = getattr(request, "staff", None)
    is_manager = profile is not None and profile.role in (Role.MANAGER, Role.HEAD_OFFICE)
    return {
        "staff": profile,
        "current_store": getattr(request, "store", None),
        "is_manager": is_manager,
        "is_head_office": profile is not None and profile.role == Role.HEAD_OFFICE,
        # A lazy queryset: only managers' pages evaluate it (for the store switch).
        "staff_stores": stores_for(request.user).order_by("name") if is_manager else (),
    }
