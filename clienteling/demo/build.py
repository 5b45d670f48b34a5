"""Generate the demo retailer: one seeded random stream, rows with ids set in Python.

The same code makes the 12-store demo (``bulk_create``, any database) and the
benchmark network (``--scale``: PostgreSQL COPY); only the ``Plan`` and the writer
change. Dates are relative to ``now`` so the demo always looks fresh ("viewed today").
"""

import random
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import accumulate, count, product

from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from catalog.models import (
    Brand,
    Category,
    Characteristic,
    Product,
    ProductCharacteristic,
    Review,
    Store,
    Variant,
    ean13_check_digit,
)
from customers.models import (
    Consent,
    Customer,
    Interaction,
    Note,
    Preference,
    Purchase,
    PurchaseLine,
    SizePreference,
    WishlistItem,
)
from floor.models import Visit
from inventory.models import StockLevel
from offers.models import Offer
from staff.models import StaffProfile

from . import words
from .catalog import CATEGORY_TREE, CHARACTERISTICS, FAMILIES, Family
from .images import demo_extras_create, demo_photos_create
from .load import CopyWriter, Ids, OrmWriter, bulk_load

WAREHOUSE_CODE = words.WAREHOUSE[0]


@dataclass(frozen=True, kw_only=True)
class Plan:
    stores: int  # selling stores; one warehouse comes on top
    products: int
    customers: int
    purchases_per_customer: float  # mean; gold and platinum buy more
    reviews_per_product: float
    stock_stores: int  # selling stores that carry each variant; 0: most of them
    preference_share: float
    wishlist_share: float
    interaction_share: float  # customers with online activity in the last 14 days
    visits_per_customer: float
    seed: int = 1789


DEMO = Plan(
    stores=12,
    products=300,
    customers=500,
    purchases_per_customer=6,
    reviews_per_product=3,
    stock_stores=0,
    preference_share=0.7,
    wishlist_share=0.4,
    interaction_share=0.5,
    visits_per_customer=1,
)


def scale_plan(factor: float) -> Plan:
    """Benchmark size at ``factor`` 1: 200 stores, 50 000 products (≈ 270 000 variants),
    500 000 customers, ≈ 2.2 million purchases with ≈ 5.6 million lines."""

    def n(base: int, least: int) -> int:
        return max(least, round(base * factor))

    return Plan(
        stores=n(200, 2),
        products=n(50_000, len(FAMILIES)),
        customers=n(500_000, 50),
        purchases_per_customer=4.4,
        reviews_per_product=2,
        stock_stores=4,
        preference_share=0.3,
        wishlist_share=0.2,
        interaction_share=0.1,
        visits_per_customer=0.2,
    )


# Columns written per table, in an order where every row's targets come first.
FIELDS = {
    Store: ("id", "code", "name", "address", "postcode", "city", "latitude", "longitude",
            "phone", "opening_hours", "is_warehouse", "is_active"),
    Category: ("id", "name", "slug", "parent_id", "path"),
    Characteristic: ("id", "code", "name_fr", "name_en", "kind", "unit", "position"),
    Brand: ("id", "name", "slug"),
    Product: ("id", "name", "brand_id", "category_id", "description", "country_of_origin",
              "list_price", "is_active", "created_at"),
    ProductCharacteristic: ("product_id", "characteristic_id", "value_number", "value_text",
                            "value_bool"),
    Variant: ("id", "product_id", "sku", "ean", "size", "colour"),
    StockLevel: ("store_id", "variant_id", "on_hand", "reserved", "updated_at"),
    Review: ("product_id", "rating", "title", "text", "author_name", "reviewed_on"),
    Customer: ("id", "loyalty_number", "first_name", "last_name", "email", "phone",
               "preferred_language", "tier", "home_store_id", "created_at"),
    Consent: ("customer_id", "purpose", "granted", "source", "channel", "actor", "recorded_at"),
    Preference: ("id", "customer_id", "colours", "notes"),
    Preference.brands.through: ("preference_id", "brand_id"),
    Preference.categories.through: ("preference_id", "category_id"),
    SizePreference: ("customer_id", "category_id", "size"),
    WishlistItem: ("customer_id", "variant_id", "channel", "added_at"),
    Purchase: ("id", "customer_id", "reference", "channel", "store_id", "purchased_at", "total"),
    PurchaseLine: ("purchase_id", "variant_id", "product_name", "quantity", "unit_price",
                   "line_total"),
    Interaction: ("customer_id", "kind", "product_id", "variant_id", "channel", "occurred_at"),
    Visit: ("store_id", "customer_id", "source", "arrived_at", "last_seen_at", "departed_at",
            "attended_by_id", "attended_since", "done_at", "visitor_key"),
    Note: ("customer_id", "author_id", "store_id", "text", "created_at"),
}  # fmt: skip

