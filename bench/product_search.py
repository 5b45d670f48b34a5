"""Product search speed on a large catalog: p50/p95/p99 of the floor's search, beside the
same SQL sent straight through a cursor, in the same run.

    DATABASE_URL=postgres://…/clienteling_scale python bench/product_search.py
    DATABASE_URL=postgres://…/any_db python bench/product_search.py --create 50000

Everything runs in one transaction that is rolled back: the database is left as it was.
If the database predates the search tables (or their rows), they are built inside that
transaction first. ``--create N`` first generates a synthetic catalog of N products (four
variants each, stock in three stores) for a database without the ``--scale`` seed.

Timed per query, for a mix of typed words, typos, brands, SKUs, EANs and filters:
  floor search   products.selectors.product_search: code lookup, results page, variants
                 and stock here, as the results page runs it (2–4 queries)
  ORM query      the results query alone, built and run through the ORM
  raw SQL        the very same SQL string and parameters, through a cursor
then the whole search page through Django in-process for the same queries (test client,
an associate of the store, ``DEBUG`` off), its query count, and the results fragment alone
(the htmx request sent while typing).
"""

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("HTTPS", "0")
os.environ.pop("REDIS_URL", None)  # tasks would only be enqueued on commit, which never comes

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from inprocess import analyze_if_never_analyzed, production_settings, queries_of  # noqa: E402

from catalog.models import (  # noqa: E402
    Brand,
    Category,
    Characteristic,
    Product,
    ProductCharacteristic,
    ProductSearch,
    SearchWord,
    Store,
    Variant,
    ean13_check_digit,
)
from catalog.services import product_search_refresh  # noqa: E402
from catalog.text import fold  # noqa: E402
from inventory.models import StockLevel  # noqa: E402
from products.selectors import (  # noqa: E402
    PAGE_SIZE,
    ProductQuery,
    code_matches,
    product_search,
    product_search_queryset,
)

TREE = {
    "Image et son": ["Téléviseurs", "Vidéoprojecteurs", "Barres de son", "Casques audio"],
    "Informatique": ["Ordinateurs portables", "Tablettes", "Écrans", "Imprimantes"],
    "Téléphonie": ["Smartphones", "Montres connectées"],
    "Électroménager": ["Lave-linge", "Réfrigérateurs", "Aspirateurs", "Cafetières"],
    "Mode": ["Chaussures", "Vestes", "Jeans"],
    "Sport": ["Vélos", "Running"],
}
NOUNS = {
    "Téléviseurs": ["Téléviseur", "TV"],
    "Vidéoprojecteurs": ["Vidéoprojecteur"],
    "Barres de son": ["Barre de son"],
    "Casques audio": ["Casque", "Écouteurs"],
    "Ordinateurs portables": ["Ordinateur portable", "PC portable"],
    "Tablettes": ["Tablette"],
    "Écrans": ["Écran PC", "Moniteur"],
    "Imprimantes": ["Imprimante jet d'encre", "Imprimante laser"],
    "Smartphones": ["Smartphone"],
    "Montres connectées": ["Montre connectée"],
    "Lave-linge": ["Lave-linge hublot", "Lave-linge top"],
    "Réfrigérateurs": ["Réfrigérateur américain", "Réfrigérateur combiné"],
    "Aspirateurs": ["Aspirateur balai", "Aspirateur robot"],
    "Cafetières": ["Machine à café", "Cafetière expresso"],
    "Chaussures": ["Baskets", "Chaussures de randonnée"],
    "Vestes": ["Veste imperméable", "Doudoune"],
    "Jeans": ["Jean slim", "Jean droit"],
    "Vélos": ["Vélo électrique", "VTT"],
    "Running": ["Chaussures de running", "Short de running"],
}
BRANDS = [
    "Samsung",
    "LG",
    "Sony",
    "Philips",
    "Panasonic",
    "TCL",
    "Hisense",
    "Bose",
    "JBL",
    "Sennheiser",
    "Apple",
    "Lenovo",
    "HP",
    "Dell",
    "Asus",
    "Acer",
    "Epson",
    "Canon",
    "Brother",
    "Xiaomi",
    "Huawei",
    "Google",
    "Garmin",
    "Bosch",
    "Siemens",
    "Whirlpool",
    "Miele",
    "Electrolux",
    "Beko",
    "Dyson",
    "Rowenta",
    "Moulinex",
    "Tefal",
    "Krups",
    "Nespresso",
    "De'Longhi",
    "Smeg",
    "Haier",
    "Nike",
    "Adidas",
    "Puma",
    "Asics",
    "Salomon",
    "Rossignol",
    "Aigle",
    "Lafuma",
    "Levi's",
    "Lapierre",
    "Moustache",
    "Fnac",
    "Thomson",
    "Essentiel",
    "Brandt",
    "Sharp",
    "Marshall",
    "Sonos",
    "Devialet",
    "Withings",
    "Babolat",
    "Kalenji",
]
TEXT_VALUES = ["OLED", "QLED", "LED", "Mini-LED", "Inox", "Coton bio", "Gore-Tex", "Aluminium"]


