"""The words a shopper hears or reads when asked for a consent, versioned.

Each consent row records the version (and the language) of the wording shown, so what the
shopper agreed to can be read back years later. A wording is never edited in place: to say
something else, add a new version at the end of its purpose's list (the last one is
current) and keep the old ones. ``fingerprint`` pins the text of each version in every
language (a test recomputes it): a changed word, in English or in the French catalogue,
fails that test until it becomes a new version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Consent

Purpose = Consent.Purpose


@dataclass(frozen=True)
class Wording:
    purpose: str
    version: str
    meaning: Promise  # what the purpose means, for the shopper's own page
    ask: Promise  # read to the shopper (or shown) before recording a grant
    withdraw: Promise  # read to the shopper (or shown) before recording a withdrawal
    fingerprints: tuple[tuple[str, str], ...] = ()  # (language, sha256 prefix)

    def text(self, granted: bool) -> str:
        return str(self.ask if granted else self.withdraw)

    def fingerprint(self, language: str) -> str:
        with translation.override(language):
            words = "\n".join(str(t) for t in (self.meaning, self.ask, self.withdraw))
        return hashlib.sha256(words.encode()).hexdigest()[:16]


WORDINGS: dict[str, list[Wording]] = {
    Purpose.IN_STORE_RECOGNITION: [
        Wording(
            Purpose.IN_STORE_RECOGNITION,
            "2026-11",
            meaning=_(
                "When you walk into one of our stores, our beacons, the in-store wifi or our "
                "app recognise you, and your client card (purchases, wishlist, preferences) "
                "appears on our associates' tablets so that they can advise you."
            ),
            ask=_(
                "May we recognise you when you walk into our stores, so that our associates "
                "see your client card (your purchases, wishlist and preferences) and can "
                "advise you? You can withdraw this at any time, in store or on your privacy "
                "page."
            ),
            withdraw=_(
                "From now on we no longer recognise you when you walk into our stores, and "
                "your card leaves our associates' tablets. You can agree again at any time."
            ),
            fingerprints=(("en", "86ef6891f7f32370"), ("fr", "0668a5f13f4de56c")),
        )
    ],
    Purpose.MARKETING_EMAIL: [
        Wording(
            Purpose.MARKETING_EMAIL,
            "2026-11",
            meaning=_("We send you our news and offers by email."),
            ask=_(
                "May we send you our news and offers by email? You can stop them at any "
                "time, from any of our emails or on your privacy page."
            ),
            withdraw=_(
                "From now on we no longer send you our news and offers by email. Emails "
                "about your orders still reach you."
            ),
            fingerprints=(("en", "c601bc5cfa23b728"), ("fr", "e586e3934165599f")),
        )
    ],
    Purpose.MARKETING_SMS: [
        Wording(
            Purpose.MARKETING_SMS,
            "2026-12",
            meaning=_(
                "Your store's associates send you news, selections of products and offers "
                "by text message."
            ),
            ask=_(
                "May our associates send you news, selections of products and offers by "
                "text message? You can stop them at any time, in store or on your privacy "
                "page."
            ),
            withdraw=_(
                "From now on we no longer send you news or offers by text message. "
                "Messages about your orders still reach you."
            ),
            fingerprints=(("en", "042f01a7712dd7a5"), ("fr", "83dc0cba9bb9b186")),
        )
    ],
    Purpose.PERSONALISED_OFFERS: [
        Wording(
            Purpose.PERSONALISED_OFFERS,
            "2026-11",
            meaning=_(
                "We choose offers for you from your wishlist and your favourite brands and "
                "categories."
            ),
            ask=_(
                "May we choose offers for you from your wishlist and your favourite brands "
                "and categories? You can withdraw this at any time."
            ),
            withdraw=_(
                "From now on the offers you get no longer depend on your wishlist or your "
                "preferences; you still get the offers made for everyone."
            ),
            fingerprints=(("en", "e2f220610a2a9ceb"), ("fr", "e066a11afc595564")),
        )
    ],
}

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def wording_current(purpose: str) -> Wording:
    return WORDINGS[purpose][-1]


def wording_for(purpose: str, version: str) -> Wording | None:
    """The wording ``version`` of ``purpose``; None for an unknown one (or "", the rows
    recorded before wordings were versioned)."""
    return next((w for w in WORDINGS.get(purpose, []) if w.version == version), None)
