"""Reads of the catalog shaped for the floor's pages, each in a fixed number of queries.

Search runs on ``ProductSearch``, a folded document per active product (see ``services``).
On PostgreSQL every typed word must prefix a word of the document (full-text search on its
stored vector, GIN-indexed); when nothing matches, each mistyped word is widened to its
nearest known words (trigrams on the ``SearchWord`` lexicon) and the search runs again. On
SQLite every word must appear in the document. SKUs and EANs are matched on the variants themselves.
Results whose name holds the most typed words come first, then by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.contrib.postgres.search import SearchQuery, TrigramSimilarity
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from catalog.models import (
    Brand,
    Category,
    Characteristic,
    Complement,
    Product,
    ProductCharacteristic,
    ProductImage,
    ProductSearch,
    Review,
    SearchWord,
    Store,
    Variant,
)
from catalog.prepared import Prepared, prefetched
from catalog.text import words
from inventory.models import StockLevel
from offers.pricing import with_offers_version

PAGE_SIZE = 20
MIN_QUERY_LENGTH = 2
# Spelling tolerance for words of this many letters or more, up to this many words.
FUZZY_MIN_LENGTH = 4
FUZZY_MAX_WORDS = 6
FUZZY_ALTERNATIVES = 3
CODE_MATCH_LIMIT = 50
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,39}$")


# --- Search ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductQuery:
    """What an associate asked for: words or a code, and filters."""

    text: str = ""
    category: Category | None = None
    brand: Brand | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock_at: Store | None = None

    @property
    def terms(self) -> list[str]:
        return words(self.text)

    @property
    def has_text(self) -> bool:
        return len(" ".join(self.terms)) >= MIN_QUERY_LENGTH

    @property
    def has_filters(self) -> bool:
        return any(
            x is not None
            for x in (self.category, self.brand, self.price_min, self.price_max, self.in_stock_at)
        )

    @property
    def is_blank(self) -> bool:
        return not self.has_text and not self.has_filters


@dataclass(frozen=True)
class CodeMatches:
    """Variants whose SKU or EAN starts with the typed code; ``exact`` by product id."""

    product_ids: tuple[int, ...] = ()
    exact: dict[int, int] = field(default_factory=dict)


@dataclass
class SearchPage:
    products: list[Product]
    number: int
    has_next: bool
    # The words were widened to close spellings (nothing matched them as typed).
    respelled: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def code_matches(text: str) -> CodeMatches:
    """Variants matched by a typed or scanned SKU or EAN prefix (one query, or none when the
    text cannot be a code)."""
    code = text.strip()
    if not _CODE.match(code) or not any(c.isdigit() or c in "-._/" for c in code):
        return CodeMatches()
    upper = code.upper()
    condition = Q(sku__startswith=upper) | Q(sku__startswith=code)
    if code.isdigit():
        condition |= Q(ean__startswith=code)
    rows = Variant.objects.filter(condition).values_list("product_id", "pk", "sku", "ean")[
        :CODE_MATCH_LIMIT
    ]
    product_ids: dict[int, None] = {}
    exact: dict[int, int] = {}
    for product_id, variant_id, sku, ean in rows:
        product_ids[product_id] = None
        if sku.upper() == upper or ean == code:
            exact[product_id] = variant_id
    return CodeMatches(tuple(product_ids), exact)


def spelling_alternatives(terms: list[str]) -> dict[str, list[str]]:
    """For each word long enough to be mistyped and that starts no known word, the nearest
    known words, best first (one query on PostgreSQL; none elsewhere). Empty when every
    word is known: then nothing matched because of the other words or the filters."""
    candidates = [t for t in terms if len(t) >= FUZZY_MIN_LENGTH and t.isalpha()]
    candidates = candidates[:FUZZY_MAX_WORDS]
    if not candidates or connection.vendor != "postgresql":
        return {}
    per_word = []
    for term in candidates:
        per_word.append(
            SearchWord.objects.filter(word__startswith=term)
            .annotate(term=Value(term), similarity=Value(2.0))
            .values_list("term", "word", "similarity")[:1]
        )
        per_word.append(
            SearchWord.objects.filter(word__trigram_similar=term)
            .annotate(term=Value(term), similarity=TrigramSimilarity("word", term))
            .order_by("-similarity", "word")
            .values_list("term", "word", "similarity")[:FUZZY_ALTERNATIVES]
        )
    known, found = set(), {}
    for term, word, similarity in per_word[0].union(*per_word[1:], all=True):
        if similarity > 1:
            known.add(term)
        elif word != term:
            found.setdefault(term, []).append((similarity, word))
    return {
        term: [word for _, word in sorted(options, key=lambda o: (-o[0], o[1]))]
        for term, options in found.items()
        if term not in known
    }


def product_search_queryset(
    query: ProductQuery,
    codes: CodeMatches | None = None,
    alternatives: dict[str, list[str]] | None = None,
    *,
    terms: list[str] | None = None,
) -> QuerySet:
    """The ids of the active products matching ``query``, best first: the results query.
    ``codes`` are the SKU/EAN matches of the same text (``code_matches``), ranked first;
    ``alternatives`` widen mistyped words (``spelling_alternatives``); ``terms`` stand for
    the query's words (``_words_page``).

    Typed words are matched and ranked on the search entries alone, so the database sorts
    the matches there and reads no product row but the page's (``product_search``)."""
    codes = codes or CodeMatches()
    alternatives = alternatives or {}
    products = Product.objects.filter(is_active=True)
    if query.category is not None:
        products = products.filter(
            category__in=Category.objects.filter(path__startswith=query.category.path)
        )
    if query.brand is not None:
        products = products.filter(brand=query.brand)
    if query.price_min is not None:
        products = products.filter(list_price__gte=query.price_min)
    if query.price_max is not None:
        products = products.filter(list_price__lte=query.price_max)
    in_stock = None
    if query.in_stock_at is not None:
        in_stock = (
            StockLevel.objects.filter(store=query.in_stock_at)
            .in_stock()
            .values("variant__product_id")
        )
    if not query.has_text:
        if in_stock is not None:
            products = products.filter(pk__in=in_stock)
        return products.order_by("name", "pk").values_list("pk", flat=True)

    entries = ProductSearch.objects.all()
    if any(x is not None for x in (query.category, query.brand, query.price_min, query.price_max)):
        entries = entries.filter(product__in=products.values("pk"))
    if in_stock is not None:
        entries = entries.filter(product__in=in_stock)
    terms = query.terms if terms is None else terms
    # Each typed word (or failing that its best respelling) counts once if the name has a
    # word starting with it.
    name = Concat(Value(" "), "name")
    name_hits = sum(
        (
            Case(
                When(GreaterThan(StrIndex(name, Value(f" {word}")), 0), then=1),
                default=0,
                output_field=IntegerField(),
            )
            for word in ((alternatives.get(t) or [t])[0] for t in terms)
        ),
        start=Value(0),
    )
    exact_code = Case(
        When(product__in=list(codes.exact), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    by_code = Q(product__in=codes.product_ids) if codes.product_ids else Q()
    if connection.vendor == "postgresql":
        groups = []
        for term in terms:
            options = [f"'{term}':*", *(f"'{w}'" for w in alternatives.get(term, ()))]
            groups.append(f"({' | '.join(options)})" if len(options) > 1 else options[0])
        matches = Q(vector=SearchQuery(" & ".join(groups), search_type="raw", config="simple"))
    else:
        matches = Q()
        for term in terms:
            matches &= Q(document__contains=term)
    return (
        entries.filter(matches | by_code)
        .order_by(exact_code.desc(), name_hits.desc(), "name", "product")
        .values_list("product", flat=True)
    )


def product_search(
    query: ProductQuery, *, page: int = 1, page_size: int = PAGE_SIZE, store: Store | None = None
) -> SearchPage:
    """One page of results. Each product comes with ``brand``, ``category``,
    ``variant_list`` (its variants by SKU), ``matched_variant_id`` (the variant whose code
    was typed, else None) and ``available_here`` (units available in ``store``, None
    without a store). Three queries, a fourth for a code, two more when words had to be
    respelled."""
    if query.is_blank:
        return SearchPage(products=[], number=1, has_next=False)
    page = max(page, 1)
    codes = code_matches(query.text) if query.has_text else CodeMatches()
    if query.has_text and not query.has_filters and not codes.product_ids:
        ids, has_next = _words_page(query.terms, page, page_size)
    else:
        ids, has_next = _page(product_search_queryset(query, codes), page, page_size)
    respelled = False
    if not ids and query.has_text:
        alternatives = spelling_alternatives(query.terms)
        if alternatives:
            qs = product_search_queryset(query, codes, alternatives)
            ids, has_next = _page(qs, page, page_size)
            respelled = bool(ids)
    found = _products(ids, store)
    for product in found:
        product.matched_variant_id = codes.exact.get(product.pk)
    return SearchPage(products=found, number=page, has_next=has_next, respelled=respelled)


def _page(ids: QuerySet, page: int, page_size: int) -> tuple[list[int], bool]:
    offset = (page - 1) * page_size
    rows = list(ids[offset : offset + page_size + 1])
    return rows[:page_size], len(rows) > page_size


# The results query of words alone (no filter, no code matched) as SQL built once per
# process and number of words, from stand-ins for the words swapped for the typed ones
# when it runs (building and compiling it costs far more than running it).
_WORD_STAND_IN = re.compile("\ue000([0-9]+)\ue000")
_words_sql: dict[tuple, tuple[str, list]] = {}


def _words_page(terms: list[str], page: int, page_size: int) -> tuple[list[int], bool]:
    """``_page`` of ``product_search_queryset`` for these words and no filter."""
    if connection.vendor != "postgresql":
        return _page(product_search_queryset(ProductQuery(text=" ".join(terms))), page, page_size)
    key = (connection.alias, len(terms))
    if key not in _words_sql:
        stand_ins = [f"\ue000{i}\ue000" for i in range(len(terms))]
        qs = product_search_queryset(ProductQuery(text="stand-ins"), terms=stand_ins)
        sql, params = qs.query.sql_with_params()
        seen = {m for p in params if isinstance(p, str) for m in _WORD_STAND_IN.findall(p)}
        if seen != {str(i) for i in range(len(terms))}:
            raise AssertionError(f"The words query holds unexpected parameters: {params}")
        _words_sql[key] = (f"{sql} LIMIT %s OFFSET %s", list(params))
    sql, params = _words_sql[key]
    params = [
        _WORD_STAND_IN.sub(lambda m: terms[int(m.group(1))], p) if isinstance(p, str) else p
        for p in params
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, page_size + 1, (page - 1) * page_size])
        rows = [row[0] for row in cursor.fetchall()]
    return rows[:page_size], len(rows) > page_size


def _products(ids: list[int], store: Store | None) -> list[Product]:
    """These products, in this order, with brand, category, ``available_here`` and
    ``variant_list`` (their variants by SKU, each with its product): two queries from
    statements built once per process."""
    if not ids:
        return []
    now = timezone.now()
    if store is None:
        found = {p.pk: p for p in _search_rows(*ids, now)}
    else:
        found = {p.pk: p for p in _search_rows_here(store.pk, *ids, now)}
    products = [found[pk] for pk in ids if pk in found]
    variants: dict[int, list[Variant]] = {}
    for variant in _variants_of(*found):
        variants.setdefault(variant.product_id, []).append(variant)
    for product in products:
        product.variant_list = variants.get(product.pk, [])
        for variant in product.variant_list:
            variant.product = product
    return products


def _search_rows_query(store_id: int | None, *args) -> QuerySet:
    """The products of ``ids`` with brand, category, ``available_here`` in the store of
    ``store_id`` (None: no store) at ``at`` (``args``: the ids, then the moment) and the
    offers' version (``offers_version``, for their prices)."""
    *ids, at = args
    products = Product.objects.select_related("brand", "category").filter(pk__in=ids)
    return with_offers_version(with_available_here(products, store_id, at))


_search_rows = Prepared(partial(_search_rows_query, None))
_search_rows_here = Prepared(_search_rows_query)


def with_available_here(
    products: QuerySet, store: Store | int | None, at: datetime | None = None
) -> QuerySet:
    """Annotate ``available_here``: units of the product available (on hand less held) in
    ``store`` (or the store of that id) across its variants, at ``at`` (default now); None
    without a store."""
    if store is None:
        return products.annotate(available_here=Value(None, output_field=IntegerField()))
    stock = (
        StockLevel.objects.filter(variant__product=OuterRef("pk"), store=store)
        .with_available(at)
        .order_by()
        .values("store")
        .annotate(units=Sum("available"))
        .values("units")
    )
    return products.annotate(available_here=Coalesce(Subquery(stock), 0))


# What the filters list, kept per process with a digest of what it was read from.
_CHOICES_DIGEST_SQL = """
SELECT md5(concat(
    (SELECT string_agg(ROW(id, parent_id, path, name)::text, ',' ORDER BY id)
     FROM catalog_category),
    '|',
    (SELECT string_agg(ROW(id, name)::text, ',' ORDER BY id) FROM catalog_brand)
))
"""
_choices: tuple[str, list[Category], list[Brand]] | None = None


def search_filter_choices() -> tuple[list[Category], list[Brand]]:
    """The category tree (in path order, with ``depth`` and ``trail``) and the brands, for
    the filters. Categories and brands rarely change: each process keeps them with a digest
    of their rows, read in one query; they are read again (two) when it differs. Treat what
    it returns as read-only: every request of the process shares it."""
    global _choices
    digest = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_CHOICES_DIGEST_SQL)
            digest = cursor.fetchone()[0]
        kept = _choices
        if kept is not None and kept[0] == digest:
            return kept[1], kept[2]
    categories = list(Category.objects.order_by("path").only("pk", "name", "path", "parent_id"))
    names = {c.pk: c.name for c in categories}
    for c in categories:
        ancestors = [int(x) for x in c.path.strip("/").split("/") if x]
        c.depth = max(len(ancestors) - 1, 0)
        c.trail = " › ".join(names.get(x, "") for x in ancestors)
    _sort_as_tree(categories)
    brands = list(Brand.objects.order_by("name").only("pk", "name"))
    if digest is not None:
        _choices = (digest, categories, brands)
    return categories, brands


