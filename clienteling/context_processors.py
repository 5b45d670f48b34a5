from django.utils.functional import SimpleLazyObject

from customers.models import Customer
from customers.session import selected_customer_id
from staff.access import Role, stores_for


def _serving(request):
    customer_id = selected_customer_id(request) if hasattr(request, "session") else None
    if customer_id is None:
        return None
    return (
        Customer.objects.active()
        .filter(pk=customer_id)
        .only("pk", "first_name", "last_name", "erased_at")
        .first()
    )


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
        # The client the associate is serving (product pages act for them): read only
        # when a page shows it.
        "serving_customer": SimpleLazyObject(lambda: _serving(request)) if profile else None,
    }
