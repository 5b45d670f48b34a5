from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def validate_ean13(value: str) -> None:
    """An EAN-13 is 13 digits whose last one is the GS1 check digit."""
    if len(value) != 13 or not value.isdigit():
        raise ValidationError(_("An EAN-13 has exactly 13 digits."), code="ean_length")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(value[:12]))
    if (10 - total % 10) % 10 != int(value[12]):
        raise ValidationError(_("The EAN-13 check digit is wrong."), code="ean_checksum")


def ean13_check_digit(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


class Store(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    opening_hours = models.JSONField(
        _("opening hours"),
        default=dict,
        blank=True,
        help_text=_('Per weekday, e.g. {"mon": "10:00-19:30", "sun": ""} (empty: closed).'),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_warehouse = models.BooleanField(_("warehouse"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="store_coordinates_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the category tree; ``path`` lists the ids from the root, e.g. ``/1/4/9/``."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path is derived from the parent's; keep it in step on every save.
        super().save(*args, **kwargs)
        prefix = self.parent.path if self.parent_id else "/"
        path = f"{prefix}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            Category.objects.filter(pk=self.pk).update(path=path)
            if old:
                for child in Category.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.path = path + child.path[len(old) :]
                    Category.objects.filter(pk=child.pk).update(path=child.path)

    def clean(self) -> None:
        if self.pk and self.parent_id:
            node = self.parent
            while node is not None:
                if node.pk == self.pk:
                    raise ValidationError({"parent": _("A category cannot be its own ancestor.")})
                node = node.parent

    def subtree_ids(self) -> models.QuerySet:
        return Category.objects.filter(path__startswith=self.path).values("pk")


class Characteristic(models.Model):
    """A comparable property (screen size, weight, energy class), one canonical unit."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("number")
        TEXT = "text", _("text")
        BOOLEAN = "boolean", _("yes/no")
        GRADE = "grade", _("grade (A best)")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("Canonical unit, e.g. in, kg, W, h.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr


class Product(models.Model):
    name = models.CharField(_("name"), max_length=200)
    brand = models.ForeignKey(
        Brand, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    description = models.TextField(_("description"), blank=True)
    country_of_origin = models.CharField(
        _("country of origin"), max_length=2, help_text=_("ISO 3166 code, e.g. FR.")
    )
    list_price = models.DecimalField(
        _("list price (EUR)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_price_positive")
        ]

    def __str__(self) -> str:
        return self.name


class ProductCharacteristic(models.Model):
    """One typed value; numbers are stored in the characteristic's canonical unit."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="characteristics")
    characteristic = models.ForeignKey(
        Characteristic,
        verbose_name=_("characteristic"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    value_number = models.DecimalField(
        _("number"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    value_text = models.CharField(_("text"), max_length=200, blank=True)
    value_bool = models.BooleanField(_("yes/no"), null=True, blank=True)

    class Meta:
        verbose_name = _("characteristic value")
        verbose_name_plural = _("characteristic values")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "characteristic"], name="one_value_per_characteristic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.characteristic}: {self.value}"

    @property
    def value(self):
        kind = self.characteristic.kind
        if kind == Characteristic.Kind.NUMBER:
            return self.value_number
        if kind == Characteristic.Kind.BOOLEAN:
            return self.value_bool
        return self.value_text

    def clean(self) -> None:
        kind = self.characteristic.kind
        if kind == Characteristic.Kind.NUMBER and self.value_number is None:
            raise ValidationError({"value_number": _("A number is required.")})
        if kind == Characteristic.Kind.BOOLEAN and self.value_bool is None:
            raise ValidationError({"value_bool": _("Yes or no is required.")})
        if kind in (Characteristic.Kind.TEXT, Characteristic.Kind.GRADE) and not self.value_text:
            raise ValidationError({"value_text": _("A value is required.")})


class Variant(models.Model):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="variants"
    )
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    ean = models.CharField(_("EAN-13"), max_length=13, unique=True, validators=[validate_ean13])
    size = models.CharField(_("size"), max_length=20, blank=True)
    colour = models.CharField(_("colour"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["product_id", "sku"]

    def __str__(self) -> str:
        extra = " ".join(x for x in (self.size, self.colour) if x)
        return f"{self.product.name} {extra}".strip() if extra else self.product.name


class ProductSearch(models.Model):
    """What product search matches an active product on, folded by ``catalog.text.fold``:
    its name, brand, category path, characteristic values, variant colours and sizes.

    Derived data, rebuilt by ``catalog.services.product_search_refresh``: one row per active
    product (a product leaves search when it is deactivated). On PostgreSQL ``vector`` holds
    the document's full-text vector, GIN-indexed (migration 0003); SQLite leaves it empty
    and searches the document itself.
    """

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    name = models.TextField()
    document = models.TextField()
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return self.name


class SearchWord(models.Model):
    """The words of the search documents, for spelling tolerance: a mistyped word is
    matched to its nearest known words (trigram index on PostgreSQL, migration 0003)."""

    word = models.CharField(max_length=60, primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word


class Review(models.Model):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    text = models.TextField(_("text"), blank=True)
    author_name = models.CharField(_("author"), max_length=80, blank=True)
    reviewed_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-reviewed_on", "-pk"]
        indexes = [models.Index(fields=["product", "-reviewed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} ★{self.rating}"


def product_image_storage():
    """Product images are public: their own storage (``STORAGES["product_images"]``), a
    folder on disk or a bucket, never the private files' storage."""
    return storages["product_images"]


def _image_path(image: "ProductImage", filename: str) -> str:
    return f"products/{image.product_id}/{filename}"


class ProductImage(models.Model):
    """A photo of a product: its main one (no colour) or the one of its variants in a
    colour. Uploads go through ``catalog.images`` (checked, re-encoded, thumbnailed)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images"
    )
    colour = models.CharField(
        _("colour"),
        max_length=40,
        blank=True,
        help_text=_(
            "Empty: the product's main photo. Else the photo of its variants of this colour."
        ),
    )
    image = models.ImageField(
        _("image"), storage=product_image_storage, upload_to=_image_path, max_length=200
    )
    thumbnail = models.ImageField(
        _("thumbnail"),
        storage=product_image_storage,
        upload_to=_image_path,
        max_length=200,
        editable=False,
        blank=True,
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["product_id", "colour"]
        constraints = [
            models.UniqueConstraint(fields=["product", "colour"], name="one_image_per_colour")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.colour}".strip()

    @property
    def thumbnail_url(self) -> str:
        return (self.thumbnail or self.image).url


class Complement(models.Model):
    """A product to offer beside another: listed for one product, or for every product of
    a category (its sub-categories included), e.g. TVs → wall mounts, cables, soundbars.
    ``products.selectors.complements_for`` orders them: the product's own first, then its
    category's from the nearest up, each by position."""

    product = models.ForeignKey(
        Product,
        verbose_name=_("for the product"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="complement_links",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("for the category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="complement_links",
    )
    complement = models.ForeignKey(
        Product,
        verbose_name=_("complement"),
        on_delete=models.CASCADE,
        related_name="complement_of",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        verbose_name = _("complementary product")
        verbose_name_plural = _("complementary products")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=True, category__isnull=False)
                | Q(product__isnull=False, category__isnull=True),
                name="complement_for_product_or_category",
            ),
            models.CheckConstraint(
                condition=~Q(product=F("complement")), name="complement_not_itself"
            ),
            models.UniqueConstraint(
                fields=["product", "complement"], name="complement_once_per_product"
            ),
            models.UniqueConstraint(
                fields=["category", "complement"], name="complement_once_per_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product or self.category} → {self.complement}"

    def clean(self) -> None:
        if bool(self.product_id) == bool(self.category_id):
            raise ValidationError(_("Choose either a product or a category, not both."))
        if self.product_id and self.product_id == self.complement_id:
            raise ValidationError({"complement": _("A product cannot complement itself.")})