def _sort_as_tree(categories: list[Category]) -> None:
    """Paths sort by id, not by name: order siblings by name, parents before children."""
    by_id = {c.pk: c for c in categories}

    def key(c: Category):
        return [by_id[int(x)].name.casefold() for x in c.path.strip("/").split("/") if x]

    categories.sort(key=key)


# --- Scan --------------------------------------------------------------------------------


def variant_for_code(code: str) -> Variant | None:
    """The variant with this EAN (UPC-A too) or SKU, exactly (one query)."""
    code = code.strip()
    if not code or len(code) > 40:
        return None
    condition = Q(sku=code) | Q(sku=code.upper())
    if code.isdigit():
        condition |= Q(ean=code)
        if len(code) == 12:  # a UPC-A is an EAN-13 with a leading zero
            condition |= Q(ean="0" + code)
    return Variant.objects.filter(condition).select_related("product__brand").order_by("pk").first()


# --- Product page ------------------------------------------------------------------------


def _characteristics_prefetch() -> Prefetch:
    return Prefetch(
        "characteristics",
        queryset=ProductCharacteristic.objects.select_related("characteristic").order_by(
            "characteristic__position", "characteristic__code"
        ),
    )


def _with_ratings(qs: QuerySet) -> QuerySet:
    reviews = Review.objects.filter(product=OuterRef("pk")).order_by().values("product")
    return qs.annotate(
        rating_average=Subquery(reviews.annotate(a=Avg("rating")).values("a")),
        rating_count=Coalesce(Subquery(reviews.annotate(n=Count("pk")).values("n")), 0),
    )