def create_catalog(n_products: int, rng: random.Random) -> None:
    """A synthetic catalog: categories, brands, characteristics, products, 4 variants each
    and stock rows in three stores (bulk inserts)."""
    started = time.perf_counter()
    stores = [
        Store.objects.create(
            code=f"bench-{i}",
            name=f"Bench {i}",
            address="1 rue du Banc",
            postcode="75001",
            city="Paris",
            latitude=48.86,
            longitude=2.34,
        )
        for i in range(3)
    ]
    leaves = []
    for root_name, children in TREE.items():
        root = Category.objects.create(name=root_name, slug=f"bench-{fold(root_name)}"[:100])
        for child in children:
            slug = f"bench-{fold(child)}".replace(" ", "-")[:100]
            leaves.append(Category.objects.create(name=child, slug=slug, parent=root))
    brands = Brand.objects.bulk_create(
        [Brand(name=f"{b} (bench)", slug=f"bench-{i}") for i, b in enumerate(BRANDS)]
    )
    specs = [
        ("bench_size", "Taille", "Size", "number", "in"),
        ("bench_tech", "Technologie", "Technology", "text", ""),
        ("bench_energy", "Classe énergie", "Energy class", "grade", ""),
        ("bench_wifi", "Wi-Fi", "Wi-Fi", "boolean", ""),
        ("bench_weight", "Poids", "Weight", "number", "kg"),
    ]
    chars = [
        Characteristic.objects.create(code=c, name_fr=fr, name_en=en, kind=k, unit=u)
        for c, fr, en, k, u in specs
    ]
    letters = "ABCDEFGHKLMNPQRSTXZ"
    products = []
    for _ in range(n_products):
        leaf = rng.choice(leaves)
        brand = rng.choice(brands)
        model = (
            f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(10, 99)}"
            f"{rng.choice(letters)}{rng.randint(10, 999)}"
        )
        name = f"{rng.choice(NOUNS[leaf.name])} {brand.name.removesuffix(' (bench)')} {model}"
        products.append(
            Product(
                name=name,
                brand=brand,
                category=leaf,
                description="",
                country_of_origin=rng.choice(["FR", "DE", "CN", "KR", "JP", "IT", "VN"]),
                list_price=Decimal(rng.randint(1500, 250000)) / 100,
            )
        )
    products = Product.objects.bulk_create(products, batch_size=5000)
    values, variants = [], []
    colours = ["noir", "blanc", "argent", "bleu nuit", "rouge"]
    ean = 0
    for p in products:
        values.append(
            ProductCharacteristic(
                product=p, characteristic=chars[0], value_number=rng.choice([32, 43, 55, 65])
            )
        )
        values.append(
            ProductCharacteristic(
                product=p, characteristic=chars[1], value_text=rng.choice(TEXT_VALUES)
            )
        )
        values.append(
            ProductCharacteristic(
                product=p, characteristic=chars[2], value_text=rng.choice("ABCDE")
            )
        )
        values.append(
            ProductCharacteristic(product=p, characteristic=chars[3], value_bool=rng.random() < 0.5)
        )
        for j, colour in enumerate(rng.sample(colours, 4)):
            ean += 1
            first12 = f"379{ean:09d}"
            variants.append(
                Variant(
                    product=p,
                    sku=f"BN-{p.pk:07d}-{j}",
                    ean=first12 + ean13_check_digit(first12),
                    colour=colour,
                )
            )
    ProductCharacteristic.objects.bulk_create(values, batch_size=10000)
    variants = Variant.objects.bulk_create(variants, batch_size=10000)
    stock = []
    for v in variants:
        for store in stores:
            if rng.random() < 0.6:
                on_hand = rng.randint(0, 8)
                stock.append(
                    StockLevel(
                        store=store, variant=v, on_hand=on_hand, reserved=rng.randint(0, on_hand)
                    )
                )
    StockLevel.objects.bulk_create(stock, batch_size=10000)
    print(
        f"created {len(products):,} products, {len(variants):,} variants, "
        f"{len(stock):,} stock rows in {time.perf_counter() - started:.0f} s"
    )


