"""Each associate page's server time, in-process (Django's whole stack, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clienteling \\
        .venv/bin/python bench/pages.py [--runs 200] [--only floor,search,product,stock,orders,card]

Signs in an associate of the selling store with the most stock rows and requests, one at a
time through Django's test client: that store's floor page, a product search (a word of a
product name), the product page of a product stocked there, the stock page of the variant
stocked in the most stores, the orders list and the card of the client with the longest
history. Prints per page the query count, p50/p95 in ms over ``--runs`` requests (after a
warm-up) and the load average. ``DEBUG`` off (no query log while timing).

Leaves the database as it found it: the associate and its session are made inside a
transaction that is rolled back at the end.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("HTTPS", "0")
os.environ.pop("REDIS_URL", None)  # no cross-process work: on-commit tasks never run here

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from inprocess import Rollback, analyze_if_never_analyzed, production_settings, queries_of  # noqa: E402

from catalog.models import Product, Store  # noqa: E402
from customers.models import Customer  # noqa: E402
from inventory.models import StockLevel  # noqa: E402
from staff.models import StaffProfile  # noqa: E402

PAGES = ("floor", "search", "product", "stock", "orders", "card")


def page_urls(store: Store) -> dict[str, str]:
    level = StockLevel.objects.filter(store=store, on_hand__gt=0).order_by("pk").first()
    product = Product.objects.get(pk=level.variant.product_id)
    widest = (
        StockLevel.objects.filter(on_hand__gt=0)
        .values("variant_id")
        .annotate(n=Count("id"))
        .order_by("-n", "variant_id")
        .first()
    )
    customer = (
        Customer.objects.active().annotate(n=Count("purchases__lines")).order_by("-n").first()
    )
    word = max(product.name.split(), key=len)
    return {
        "floor": f"/stores/{store.code}/floor/",
        "search": f"/products/?q={word}",
        "product": f"/products/{product.pk}/",
        "stock": f"/stock/variants/{widest['variant_id']}/",
        "orders": "/orders/",
        "card": f"/customers/{customer.pk}/" if customer else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--only", default=",".join(PAGES))
    args = parser.parse_args()
    wanted = [p for p in args.only.split(",") if p]
    store = (
        Store.objects.filter(is_active=True, is_warehouse=False)
        .annotate(n=Count("stock"))
        .order_by("-n", "pk")
        .first()
    )
    if store is None:
        sys.exit("No selling store: run this on a seeded database.")
    loads = [os.getloadavg()[0]]
    print(
        f"database {connection.settings_dict['NAME']}: {Store.objects.count()} stores, "
        f"{Product.objects.count()} products; store {store.code}; {args.runs} runs per page; "
        f"{os.cpu_count()} cores, one process"
    )
    try:
        with transaction.atomic():
            from tests.factories import make_staff

            associate = make_staff(
                StaffProfile.Role.ASSOCIATE, store, username=f"bench-{uuid4().hex[:8]}"
            )
            client = Client(HTTP_HOST="localhost")
            client.force_login(associate)
            analyze_if_never_analyzed()
            urls = page_urls(store)
            print(f"{'page':8} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}  url")
            for name in wanted:
                url = urls.get(name)
                if url is None:
                    print(f"{name:8} (nothing to show on this database)")
                    continue
                for _ in range(5):  # warm-up
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                sent = queries_of(client, url)
                times = []
                for _ in range(args.runs):
                    began = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - began) * 1000)
                loads.append(os.getloadavg()[0])
                print(
                    f"{name:8} {len(sent):7d} {statistics.median(times):8.1f} "
                    f"{statistics.quantiles(times, n=20)[18]:8.1f}  {url}"
                )
            raise Rollback
    except Rollback:
        pass
    print(f"load average {min(loads):.1f}–{max(loads):.1f}; rolled back")


if __name__ == "__main__":
    with production_settings():
        main()
