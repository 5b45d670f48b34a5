"""Play a store's doorway for a demo: signed entries, exits and online interactions sent
to a running server, so whoever watches the Floor page sees cards come and go."""

import json
import random
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalog.models import Store, Variant
from customers.models import Consent, Customer
from integrations.models import WebhookSource
from integrations.webhooks import signed_headers

POOL = 200


class Command(BaseCommand):
    help = "Send realistic signed presence events and online interactions to a running server."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="store code, e.g. paris-opera")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
        parser.add_argument(
            "--events", type=int, default=0, help="how many events to send (0: until Ctrl-C)"
        )
        parser.add_argument(
            "--interval", type=float, default=3.0, help="seconds between events (default 3)"
        )

    def handle(self, *args, store, url, events, interval, **options):
        store = Store.objects.filter(code=store, is_warehouse=False).first()
        if store is None:
            raise CommandError("No such store. Codes: " + ", ".join(_codes()))
        self.url = url.rstrip("/")
        self.beacons = _source(
            f"simulator-{store.code}"[:50], f"Simulator — {store.name}", WebhookSource.Kind.BEACON
        )
        self.beacons.stores.add(store)
        self.eshop = _source("simulator-eshop", "Simulator — e-shop", WebhookSource.Kind.WEB)
        self.stdout.write(
            f"Signing as webhook sources {self.beacons.key!r} (beacons of {store.name}) and "
            f"{self.eshop.key!r} (e-shop); head office can switch them off in admin."
        )
        consenting, others = _customers()
        if len(consenting) < 3:
            consenting += _demo_customers(store, 3 - len(consenting))
            self.stdout.write("Few clients had agreed to recognition: created a few demo ones.")
        variants = list(
            Variant.objects.filter(product__is_active=True).select_related("product")[:POOL]
        )
        self.stdout.write(
            f"Watch {self.url}/stores/{store.code}/floor/ — {len(consenting)} clients who agreed "
            "to be recognised, others and strangers will come and go. Ctrl-C to stop."
        )

        inside: list[Customer] = []
        sent = 0
        try:
            while not events or sent < events:
                if sent:
                    time.sleep(interval)
                sent += 1
                roll = random.random()
                # The first entries are clients with a card, so something shows at once.
                if sent <= 3 or roll < 0.5 or not inside:
                    outside = [c for c in consenting if c not in inside] or consenting
                    # The newest client who agreed comes first (the demo's scripted one).
                    customer = outside[0] if sent == 1 else random.choice(outside)
                    if variants:
                        self._browse(customer, random.sample(variants, min(3, len(variants))))
                    self._presence(store, customer.loyalty_number, "enter", customer.full_name)
                    if customer not in inside:
                        inside.append(customer)
                elif roll < 0.65:
                    stranger = random.choice(others) if others and random.random() < 0.5 else None
                    identifier = (
                        stranger.loyalty_number if stranger else f"UNKNOWN-{uuid.uuid4().hex[:8]}"
                    )
                    label = (
                        "a client who did not agree to recognition" if stranger else "a stranger"
                    )
                    self._presence(store, identifier, "enter", label)
                elif roll < 0.75:
                    customer = random.choice(inside)
                    self._presence(
                        store, customer.loyalty_number, "enter", customer.full_name + " (again)"
                    )
                else:
                    customer = inside.pop(0)
                    self._presence(store, customer.loyalty_number, "exit", customer.full_name)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _post(self, path: str, source: WebhookSource, payload: dict) -> int:
        body = json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's own server)
            self.url + path,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **signed_headers(source, body)},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError as error:
            raise CommandError(
                f"No server answers at {self.url} ({error.reason}). Start it first: ./run demo"
            ) from None

    def _presence(self, store: Store, identifier: str, event: str, label: str) -> None:
        status = self._post(
            "/api/presence/",
            self.beacons,
            {
                "store": store.code,
                "identifier_kind": "loyalty_number",
                "identifier": identifier,
                "event": event,
                "occurred_at": timezone.now().isoformat(),
                "event_id": uuid.uuid4().hex,
            },
        )
        self.stdout.write(f"{'→' if event == 'enter' else '←'} {event:5} {label}: HTTP {status}")

    def _browse(self, customer: Customer, variants: list[Variant]) -> None:
        """What they did online before coming: viewed things today, left one in a cart."""
        now = timezone.now()
        items = [
            _interaction(customer, variant, "viewed", now - timedelta(hours=i + n))
            for i, variant in enumerate(variants)
            for n in range(random.randint(1, 3))
        ]
        items.append(_interaction(customer, variants[0], "cart_abandoned", now - timedelta(days=1)))
        status = self._post("/api/interactions/", self.eshop, {"items": items})
        self.stdout.write(f"  · {len(items)} online signals of {customer.full_name}: HTTP {status}")


def _interaction(customer, variant, kind, at) -> dict:
    return {
        "event_id": uuid.uuid4().hex,
        "identifier_kind": "loyalty_number",
        "identifier": customer.loyalty_number,
        "kind": kind,
        "sku": variant.sku,
        "occurred_at": at.isoformat(),
    }


def _source(key: str, name: str, kind: str) -> WebhookSource:
    source, _ = WebhookSource.objects.get_or_create(key=key, defaults={"name": name, "kind": kind})
    if not source.is_active:
        raise CommandError(f"The webhook source {key!r} is switched off in admin.")
    return source


def _codes() -> list[str]:
    return list(Store.objects.filter(is_warehouse=False).values_list("code", flat=True)[:20])


def _customers() -> tuple[list[Customer], list[Customer]]:
    """Up to ``POOL`` clients whose latest recognition consent is a grant, and some without."""
    latest = Consent.objects.granted_subquery(Consent.Purpose.IN_STORE_RECOGNITION)
    customers = Customer.objects.active().annotate(recognition=latest).order_by("-pk")
    consenting = list(customers.filter(recognition=True)[:POOL])
    others = list(customers.exclude(recognition=True)[:POOL])
    return consenting, others


def _demo_customers(store: Store, count: int) -> list[Customer]:
    made = []
    for first, last in [("Camille", "Martin"), ("Hugo", "Lefèvre"), ("Inès", "Girard")][:count]:
        customer, _ = Customer.objects.get_or_create(
            loyalty_number=f"SIM-{first[:3].upper()}{last[:3].upper()}",
            defaults={
                "first_name": first,
                "last_name": last,
                "home_store": store,
                "tier": Customer.Tier.GOLD,
            },
        )
        Consent.objects.create(
            customer=customer,
            purpose=Consent.Purpose.IN_STORE_RECOGNITION,
            granted=True,
            source=Consent.Source.APP,
            recorded_at=timezone.now(),
        )
        made.append(customer)
    return made