def ensure_search_schema() -> None:
    """The search table, its indexes and rows, built in this transaction if missing."""
    import importlib

    migration = importlib.import_module("catalog.migrations.0003_product_search_indexes")
    tables = connection.introspection.table_names()
    with connection.schema_editor(atomic=False) as editor:
        editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for model in (ProductSearch, SearchWord):
            if model._meta.db_table not in tables:
                editor.create_model(model)
                print(f"{model._meta.db_table} missing: created it (rolled back at the end)")
        migration.create_search_indexes(None, editor)
    missing = Product.objects.filter(is_active=True, search_entry__isnull=True).count()
    if missing:
        started = time.perf_counter()
        written = product_search_refresh()
        print(
            f"search entries missing for {missing:,} products: built {written:,} "
            f"in {time.perf_counter() - started:.1f} s (rolled back at the end)"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_productsearch")
            cursor.execute("ANALYZE catalog_searchword")


def query_mix(rng: random.Random, n: int) -> list[ProductQuery]:
    """What associates type: words of real names (whole, prefix, typo, no accents), brands,
    SKUs and EANs, sometimes with a category or "in stock here"."""
    store = Store.objects.filter(is_warehouse=False, is_active=True, stock__isnull=False).first()
    names = list(
        Product.objects.filter(is_active=True).order_by("?").values_list("name", flat=True)[:400]
    )
    brands = list(Brand.objects.values_list("name", flat=True))
    variants = list(Variant.objects.order_by("?").values_list("sku", "ean")[:200])
    categories = list(Category.objects.exclude(parent=None)[:50])

    def typo(word: str) -> str:
        if len(word) < 5:
            return word
        i = rng.randrange(1, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    queries = []
    for _ in range(n):
        name_words = [w for w in rng.choice(names).split() if len(w) > 2] or ["tv"]
        kind = rng.random()
        if kind < 0.25:
            text = " ".join(name_words[:2])
        elif kind < 0.40:
            text = rng.choice(name_words)[:4]
        elif kind < 0.55:
            text = fold(typo(max(name_words, key=len)))
        elif kind < 0.65:
            text = rng.choice(brands).split()[0]
        elif kind < 0.75:
            text = fold(" ".join(name_words))
        elif kind < 0.85:
            text = rng.choice(variants)[0]
        else:
            text = rng.choice(variants)[1]
        extra = {}
        if rng.random() < 0.2 and categories:
            extra["category"] = rng.choice(categories)
        if rng.random() < 0.2 and store is not None:
            extra["in_stock_at"] = store
        queries.append(ProductQuery(text=text, **extra))
    return queries, store


def kind_of(query: ProductQuery) -> str:
    if query.in_stock_at is not None:
        return "+ in stock here"
    if query.category is not None:
        return "+ category"
    return "words or a code"


def percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {q[49]:6.1f} ms   p95 {q[94]:6.1f} ms   p99 {q[98]:6.1f} ms"


def page_url(query: ProductQuery) -> str:
    params = {"q": query.text}
    if query.category is not None:
        params["category"] = query.category.pk
    if query.in_stock_at is not None:
        params["in_stock"] = "on"
    return "/products/?" + urlencode(params)


def time_pages(queries: list[ProductQuery], store: Store, rounds: int) -> None:
    """The search page through Django in-process (sign-in middleware, the search, prices,
    photos, filters, template), as an associate of ``store``; its queries per request."""
    from staff.models import StaffProfile
    from tests.factories import make_staff

    associate = make_staff(StaffProfile.Role.ASSOCIATE, store, username=f"bench-{uuid4().hex[:8]}")
    client = Client(HTTP_HOST="localhost")
    client.force_login(associate)
    urls = [page_url(query) for query in queries]
    for url in urls[:20]:  # warm-up
        assert client.get(url).status_code == 200, url
    counts = [len(queries_of(client, url)) for url in urls]
    pages, fragments = [], []
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            client.get(url)
            pages.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.get(url, headers={"HX-Request": "true"})
            fragments.append((time.perf_counter() - started) * 1000)
    print(
        f"\nthe search page through Django in-process (test client, no network, DEBUG off), "
        f"{min(counts)}–{max(counts)} queries per page; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  whole page    {percentiles(pages)}")
    print(f"  results only  {percentiles(fragments)}   (htmx request as typing sends)")


def run(args) -> None:
    rng = random.Random(args.seed)
    if args.create:
        create_catalog(args.create, rng)
    ensure_search_schema()
    analyze_if_never_analyzed()
    counts = {
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "stock rows": StockLevel.objects.count(),
    }
    print("products: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    queries, store = query_mix(rng, args.queries)

    for query in queries[:20]:  # warm the caches
        product_search(query, store=store)

    floor, orm, raw = [], [], []
    by_kind: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for query in queries:
            started = time.perf_counter()
            product_search(query, store=store)
            floor.append((time.perf_counter() - started) * 1000)
            by_kind.setdefault(kind_of(query), []).append(floor[-1])

            codes = code_matches(query.text)
            started = time.perf_counter()
            qs = product_search_queryset(query, codes)
            list(qs[: PAGE_SIZE + 1])
            orm.append((time.perf_counter() - started) * 1000)

            sql, params = qs[: PAGE_SIZE + 1].query.sql_with_params()
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
            raw.append((time.perf_counter() - started) * 1000)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('random_page_cost'), "
            "pg_size_pretty(pg_database_size(current_database()))"
        )
        page_cost, size = cursor.fetchone()
    print(
        f"\n{len(floor):,} searches ({args.queries} distinct, {args.rounds} rounds), one process, "
        f"{os.cpu_count()} cores; database {size}, random_page_cost {page_cost}; load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print(f"  floor search  {percentiles(floor)}")
    print(f"  ORM query     {percentiles(orm)}")
    print(f"  raw SQL       {percentiles(raw)}")
    print("\nfloor search by kind of query:")
    for kind, samples in sorted(by_kind.items()):
        print(f"  {kind:<22} {len(samples):4} x  {percentiles(samples)}")

    time_pages(queries, store, args.rounds)

    sample = next(q for q in queries if " " in q.text and q.has_text)
    qs = product_search_queryset(sample, code_matches(sample.text))[: PAGE_SIZE + 1]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        print(f"\nThe results query for {sample.text!r}:\n{cursor.mogrify(sql, params)}\n")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--create", type=int, default=0, metavar="N", help="generate N products")
    parser.add_argument("--queries", type=int, default=200, help="distinct queries")
    parser.add_argument("--rounds", type=int, default=3, help="times each query runs")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Benchmark PostgreSQL: set DATABASE_URL.")
    with transaction.atomic():
        try:
            run(args)
        finally:
            transaction.set_rollback(True)
    print("\nrolled back: the database is unchanged")


if __name__ == "__main__":
    with production_settings():
        main()
