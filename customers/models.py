from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Func, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Brand, Category, Product, Store, Variant


class Channel(models.TextChoices):
    WEB = "web", _("web")
    APP = "app", _("app")
    STORE = "store", _("store")


class EmailSHA256(Func):
    """Hex SHA-256 of the lower-cased email, NULL when there is none: how the app and the
    in-store wifi name a shopper without sending the address itself."""

    template = "CASE WHEN %(expressions)s = '' THEN NULL ELSE SHA256(LOWER(%(expressions)s)) END"
    output_field = models.CharField(max_length=64)

    def as_postgresql(self, compiler, connection, **extra_context):
        # Backslashes are doubled so the text-to-bytea cast keeps every byte as it is.
        template = (
            "CASE WHEN %(expressions)s = '' THEN NULL ELSE "
            "ENCODE(SHA256(REPLACE(LOWER(%(expressions)s), '\\', '\\\\')::bytea), 'hex') END"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


class CustomerQuerySet(models.QuerySet):
    def active(self):
        """Customers who are still people: an erased customer is an anonymous tombstone
        kept only so that its orders, purchases and figures stay true."""
        return self.filter(erased_at__isnull=True)


class Customer(models.Model):
    """A shopper. After erasure (``privacy.services.customer_erase``) the row stays as an
    anonymous tombstone: personal fields blank, a random loyalty number, ``erased_at`` set;
    search, recognition, offers and the floor never see it (``Customer.objects.active()``)."""

    class Tier(models.TextChoices):
        MEMBER = "member", _("Member")
        SILVER = "silver", _("Silver")
        GOLD = "gold", _("Gold")
        PLATINUM = "platinum", _("Platinum")

    VIP_TIERS = (Tier.GOLD, Tier.PLATINUM)

    loyalty_number = models.CharField(_("loyalty number"), max_length=20, unique=True)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, db_index=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    tier = models.CharField(_("loyalty tier"), max_length=10, choices=Tier, default=Tier.MEMBER)
    home_store = models.ForeignKey(
        Store,
        verbose_name=_("home store"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    email_sha256 = models.GeneratedField(
        expression=EmailSHA256("email"),
        output_field=models.CharField(max_length=64, null=True),
        db_persist=True,
        verbose_name=_("email SHA-256"),
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["email_sha256"], name="customer_email_sha256"),
        ]

    def __str__(self) -> str:
        if self.erased_at is not None:
            return str(_("Erased client #%(id)s") % {"id": self.pk})
        return f"{self.first_name} {self.last_name}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def is_vip(self) -> bool:
        return self.tier in self.VIP_TIERS


class ConsentLedgerError(Exception):
    """A consent row was about to be edited or deleted: the ledger only grows."""


class ConsentQuerySet(models.QuerySet):
    def for_purpose(self, purpose: str, at: datetime | None = None):
        """Grants and withdrawals for ``purpose`` recorded by ``at`` (default now), latest
        first: per customer, the first one is the consent in force."""
        at = at or timezone.now()
        return self.filter(purpose=purpose, recorded_at__lte=at).order_by("-recorded_at", "-pk")

    def in_force(self, purpose: str, at: datetime | None = None) -> bool:
        """Whether the consent in force for ``purpose`` at ``at`` among these rows (one
        customer's) is a grant. No record at all is no consent."""
        return bool(self.for_purpose(purpose, at).values_list("granted", flat=True).first())

    def granted_subquery(self, purpose: str, at: datetime | None = None) -> Subquery:
        """The same answer per row of an outer customer query (``OuterRef("pk")``)."""
        latest = self.filter(customer=OuterRef("pk")).for_purpose(purpose, at)
        return Subquery(latest.values("granted")[:1])

    def update(self, **kwargs):
        raise ConsentLedgerError("Consents are never edited: record a new grant or withdrawal.")

    def delete(self):
        raise ConsentLedgerError("Consents are never deleted: record a withdrawal.")


class Consent(models.Model):
    """One grant or withdrawal, never edited nor deleted (a ledger); the latest per
    (customer, purpose) is in force. ``customers.services.consent_record`` is the one
    writer. The model refuses to save an existing row or delete one, and on PostgreSQL a
    trigger refuses UPDATE and DELETE too (migration ``0006``), except what deleting a
    staff member or a store does (their link becomes empty) and the removal of a
    customer's whole record."""

    class Purpose(models.TextChoices):
        IN_STORE_RECOGNITION = "recognition", _("In-store recognition")
        MARKETING_EMAIL = "marketing_email", _("Marketing email")
        MARKETING_SMS = "marketing_sms", _("Marketing text messages")
        PERSONALISED_OFFERS = "personalised_offers", _("Personalised offers")

    class Source(models.TextChoices):
        STORE = "store", _("at the counter")
        SHOPPER_PAGE = "shopper_page", _("shopper's privacy page")
        WEB = "web", _("website")
        APP = "app", _("mobile app")
        SUPPORT = "support", _("customer service")
        IMPORT = "import", _("import")

    class Actor(models.TextChoices):
        STAFF = "staff", _("a staff member")
        SHOPPER = "shopper", _("the shopper")
        SYSTEM = "system", _("a system (import)")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=20, choices=Source)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel, blank=True, db_default=""
    )
    actor = models.CharField(
        _("recorded by whom"), max_length=10, choices=Actor, db_default=Actor.STAFF
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    wording_version = models.CharField(
        _("wording version"),
        max_length=20,
        blank=True,
        db_default="",
        help_text=_("The version of the words shown or read to the shopper (empty: unknown)."),
    )
    language = models.CharField(
        _("language of the wording"), max_length=5, blank=True, db_default=""
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["customer", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        state = _("granted") if self.granted else _("withdrawn")
        return f"{self.get_purpose_display()}: {state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ConsentLedgerError("Consents are never edited: record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ConsentLedgerError("Consents are never deleted: record a withdrawal.")

    @property
    def wording(self):
        from .consent_texts import wording_for

        return wording_for(self.purpose, self.wording_version)


class Preference(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="preference")
    colours = models.JSONField(_("colours"), default=list, blank=True)
    brands = models.ManyToManyField(Brand, verbose_name=_("brands"), blank=True, related_name="+")
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return str(_("Preferences of %(customer)s") % {"customer": self.customer})


class SizePreference(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="size_preferences"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    size = models.CharField(_("size"), max_length=20)

    class Meta:
        verbose_name = _("size preference")
        verbose_name_plural = _("size preferences")
        constraints = [
            models.UniqueConstraint(fields=["customer", "category"], name="one_size_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.size}"


class WishlistItem(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="wishlist"
    )
    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    added_at = models.DateTimeField(_("added"))

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "variant"], name="wishlist_once")
        ]

    def __str__(self) -> str:
        return str(self.variant)


class Purchase(models.Model):
    """An order from any channel: web, app or a store till."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="purchases"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    purchased_at = models.DateTimeField(_("date"))
    total = models.DecimalField(_("total (EUR)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-purchased_at"]
        indexes = [models.Index(fields=["customer", "-purchased_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="store") | Q(store__isnull=False),
                name="store_purchase_has_store",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class PurchaseLine(models.Model):
    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant,
        verbose_name=_("variant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    product_name = models.CharField(_("product"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    line_total = models.DecimalField(_("line total"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("purchase line")
        verbose_name_plural = _("purchase lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"


class Interaction(models.Model):
    """An online signal: a product viewed, saved, left in a cart."""

    class Kind(models.TextChoices):
        VIEWED = "viewed", _("viewed")
        WISHLISTED = "wishlisted", _("added to wishlist")
        SAVED = "saved", _("saved for later")
        CART_ABANDONED = "cart_abandoned", _("left in cart")
        ORDERED = "ordered", _("ordered online")

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    occurred_at = models.DateTimeField(_("when"))
    event_id = models.CharField(_("event id"), max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("online interaction")
        verbose_name_plural = _("online interactions")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["customer", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.product}"


class Note(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("text"), max_length=2000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            # The manager's dashboard counts a store's notes per day.
            models.Index(fields=["store", "created_at"], name="notes_by_store_day"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class AppDevice(models.Model):
    """A phone with the brand's app, signed in as this customer: the app's geofence
    reports its device id, and this link says whose it is."""

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="app_devices"
    )
    device_id = models.CharField(_("device id"), max_length=100, unique=True)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("app device")
        verbose_name_plural = _("app devices")
        ordering = ["-linked_at"]

    def __str__(self) -> str:
        return self.label or self.device_id


class CardView(models.Model):
    """The access log: every read of a client's personal data (contact details, history),
    by whom, when, from which store and why (privacy audit, read in admin). One row per
    client shown: a page of search results writes one row per client listed."""

    class Reason(models.TextChoices):
        CARD = "card", _("customer card")
        HISTORY = "history", _("purchase history page")
        SEARCH = "search", _("search results")
        ORDER_FORM = "order_form", _("order form")
        OPEN_ORDERS = "open_orders", _("open orders")
        ORDER = "order", _("order page")
        EXPORT = "export", _("export")

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("from store"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("why"), max_length=20, choices=Reason, default=Reason.CARD)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("access to client data")
        verbose_name_plural = _("access log (client data)")
        ordering = ["-viewed_at"]
        indexes = [
            models.Index(fields=["customer", "-viewed_at"]),
            models.Index(fields=["viewer", "-viewed_at"], name="cardview_viewer_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.customer} ({self.viewed_at:%Y-%m-%d %H:%M})"


class PrivacyCode(models.Model):
    """A one-time code emailed to a shopper who opens their privacy page. Only a keyed
    hash of the code is kept, and of the email only its SHA-256 (as ``Customer`` has it)."""

    email_sha256 = models.CharField(_("email SHA-256"), max_length=64, db_index=True)
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy page code")
        verbose_name_plural = _("privacy page codes")

    def __str__(self) -> str:
        return f"{self.email_sha256[:8]}… ({self.created_at:%Y-%m-%d %H:%M})"


class PrivacyRequest(models.Model):
    """A shopper's request for a copy of their data or for its erasure, for head office
    to fulfil."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("copy of my data (export)")
        ERASURE = "erasure", _("erasure")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="privacy_requests",
    )
    kind = models.CharField(_("request"), max_length=10, choices=Kind)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.RECEIVED)
    source = models.CharField(
        _("source"), max_length=20, choices=Consent.Source, default=Consent.Source.SHOPPER_PAGE
    )
    requested_at = models.DateTimeField(_("requested"))
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.customer} ({self.get_status_display()})"


class BulkReadFlag(models.Model):
    """One staff member read more distinct clients than anyone serving the floor would
    (``ACCESS_BULK_READ_CLIENTS`` within ``ACCESS_BULK_READ_MINUTES``): shown on the
    manager's board of the store and in admin, at most once per window and person."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("from store"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)
    clients = models.PositiveIntegerField(_("distinct clients read"))
    minutes = models.PositiveIntegerField(_("within (minutes)"))

    class Meta:
        verbose_name = _("bulk read of client data")
        verbose_name_plural = _("bulk reads of client data")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["viewer", "-raised_at"], name="bulkread_viewer_recent")]

    def __str__(self) -> str:
        return f"{self.viewer}: {self.clients} ({self.raised_at:%Y-%m-%d %H:%M})"
