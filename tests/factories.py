"""Test factories: one per model, with believable defaults."""

import io
import time
from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

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
    AppDevice,
    Consent,
    Customer,
    Interaction,
    Note,
    Purchase,
    PurchaseLine,
    WishlistItem,
)
from floor.models import Visit
from integrations.models import WebhookSource
from inventory.models import StockLevel
from offers.models import Offer
from staff.models import StaffProfile

PASSWORD = "correct-horse-battery-staple"


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Magasin {n}")
    address = "1 rue de la Paix"
    postcode = "75002"
    city = "Paris"
    latitude = 48.8686
    longitude = 2.3314
    opening_hours = factory.LazyFunction(lambda: {"mon": "10:00-19:30", "sun": ""})


class WarehouseFactory(StoreFactory):
    code = factory.Sequence(lambda n: f"wh-{n}")
    name = factory.Sequence(lambda n: f"Entrepôt {n}")
    is_warehouse = True


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Marque {n}")
    slug = factory.Sequence(lambda n: f"marque-{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Catégorie {n}")
    slug = factory.Sequence(lambda n: f"categorie-{n}")
    parent = None


class CharacteristicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Characteristic
        django_get_or_create = ["code"]

    code = "screen_size"
    name_fr = "Taille d'écran"
    name_en = "Screen size"
    kind = Characteristic.Kind.NUMBER
    unit = "in"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Téléviseur OLED {n}")
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    description = "Un produit de démonstration."
    country_of_origin = "FR"
    list_price = Decimal("499.00")


class ProductCharacteristicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCharacteristic

    product = factory.SubFactory(ProductFactory)
    characteristic = factory.SubFactory(CharacteristicFactory)
    value_number = Decimal("55")


def _ean(n: int) -> str:
    first12 = f"376{n:09d}"
    return first12 + ean13_check_digit(first12)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    ean = factory.Sequence(_ean)
    size = ""
    colour = "noir"


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    store = factory.SubFactory(StoreFactory)
    variant = factory.SubFactory(VariantFactory)
    on_hand = 5
    reserved = 0


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    rating = 4
    title = "Très bien"
    text = "Conforme à la description."
    author_name = "Claire"
    reviewed_on = factory.LazyFunction(lambda: timezone.localdate())


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    loyalty_number = factory.Sequence(lambda n: f"FID{n:09d}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.LazyAttribute(lambda o: f"{o.loyalty_number.lower()}@example.fr")
    phone = "+33 6 12 34 56 78"
    tier = Customer.Tier.MEMBER


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    purpose = Consent.Purpose.IN_STORE_RECOGNITION
    granted = True
    source = Consent.Source.APP
    recorded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))


class WishlistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WishlistItem

    customer = factory.SubFactory(CustomerFactory)
    variant = factory.SubFactory(VariantFactory)
    channel = "web"
    added_at = factory.LazyFunction(timezone.now)


class PurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purchase

    customer = factory.SubFactory(CustomerFactory)
    reference = factory.Sequence(lambda n: f"CMD-{n:08d}")
    channel = "web"
    purchased_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    total = Decimal("99.90")


class PurchaseLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchaseLine

    purchase = factory.SubFactory(PurchaseFactory)
    variant = factory.SubFactory(VariantFactory)
    product_name = factory.LazyAttribute(lambda o: o.variant.product.name if o.variant else "?")
    quantity = 1
    unit_price = Decimal("99.90")
    line_total = Decimal("99.90")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    kind = Interaction.Kind.VIEWED
    product = factory.SubFactory(ProductFactory)
    channel = "web"
    occurred_at = factory.LazyFunction(timezone.now)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    name = factory.Sequence(lambda n: f"Offre {n}")
    kind = Offer.Kind.PERCENT
    value = Decimal("10")
    scope = Offer.Scope.BRAND
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@clienteling.test")
    first_name = "Léa"
    last_name = factory.Sequence(lambda n: f"Dupont{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = StaffProfile.Role.ASSOCIATE

    @factory.post_generation
    def stores(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.stores.set(extracted)


def make_staff(role: str, *stores: Store, **user_fields) -> User:
    """A signed-in-able staff user with ``role`` in ``stores``; password is ``PASSWORD``."""
    user = UserFactory(**user_fields)
    StaffProfileFactory(user=user, role=role, stores=list(stores))
    if role in (StaffProfile.Role.MANAGER, StaffProfile.Role.HEAD_OFFICE):
        # MFA is required of them: their authenticator app holds TOTP_SECRET.
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
        )
    return user


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (RFC 6238, as allauth checks it)."""
    counter = int(time.time() if at is None else at) // 30
    return format_hotp_value(hotp_value(secret, counter))


def mfa_login(client, user) -> None:
    """``force_login`` plus what a sign-in with an authenticator code leaves in the session
    (Django admin asks for it)."""
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "type": "totp", "at": time.time()},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    customer = factory.SubFactory(CustomerFactory)
    author = factory.SubFactory(UserFactory)
    text = "Cherche une TV pour son salon, budget 800 €."


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    store = factory.SubFactory(StoreFactory)
    customer = factory.SubFactory(CustomerFactory)
    source = Visit.Source.BEACON
    arrived_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyAttribute(lambda o: o.arrived_at)


class WebhookSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSource
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"source-{n}")
    name = factory.Sequence(lambda n: f"Source {n}")
    kind = WebhookSource.Kind.BEACON


class AppDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppDevice

    customer = factory.SubFactory(CustomerFactory)
    device_id = factory.Sequence(lambda n: f"device-{n:06d}")
    platform = AppDevice.Platform.IOS


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's own PBKDF2 with few iterations: hashes any server verifies, made quickly
    (``settings.PASSWORD_HASHERS = [QUICK_HASHER]`` in tests that hash a lot)."""

    iterations = 1000


QUICK_HASHER = "tests.factories.QuickPBKDF2PasswordHasher"


def photo(name="photo.png", size=(900, 600), fmt="PNG", colour=(200, 30, 30)):
    """An uploaded image file, as a browser sends it."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")