# The product page's reads, from statements built once per process.
_product = Prepared(
    lambda pk: with_offers_version(
        _with_ratings(Product.objects.select_related("brand", "category")).filter(pk=pk)
    )
)
_variants = Prepared(lambda product_id: Variant.objects.filter(product=product_id).order_by("sku"))
_characteristics = Prepared(
    lambda product_id: _characteristics_prefetch().queryset.filter(product=product_id)
)
_categories = Prepared(lambda *ids: Category.objects.filter(pk__in=ids))
_latest_reviews = Prepared(
    lambda product_id: Review.objects.filter(product=product_id).order_by("-reviewed_on", "-pk")[:3]
)


def product_detail(*, product_id: int, store: Store | None) -> Product | None:
    """A product for its page, in five queries: brand, category, ``category_trail`` (root
    first), ``characteristics`` with their definitions, ``variants`` each with
    ``available_here`` (units available in ``store``, read with them; absent without a
    store), ``rating_average``, ``rating_count`` and ``latest_reviews``."""
    product = _product.first(product_id)
    if product is None:
        return None
    if store is None:
        variants = _variants(product.pk)
    else:
        variants = _variants_here(product.pk, store.pk, timezone.now())
        for variant in variants:
            variant.available_here = int(variant.available_here)
    prefetched(product, "variants", variants)
    prefetched(product, "characteristics", _characteristics(product.pk))
    ancestor_ids = [int(x) for x in product.category.path.strip("/").split("/") if x]
    trail = {c.pk: c for c in _categories(*ancestor_ids)}
    product.category_trail = [trail[i] for i in ancestor_ids if i in trail] or [product.category]
    product.latest_reviews = _latest_reviews(product.pk)
    return product


