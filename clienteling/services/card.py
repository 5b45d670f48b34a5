from django.contrib.auth.models import AbstractBaseUser

from catalog.models import Store
from customers.models import Customer

from ..models import CardView


def card_view_record(
    *, viewer: AbstractBaseUser, customer: Customer, store: Store | None
) -> CardView:
    """Log that ``viewer`` opened ``customer``'s card (privacy audit, read in admin)."""
    return CardView.objects.create(viewer=viewer, customer=customer, store=store)