Tier = Customer.Tier
TIERS = (Tier.MEMBER, Tier.SILVER, Tier.GOLD, Tier.PLATINUM)
TIER_CUM = tuple(accumulate((60, 25, 11, 4)))
TIER_PURCHASES = {Tier.MEMBER: 0.6, Tier.SILVER: 1.2, Tier.GOLD: 2.0, Tier.PLATINUM: 3.5}
CONSENTS = (  # purpose, share of customers who granted it
    (Consent.Purpose.IN_STORE_RECOGNITION, 0.85),
    (Consent.Purpose.MARKETING_EMAIL, 0.55),
    (Consent.Purpose.PERSONALISED_OFFERS, 0.45),
)
CONSENT_SOURCES = ("app", "store", "web", "support")


def _consent_how(source: str) -> tuple[str, str, str]:
    """Source, channel and who recorded it (staff at the counter or on the phone)."""
    channel = source if source in CHANNELS else ""
    return source, channel, "staff" if source in ("store", "support") else "shopper"


CONSENT_SOURCE_CUM = tuple(accumulate((40, 35, 20, 5)))
REFERENCE_PREFIX = {"store": "MAG", "web": "WEB", "app": "APP"}
RATING_CUM = tuple(accumulate(words.RATING_WEIGHTS))
AFTER_VIEW = (  # what a customer did last with a product they looked at online
    (0.25, Interaction.Kind.WISHLISTED),
    (0.35, Interaction.Kind.SAVED),
    (0.55, Interaction.Kind.CART_ABANDONED),
    (0.65, Interaction.Kind.ORDERED),
    (1.00, Interaction.Kind.VIEWED),
)
CHUNK = 5_000  # products or customers generated, then written, at a time


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@cache
def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "").replace("'", "")