# --- Comparison --------------------------------------------------------------------------


@dataclass
class ComparisonRow:
    characteristic: Characteristic
    values: list[ProductCharacteristic | None]
    shared: bool
    differs: bool


@dataclass
class Comparison:
    products: list[Product]
    rows: list[ComparisonRow]

    @property
    def categories_differ(self) -> bool:
        return len({p.category_id for p in self.products}) > 1

    @property
    def shared_count(self) -> int:
        return sum(row.shared for row in self.rows)


def products_for_comparison(product_ids: list[int], store: Store | None) -> list[Product]:
    """These products, in this order (missing ones left out), with characteristics,
    ``variant_list`` (their variants by SKU), ratings and ``available_here`` (three
    queries)."""
    if not product_ids:
        return []
    qs = _with_ratings(Product.objects.select_related("brand", "category")).prefetch_related(
        _characteristics_prefetch(),
        Prefetch("variants", queryset=Variant.objects.order_by("sku"), to_attr="variant_list"),
    )
    found = with_available_here(qs, store).in_bulk(product_ids)
    return [found[pk] for pk in product_ids if pk in found]


def comparison(products: list[Product]) -> Comparison:
    """One row per characteristic any of the products has: the ones they all share first,
    each group in the characteristics' own order. Values are compared in their canonical
    unit, so 55 and 55.000 are the same value."""
    by_product = [
        {value.characteristic_id: value for value in p.characteristics.all()} for p in products
    ]
    characteristics: dict[int, Characteristic] = {}
    for values in by_product:
        for value in values.values():
            characteristics.setdefault(value.characteristic_id, value.characteristic)
    rows = []
    for cid, characteristic in characteristics.items():
        cells = [values.get(cid) for values in by_product]
        distinct = {None if cell is None else cell.value for cell in cells}
        rows.append(
            ComparisonRow(
                characteristic=characteristic,
                values=cells,
                shared=all(cell is not None for cell in cells),
                differs=len(distinct) > 1,
            )
        )
    rows.sort(key=lambda r: (not r.shared, r.characteristic.position, r.characteristic.code))
    return Comparison(products=products, rows=rows)


