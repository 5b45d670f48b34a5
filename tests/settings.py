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
