"""Offers on the shop floor: telling a client about one (from the card's offers list)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.models import Customer
from staff.access import staff_required
from staff.session import next_url, wants_fragment

from .selectors import offer_for_customer
from .services import offer_mention_record

PARTIAL = "offers/partials/card_offers.html#offer"


@require_POST
@staff_required()
def mention(request, customer_id, offer_id):
    """Record that the associate told the client about the offer; HTMX gets the offer back
    marked as mentioned, a plain form post goes back to the card."""
    customer = get_object_or_404(Customer, pk=customer_id)
    item = offer_for_customer(offer_id=offer_id, customer=customer)
    if item is None:
        if not wants_fragment(request):
            raise Http404(_("This offer does not apply to this client now."))
        context = {"gone": True, "offer_id": offer_id, "customer_id": customer.pk}
        return render(request, PARTIAL, context, status=422)
    offer_mention_record(offer=item.offer, customer=customer, by=request.user, store=request.store)
    item.mentioned = True
    if wants_fragment(request):
        return render(request, PARTIAL, {"item": item})
    return redirect(next_url(request, reverse("floor:card", kwargs={"customer_id": customer.pk})))