# --- Shelf labels ------------------------------------------------------------------------


def label_variants(
    *,
    category: Category | None = None,
    brand: Brand | None = None,
    codes: list[str] | None = None,
    offset: int = 0,
    limit: int,
) -> tuple[list[Variant], list[str], bool]:
    """The variants to label: those of the listed codes (SKU or EAN), or one per active
    product of the category (sub-categories included) and brand, by name. Returns the
    slice ``offset:offset+limit`` (each variant with its product and brand), the codes not
    found, and whether more follow. Two queries."""
    if codes:
        keys = {c.upper() for c in codes}
        found = {}
        variants = Variant.objects.filter(Q(sku__in=keys | set(codes)) | Q(ean__in=keys))
        for v in variants.select_related("product__brand", "product__category"):
            found[v.sku.upper()] = found[v.ean] = v
        unknown = [c for c in codes if c.upper() not in found]
        picked = list({found[k].pk: found[k] for c in codes if (k := c.upper()) in found}.values())
        return picked[offset : offset + limit], unknown, len(picked) > offset + limit
    qs = Product.objects.filter(is_active=True).select_related("brand", "category")
    if category is not None:
        qs = qs.filter(category__in=Category.objects.filter(path__startswith=category.path))
    if brand is not None:
        qs = qs.filter(brand=brand)
    products = list(
        qs.order_by("name", "pk").prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("sku"))
        )[offset : offset + limit + 1]
    )
    picked = []
    for product in products[:limit]:
        variants = product.variants.all()
        if variants:
            variant = variants[0]
            variant.product = product
            picked.append(variant)
    return picked, [], len(products) > limit