class DemoBuilder:
    def __init__(
        self, *, plan: Plan, writer, now: datetime, staff: dict[str, int], progress: bool
    ) -> None:
        self.plan, self.writer, self.now, self.staff = plan, writer, now, staff
        self.progress = progress
        self.rng = random.Random(plan.seed)  # noqa: S311 - demo data, not secrets
        self.ids = Ids()
        local = timezone.localtime(now)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        self.days = [midnight - timedelta(days=d) for d in range(732)]  # local midnights
        self.minutes_today = int((local - midnight).total_seconds() // 60)
        self.purchases = 0
        # Filled as rows are made, read by the steps after.
        self.category_id: dict[str, int] = {}
        self.brand_id: dict[str, int] = {}
        self.characteristic: dict[str, tuple[int, str]] = {}
        self.p_id: list[int] = []
        self.p_name: list[str] = []
        self.p_price: list[int] = []
        self.v_id: list[int] = []
        self.v_product: list[int] = []
        self.leaf_variants: list[list[int]] = [[] for _ in FAMILIES]
        self.leaves = {  # leaf families a customer may care for, by female
            female: [i for i, f in enumerate(FAMILIES) if f.gender in ("", "F" if female else "M")]
            for female in (True, False)
        }

    # --- steps -------------------------------------------------------------------------

    def build(self, log: Callable[[str], None]) -> None:
        for step in (self.stores, self.catalog_tree, self.products, self.customers):
            started = time.monotonic()
            step()
            log(f"  {step.__name__:<13} {time.monotonic() - started:6.1f} s")

    def stores(self) -> None:
        rng, rows = self.rng, []
        specs = list(words.STORES[: self.plan.stores])  # real stores, then more cities
        for i in range(self.plan.stores - len(specs)):
            city, postcode, lat, lon, area = words.CITIES[i % len(words.CITIES)]
            district = words.DISTRICTS[i // len(words.CITIES) % len(words.DISTRICTS)]
            again = i // (len(words.CITIES) * len(words.DISTRICTS))
            code = f"{slugify(city)[:11].rstrip('-')}-{slugify(district)}"
            specs.append((
                code + (f"-{again + 1}" if again else ""),
                f"{city} {district}" + (f" {again + 1}" if again else ""),
                f"{rng.randint(1, 150)} {rng.choice(words.STREETS)}",
                postcode, city,
                round(lat + rng.uniform(-0.03, 0.03), 4), round(lon + rng.uniform(-0.03, 0.03), 4),
                f"+33 {area} {FICTION_PHONE[area]} {20 + i // 100:02d} {i % 100:02d}",
                rng.choice((words.HOURS_CITY, words.HOURS_MALL)),
            ))  # fmt: skip
        first = self.ids.take(Store, len(specs) + 1)
        for i, (code, name, address, postcode, city, lat, lon, phone, hours) in enumerate(
            [*specs, words.WAREHOUSE]
        ):
            warehouse = code == WAREHOUSE_CODE
            rows.append((first + i, code, name, address, postcode, city, lat, lon, phone,
                         hours, warehouse, True))  # fmt: skip
        self.store_ids = [row[0] for row in rows[:-1]]
        self.warehouse_id = rows[-1][0]
        # Customers gather around the first (Paris) stores, where the demo accounts work.
        self.store_cum = list(accumulate(3 if i < 2 else 1 for i in range(len(self.store_ids))))
        self.writer.write(Store, FIELDS[Store], rows)

    def catalog_tree(self) -> None:
        rows: list[tuple] = []

        def walk(nodes: tuple, parent: int | None, path: str) -> None:
            for name, slug, children in nodes:
                pk = self.ids.take(Category)
                rows.append((pk, name, slug, parent, f"{path}{pk}/"))
                self.category_id[slug] = pk
                walk(children, pk, f"{path}{pk}/")

        walk(CATEGORY_TREE, None, "/")
        self.writer.write(Category, FIELDS[Category], rows)

        first = self.ids.take(Characteristic, len(CHARACTERISTICS))
        rows = [
            (first + i, code, fr, en, kind, unit, 10 * (i + 1))
            for i, (code, fr, en, kind, unit) in enumerate(CHARACTERISTICS)
        ]
        self.characteristic = {row[1]: (row[0], row[4]) for row in rows}
        self.writer.write(Characteristic, FIELDS[Characteristic], rows)

        names = list(dict.fromkeys(brand for family in FAMILIES for brand in family.brands))
        first = self.ids.take(Brand, len(names))
        self.brand_id = {name: first + i for i, name in enumerate(names)}
        rows = [(pk, name, slugify(name)) for name, pk in self.brand_id.items()]
        self.writer.write(Brand, FIELDS[Brand], rows)

    def products(self) -> None:
        schedule = self._schedule()
        with self._bar("products", self.plan.products) as bar:
            for start in range(0, self.plan.products, CHUNK):
                rows = defaultdict(list)
                for i in range(start, min(start + CHUNK, self.plan.products)):
                    leaf, model = next(schedule)
                    self._product(rows, i, leaf, model)
                self._flush(rows)
                bar.update(min(CHUNK, self.plan.products - start))

    def customers(self) -> None:
        plan = self.plan
        first = self.ids.take(Customer, plan.customers)
        with self._bar("customers", plan.customers) as bar:
            for start in range(0, plan.customers, CHUNK):
                rows = defaultdict(list)
                for n in range(start, min(start + CHUNK, plan.customers)):
                    self._customer(rows, n, first + n)
                self._flush(rows)
                bar.update(min(CHUNK, plan.customers - start))

    # --- one product -------------------------------------------------------------------

    def _schedule(self):
        """(leaf, model) for product after product: every family in turn, each through its
        distinct models in a shuffled order before any repeats."""
        orders = [self.rng.sample(f.models, len(f.models)) for f in FAMILIES]
        longest = max(len(order) for order in orders)
        for k in count():
            for leaf, order in enumerate(orders):
                if k < len(order) or k >= longest:
                    yield leaf, order[k % len(order)]

    def _product(self, rows, i: int, leaf: int, model: tuple) -> None:
        rng, family = self.rng, FAMILIES[leaf]
        spec = family.build(rng, model)
        pk = self.ids.take(Product)
        rows[Product].append((
            pk, spec.name, self.brand_id[model[0]], self.category_id[family.category],
            spec.description, rng.choice(family.brands[model[0]]), money(spec.price), True,
            self.now - timedelta(days=rng.randint(30, 900)),
        ))  # fmt: skip
        index = len(self.p_id)
        self.p_id.append(pk)
        self.p_name.append(spec.name)
        self.p_price.append(spec.price)
        for code, value in spec.chars.items():
            char_id, kind = self.characteristic[code]
            rows[ProductCharacteristic].append((
                pk, char_id,
                Decimal(str(value)) if kind == "number" else None,
                value if kind in ("text", "grade") else "",
                value if kind == "boolean" else None,
            ))  # fmt: skip
        for j, (colour, size) in enumerate(product(spec.colours, spec.sizes)):
            vid, number = self.ids.take(Variant), len(self.v_id)
            ean = f"3770{number:08d}"
            rows[Variant].append((vid, pk, f"{family.sku}-{i + 1:06d}-{j + 1:02d}",
                                  ean + ean13_check_digit(ean), size, colour))  # fmt: skip
            self.v_id.append(vid)
            self.v_product.append(index)
            self.leaf_variants[leaf].append(number)
            self._stock(rows, vid, family)
        for _ in range(self._count(self.plan.reviews_per_product)):
            rating = rng.choices(range(1, 6), cum_weights=RATING_CUM)[0]
            title, text = rng.choice(words.REVIEWS[rating])
            author = f"{rng.choice(words.FIRST_NAMES_F + words.FIRST_NAMES_M)} "
            author += f"{rng.choice(words.LAST_NAMES)[0]}."
            day = self.days[rng.randint(1, 730)].date()
            rows[Review].append((pk, rating, title, text, author, day))

    def _stock(self, rows, vid: int, family: Family) -> None:
        """Some stores have none, some only one or two; the warehouse has plenty."""
        rng, k = self.rng, self.plan.stock_stores
        stores = rng.sample(self.store_ids, min(k, len(self.store_ids))) if k else self.store_ids
        for store in stores:
            if not k and rng.random() < 0.2:
                continue  # not carried in this store
            r = rng.random()
            on_hand = (
                0
                if r < 0.18
                else rng.randint(1, 2)
                if r < 0.4
                else rng.randint(3, family.stock + 3)
            )
            # Nothing held: units are held only by orders, whose reservations say so.
            rows[StockLevel].append((store, vid, on_hand, 0, self.now))
        on_hand = rng.randint(20, 60) * family.stock
        rows[StockLevel].append((self.warehouse_id, vid, on_hand, rng.randint(0, 5), self.now))

    # --- one customer ------------------------------------------------------------------

    def _customer(self, rows, n: int, pk: int) -> None:
        rng = self.rng
        english, female = rng.random() < 0.08, rng.random() < 0.55
        if english:
            first = rng.choice(words.EN_FIRST_NAMES_F if female else words.EN_FIRST_NAMES_M)
            last = rng.choice(words.EN_LAST_NAMES)
        else:
            first = rng.choice(words.FIRST_NAMES_F if female else words.FIRST_NAMES_M)
            last = rng.choice(words.LAST_NAMES)
        tier = rng.choices(TIERS, cum_weights=TIER_CUM)[0]
        home = (
            rng.choices(self.store_ids, cum_weights=self.store_cum)[0]
            if rng.random() < 0.9
            else None
        )
        since = rng.randint(15, 2500)  # days a member
        loyalty = f"29{n + 1:010d}"  # an in-store EAN-13 (GS1 prefix 29), like the card
        rows[Customer].append((
            pk, loyalty + ean13_check_digit(loyalty), first, last,
            f"{_ascii(first)}.{_ascii(last)}{n + 1}@{rng.choice(words.EMAIL_DOMAINS)}",
            f"+33 6 39 98 {n // 100 % 100:02d} {n % 100:02d}",
            "en" if english else "fr", tier, home, self.now - timedelta(days=since),
        ))  # fmt: skip
        interests = rng.sample(self.leaves[female], 2)
        recognised = self._consents(rows, pk, since)
        if rng.random() < self.plan.preference_share:
            self._preferences(rows, pk, female, interests)
        wishlist: dict[int, tuple[str, datetime]] = {}
        if rng.random() < self.plan.interaction_share:
            self._interactions(rows, pk, interests, wishlist)
        if rng.random() < self.plan.wishlist_share:
            for _ in range(rng.randint(1, 3)):
                at = self._moment(rng.randint(1, min(120, since)))
                wishlist.setdefault(
                    self._variant(rng.choice(interests)), (rng.choice(CHANNELS), at)
                )
        for variant, (channel, at) in wishlist.items():
            rows[WishlistItem].append((pk, self.v_id[variant], channel, at))
        for _ in range(self._count(self.plan.purchases_per_customer * TIER_PURCHASES[tier])):
            self._history_purchase(rows, pk, home, interests, since)
        for _ in range(self._count(self.plan.visits_per_customer)):
            self._visit(rows, pk, home, recognised)
        vip = tier in Customer.VIP_TIERS
        for _ in range(rng.randint(1, 2) if rng.random() < (0.25 if vip else 0.03) else 0):
            author = self.staff[
                rng.choice((StaffProfile.Role.ASSOCIATE, StaffProfile.Role.MANAGER))
            ]
            at = self.now - timedelta(
                days=rng.randint(0, min(300, since)), minutes=rng.randint(0, 600)
            )
            rows[Note].append((pk, author, home or self.store_ids[0], rng.choice(words.NOTES), at))

    def _consents(self, rows, customer: int, since: int) -> bool:
        """Grants, and a few later withdrawals (the latest row wins); True if recognisable."""
        rng, recognised = self.rng, False
        for purpose, share in CONSENTS:
            if rng.random() >= share:
                continue
            at = self.now - timedelta(days=rng.randint(1, since), minutes=rng.randint(0, 900))
            source = rng.choices(CONSENT_SOURCES, cum_weights=CONSENT_SOURCE_CUM)[0]
            rows[Consent].append((customer, purpose, True, *_consent_how(source), at))
            withdrawn = rng.random() < 0.06
            if withdrawn:
                later = at + (self.now - at) * rng.uniform(0.2, 0.9)
                how = _consent_how(rng.choice(CONSENT_SOURCES))
                rows[Consent].append((customer, purpose, False, *how, later))
            if purpose == Consent.Purpose.IN_STORE_RECOGNITION:
                recognised = not withdrawn
        return recognised

    def _preferences(self, rows, customer: int, female: bool, interests: list[int]) -> None:
        rng = self.rng
        pk = self.ids.take(Preference)
        note = rng.choice(words.PREFERENCE_NOTES) if rng.random() < 0.15 else ""
        rows[Preference].append((pk, customer, rng.sample(words.PALETTE, rng.randint(1, 3)), note))
        brands = list(FAMILIES[interests[0]].brands)
        for brand in rng.sample(brands, min(len(brands), rng.randint(1, 3))):
            rows[Preference.brands.through].append((pk, self.brand_id[brand]))
        for leaf in interests[: rng.randint(1, 2)]:
            category = self.category_id[FAMILIES[leaf].category]
            rows[Preference.categories.through].append((pk, category))
        for leaf in self.leaves[female]:
            family = FAMILIES[leaf]
            if family.gender and (leaf in interests or rng.random() < 0.4):
                category = self.category_id[family.category]
                size = rng.choice(family.sizes[1:-1])  # rarely the extremes
                rows[SizePreference].append((customer, category, size))

    def _interactions(self, rows, customer: int, interests: list[int], wishlist: dict) -> None:
        """A few products looked at online, several times, in the last 14 days (some today)."""
        rng = self.rng
        today = rng.random() < 0.3
        for _ in range(rng.randint(1, 2)):
            variant = self._variant(rng.choice(interests))
            vid, pid = self.v_id[variant], self.p_id[self.v_product[variant]]
            day, channel = 0 if today else rng.randint(1, 13), rng.choice(("web", "app"))
            moments = sorted(self._moment(day) for _ in range(rng.randint(2, 5)))
            r = rng.random()
            last = next(kind for threshold, kind in AFTER_VIEW if r < threshold)
            for at in moments[:-1]:
                rows[Interaction].append((customer, Interaction.Kind.VIEWED, pid, vid, channel, at))
            rows[Interaction].append((customer, last, pid, vid, channel, moments[-1]))
            if last == Interaction.Kind.WISHLISTED:
                wishlist.setdefault(variant, (channel, moments[-1]))
            elif last == Interaction.Kind.ORDERED:
                self._purchase(
                    rows, customer, channel=channel, store=None, at=moments[-1], variants=[variant]
                )

    def _history_purchase(
        self, rows, customer: int, home: int | None, interests, since: int
    ) -> None:
        rng = self.rng
        r = rng.random()
        channel = "store" if r < 0.55 else "web" if r < 0.85 else "app"
        store = None
        if channel == "store":
            store = home if home and rng.random() < 0.8 else rng.choice(self.store_ids)
        minutes = rng.randint(600, 1170) if store else rng.randint(420, 1410)
        at = self.days[rng.randint(1, min(730, since))] + timedelta(minutes=minutes)
        variants = [
            self._variant(rng.choice(interests) if rng.random() < 0.6 else None)
            for _ in range(1 + int(rng.random() * 4))
        ]
        self._purchase(rows, customer, channel=channel, store=store, at=at, variants=variants)

    def _purchase(self, rows, customer: int, *, channel: str, store, at, variants) -> None:
        rng, pk, total = self.rng, self.ids.take(Purchase), 0
        self.purchases += 1
        for variant in variants:
            index = self.v_product[variant]
            r = rng.random()
            quantity = 1 if r < 0.9 else 2 if r < 0.98 else 3
            unit = self.p_price[index]
            if rng.random() < 0.12:  # bought on sale
                unit = unit * rng.choice((70, 80, 90)) // 100
            total += unit * quantity
            rows[PurchaseLine].append((pk, self.v_id[variant], self.p_name[index], quantity,
                                       money(unit), money(unit * quantity)))  # fmt: skip
        reference = f"{REFERENCE_PREFIX[channel]}-{self.purchases:09d}"
        rows[Purchase].append((pk, customer, reference, channel, store, at, money(total)))

    def _visit(self, rows, customer: int, home: int | None, recognised: bool) -> None:
        rng = self.rng
        store = home or rng.choice(self.store_ids)
        arrived = self.days[rng.randint(1, 60)] + timedelta(minutes=rng.randint(600, 1140))
        left = arrived + timedelta(minutes=rng.randint(4, 45))
        source = rng.choice(("beacon", "wifi", "app", "checkin")) if recognised else "scan"
        served = store == self.store_ids[0] and rng.random() < 0.5
        by = self.staff[StaffProfile.Role.ASSOCIATE] if served else None
        since = arrived + timedelta(minutes=2) if served else None
        done = left if served else None
        rows[Visit].append((store, customer, source, arrived, left, left, by, since, done, ""))

    # --- helpers -----------------------------------------------------------------------

    def _variant(self, leaf: int | None) -> int:
        """A variant number, in ``leaf`` or anywhere."""
        if leaf is None:
            return int(self.rng.random() * len(self.v_id))
        variants = self.leaf_variants[leaf]
        return variants[int(self.rng.random() * len(variants))]

    def _moment(self, day: int) -> datetime:
        """A moment ``day`` days ago; today means between midnight and now."""
        if day == 0:
            return self.now - timedelta(minutes=self.rng.randint(1, max(1, self.minutes_today)))
        return self.days[day] + timedelta(minutes=self.rng.randint(420, 1410))

    def _count(self, mean: float) -> int:
        return round(self.rng.expovariate(1 / mean)) if mean > 0 else 0

    def _flush(self, rows: dict) -> None:
        for model, fields in FIELDS.items():
            if rows.get(model):
                self.writer.write(model, fields, rows[model])

    def _bar(self, what: str, total: int) -> tqdm:
        return tqdm(total=total, desc=what, unit="", unit_scale=True, file=sys.stderr,
                    disable=not self.progress, mininterval=1)  # fmt: skip


CHANNELS = ("web", "app", "store")
FICTION_PHONE = {1: "99 00", 2: "61 91", 3: "53 01", 4: "65 71", 5: "36 49"}

# name, description, kind, value, scope, targets, tiers, starts/ends (days from now)
OFFERS = (
    ("Semaine du son : -15 % sur les casques", "Tous les casques audio, en magasin et en ligne.",
     "percent", "15", "category", ("casques-audio",), (), -3, 11),
    ("-100 € sur une sélection de téléviseurs OLED", "Jusqu'à épuisement des stocks.",
     "amount", "100", "product", ("oled-tvs",), (), -5, 20),
    ("Dyson : -20 %", "Sur tous les aspirateurs Dyson.",
     "percent", "20", "brand", ("Dyson",), (), -1, 13),
    ("Privilège Gold & Platinum : -10 % sur la mode", "Vestes, jeans et baskets, femme et homme.",
     "percent", "10", "category", ("mode",), ("gold", "platinum"), -10, 30),
    ("Platinum : -50 € sur les ordinateurs portables", "Réservé aux membres Platinum.",
     "amount", "50", "category", ("ordinateurs-portables",), ("platinum",), -2, 28),
    ("Fabriqué en France : -25 € sur Le Creuset et Staub", "Cocottes et poêles en fonte émaillée.",
     "amount", "25", "brand", ("Le Creuset", "Staub"), (), -7, 7),
    ("Soldes d'hiver : -30 % sur les vestes", "Terminé.",
     "percent", "30", "category", ("vestes-femme", "vestes-homme"), (), -60, -20),
)  # fmt: skip


def offers_create(*, now: datetime) -> None:
    """A few head-office offers, most of them running now (few rows: plain ORM)."""
    day = timedelta(days=1)
    for name, description, kind, value, scope, targets, tiers, start, end in OFFERS:
        offer = Offer.objects.create(
            name=name, description=description, kind=kind, value=Decimal(value), scope=scope,
            target_tiers=list(tiers), starts_at=now + start * day, ends_at=now + end * day,
        )  # fmt: skip
        if scope == Offer.Scope.CATEGORY:
            offer.categories.set(Category.objects.filter(slug__in=targets))
        elif scope == Offer.Scope.BRAND:
            offer.brands.set(Brand.objects.filter(name__in=targets))
        else:
            oled = Product.objects.filter(category__slug="televiseurs", name__contains="OLED")
            offer.products.set(oled.order_by("pk")[:6])
    # Personal offers: what the engine does beyond tiers (consent to personalised offers).
    wished = Offer.objects.create(
        name="Votre liste d'envies : -10 % en high-tech",
        description="Sur les articles high-tech de sa liste d'envies, une fois.",
        kind=Offer.Kind.PERCENT, value=Decimal("10"), scope=Offer.Scope.CATEGORY,
        audience=Offer.Audience.WISHLIST, uses_per_customer=1, stackable=True,
        starts_at=now - 2 * day, ends_at=now + 20 * day,
    )  # fmt: skip
    wished.categories.set(Category.objects.filter(slug="high-tech"))
    liked = Offer.objects.create(
        name="Vos marques préférées : -15 € en magasin",
        description="Dès aujourd'hui, sur ses marques préférées de la maison.",
        kind=Offer.Kind.AMOUNT, value=Decimal("15"), scope=Offer.Scope.CATEGORY,
        audience=Offer.Audience.PREFERENCES, stackable=True, channels=["store"],
        channel_reason="Offre de lancement réservée aux magasins.",
        starts_at=now - 1 * day, ends_at=now + 10 * day,
    )  # fmt: skip
    liked.categories.set(Category.objects.filter(slug="maison"))


PHOTOS_AT_SCALE = 500


def demo_seed(*, plan: Plan, bulk: bool, staff: dict[str, int], log: Callable[[str], None]) -> None:
    """Create the demo data; ``bulk`` loads with PostgreSQL COPY (benchmark sizes)."""
    now = timezone.now().replace(second=0, microsecond=0)
    writer = CopyWriter() if bulk else OrmWriter()
    builder = DemoBuilder(plan=plan, writer=writer, now=now, staff=staff, progress=bulk)
    if bulk:
        with bulk_load([model._meta.db_table for model in FIELDS]):
            builder.build(log)
            started = time.monotonic()
        log(f"  {'indexes, keys':<13} {time.monotonic() - started:6.1f} s")
    else:
        builder.build(log)
    builder.ids.sequences_reset()
    offers_create(now=now)
    demo_extras_create(now=now, accessories=not bulk)
    started = time.monotonic()
    # Benchmark sizes draw the first products only: photos are not what they measure.
    photos = demo_photos_create(limit=PHOTOS_AT_SCALE if bulk else None)
    log(f"  {'photos':<13} {time.monotonic() - started:6.1f} s ({photos:,})")


def demo_counts() -> dict[str, int]:
    return {
        "stores": Store.objects.filter(is_warehouse=False).count(),
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "stock rows": StockLevel.objects.count(),
        "reviews": Review.objects.count(),
        "customers": Customer.objects.count(),
        "consents": Consent.objects.count(),
        "purchases": Purchase.objects.count(),
        "purchase lines": PurchaseLine.objects.count(),
        "interactions": Interaction.objects.count(),
        "visits": Visit.objects.count(),
        "offers": Offer.objects.count(),
    }
