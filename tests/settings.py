"""Settings for the test suite: the project's settings with a fast password hasher.

Production keeps Django's strong default hashers (``clienteling.settings`` does not set
``PASSWORD_HASHERS``). Hashing a password the production way takes a sizeable fraction of a
second, and the suite creates hundreds of staff accounts, so tests hash with MD5 instead.
The browser tests' Daphne process is started with these settings too: the users the test
process creates must be able to sign in there.
"""

from clienteling.settings import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    # Hashes made by tests that set a quick PBKDF2 (tests.factories.QUICK_HASHER) check too.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Product photos the tests (and the browser tests' server, which loads these settings) write
# go to a scratch folder, never into the checkout.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

PRODUCT_IMAGES_ROOT = Path(tempfile.gettempdir()) / "clienteling-test-images"
STORAGES["product_images"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(PRODUCT_IMAGES_ROOT), "base_url": MEDIA_URL},  # noqa: F405
}