# --- Photos ------------------------------------------------------------------------------


def _images_query(*ids: int) -> QuerySet:
    return ProductImage.objects.filter(product_id__in=ids).order_by("product_id", "colour", "pk")


_images_of = Prepared(_images_query)
# Each product's first image in that order, the one ``photos_attach`` gives a product
# (PostgreSQL's DISTINCT ON).
_first_images_of = Prepared(lambda *ids: _images_query(*ids).distinct("product_id"))


def photos_attach(products: list[Product], variants: list[Variant] = ()) -> None:
    """Give each product its ``photo`` (its main image, else any) and each variant its
    ``photo`` (its colour's, else its product's): one query for any number of them (only
    the products' photos when no variant needs one of its colour)."""
    product_ids = sorted({p.pk for p in products} | {v.product_id for v in variants})
    found: dict[int, dict[str, ProductImage]] = {}
    read = _first_images_of if not variants and connection.vendor == "postgresql" else _images_of
    for image in read(*product_ids) if product_ids else ():
        found.setdefault(image.product_id, {})[image.colour] = image
    for product in products:
        images = found.get(product.pk, {})
        product.photo = images.get("") or next(iter(images.values()), None)
    for variant in variants:
        images = found.get(variant.product_id, {})
        variant.photo = (
            images.get(variant.colour) or images.get("") or next(iter(images.values()), None)
        )


# --- Complements ---------------------------------------------------------------------------

COMPLEMENTS_SHOWN = 6


def _links_query(own: int, *ids: int) -> QuerySet:
    """The complement links of the first ``own`` of ``ids`` (products) and of the others
    (their categories), leaving out links to those products themselves."""
    own_ids, category_ids = ids[:own], ids[own:]
    return (
        Complement.objects.filter(Q(product_id__in=own_ids) | Q(category_id__in=category_ids))
        .filter(complement__is_active=True)
        .exclude(complement_id__in=own_ids)
        .values_list("product_id", "category_id", "complement_id", "position", "pk")
    )


_links_by_own: dict[int, Prepared] = {}


def _links(own: int) -> Prepared:
    if own not in _links_by_own:
        _links_by_own[own] = Prepared(partial(_links_query, own))
    return _links_by_own[own]


_variants_of = Prepared(lambda *ids: Variant.objects.filter(product__in=ids).order_by("sku"))


