"""Links a client can open: a comparison shared by an associate, signed so it cannot be
altered, and expiring after ``COMPARISON_LINK_DAYS``; the public page of a product (the
shelf label's QR code)."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.urls import reverse

COMPARISON_SALT = "products.public-comparison"
COMPARISON_LINK_DAYS = 30


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def comparison_token(product_ids: list[int]) -> str:
    return signing.dumps([int(pk) for pk in product_ids], salt=COMPARISON_SALT, compress=True)


def comparison_ids(token: str, *, max_age: timedelta | None = None) -> list[int]:
    """The product ids of a signed comparison; LinkExpired after its days, LinkInvalid
    for anything altered or made up."""
    try:
        ids = signing.loads(
            token,
            salt=COMPARISON_SALT,
            max_age=max_age or timedelta(days=COMPARISON_LINK_DAYS),
        )
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except (signing.BadSignature, ValueError) as exc:
        raise LinkInvalid from exc
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise LinkInvalid
    return ids


def public_comparison_path(product_ids: list[int]) -> str:
    return reverse("products:public_compare", args=[comparison_token(product_ids)])


def public_product_path(product_id: int, *, variant_id: int | None = None, store_code="") -> str:
    path = reverse("products:public_product", args=[product_id])
    params = []
    if variant_id:
        params.append(f"variant={variant_id}")
    if store_code:
        params.append(f"store={store_code}")
    return f"{path}?{'&'.join(params)}" if params else path