def complements_for(
    products: list[Product],
    *,
    store: Store | None,
    limit: int = COMPLEMENTS_SHOWN,
    photos: bool = True,
) -> list[Product]:
    """The active complements of these products, in order: those listed for the products
    themselves (in the products' order, each by position), then those listed for their
    categories, the nearest category first (a TV's own category before "High-tech"), each
    by position; none twice, none of ``products`` themselves. Each comes with brand,
    ``available_here`` (units available in ``store``; None without one), ``stores_with_stock``
    (selling stores where some unit is available), its first variant ``shown_variant``
    and ``photo`` (unless ``photos`` is false: the caller reads them with others'). Three
    queries whatever the number of links (four with the photos; none without products)."""
    if not products:
        return []
    own_ids = [p.pk for p in products]
    depth: dict[int, tuple[int, int]] = {}  # category id -> (product rank, distance)
    for rank, product in enumerate(products):
        path = [int(x) for x in product.category.path.strip("/").split("/") if x]
        for distance, category_id in enumerate(reversed(path)):
            depth.setdefault(category_id, (rank, distance))
    links = _links(len(own_ids))(*own_ids, *depth)

    def order(link):
        product_id, category_id, _complement, position, pk = link
        if product_id is not None:
            return (0, own_ids.index(product_id), 0, position, pk)
        rank, distance = depth[category_id]
        return (1, distance, rank, position, pk)

    chosen: list[int] = []
    for link in sorted(links, key=order):
        if link[2] not in chosen:
            chosen.append(link[2])
        if len(chosen) == limit:
            break
    if not chosen:
        return []
    now = timezone.now()
    if store is None:
        found = {p.pk: p for p in _complement_rows(*chosen, now)}
    else:
        found = {p.pk: p for p in _complement_rows_here(store.pk, *chosen, now)}
    variants_of: dict[int, list[Variant]] = {pk: [] for pk in found}
    for variant in _variants_of(*found):
        variants_of[variant.product_id].append(variant)
    for pk, product in found.items():
        prefetched(product, "variants", variants_of[pk])
    result = []
    for pk in chosen:
        if pk in found:
            product = found[pk]
            product.stores_with_stock = int(product.stores_with_stock)
            if product.available_here is not None:
                product.available_here = int(product.available_here)
            result.append(product)
    for product in result:
        variants = list(product.variants.all())
        product.shown_variant = variants[0] if variants else None
        if variants:
            variants[0].product = product
    if photos:
        photos_attach(result)
    return result


def _complement_rows_query(store_id: int | None, *args) -> QuerySet:
    """The products of ``ids`` with brand, category, ``stores_with_stock`` (selling stores
    where some unit is available) and ``available_here`` in the store of ``store_id``
    (None: no store) at ``at`` (``args``: the ids, then the moment)."""
    *ids, at = args
    stores = (
        StockLevel.objects.filter(
            variant__product=OuterRef("pk"), store__is_active=True, store__is_warehouse=False
        )
        .in_stock(at)
        .order_by()
        .values("variant__product")
        .annotate(n=Count("store", distinct=True))
        .values("n")
    )
    products = (
        Product.objects.select_related("brand", "category")
        .filter(pk__in=ids)
        .annotate(stores_with_stock=Coalesce(Subquery(stores), 0))
    )
    return with_available_here(products, store_id, at)


# Statements built once per process (building and compiling their subqueries costs several
# times running them).
_complement_rows = Prepared(partial(_complement_rows_query, None))
_complement_rows_here = Prepared(_complement_rows_query)


def _variants_here_query(product_id: int, store_id: int, at: datetime) -> QuerySet:
    """The product's variants by SKU, each with ``available_here``: its units available in
    the store of ``store_id`` at ``at`` (0 without a stock row there)."""
    units = (
        StockLevel.objects.filter(store_id=store_id, variant=OuterRef("pk"))
        .with_available(at)
        .values("available")
    )
    return (
        Variant.objects.filter(product=product_id)
        .order_by("sku")
        .annotate(available_here=Coalesce(Subquery(units), 0))
    )


_variants_here = Prepared(_variants_here_query)


# --- Pages a client opens (no staff data) -------------------------------------------------


@dataclass
class StoreStock:
    store: Store
    units: int

    @property
    def few(self) -> bool:
        return self.units <= 2


def public_product(*, product_id: int) -> Product | None:
    """An active product for the page a client opens: as ``product_detail`` without a
    store, None when it is not on sale (any more)."""
    product = product_detail(product_id=product_id, store=None)
    if product is None or not product.is_active:
        return None
    return product


def stores_with_stock(variant_ids: list[int]) -> list[StoreStock]:
    """The selling stores where some of these variants are available, most units first
    (one query, availability as ``StockLevel.objects.with_available`` says)."""
    if not variant_ids:
        return []
    rows = (
        StockLevel.objects.filter(
            variant_id__in=variant_ids, store__is_active=True, store__is_warehouse=False
        )
        .with_available()
        .filter(available__gt=0)
        .select_related("store")
    )
    units: dict[int, StoreStock] = {}
    for row in rows:
        entry = units.setdefault(row.store_id, StoreStock(row.store, 0))
        entry.units += row.available
    return sorted(units.values(), key=lambda s: (-s.units, s.store.name))
