"""Sessions signed in before the staff backends (``staff.backends``, which load the user
with their staff profile) name Django's and allauth's backends, which are no longer listed
in ``AUTHENTICATION_BACKENDS``: Django would treat them as signed out. Rename the backend in
every live session, so that nobody is signed out by the deploy."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations
from django.utils import timezone

RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "staff.backends.StaffModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "staff.backends.StaffAuthenticationBackend"
    ),
}


def rename(apps, mapping: dict[str, str]) -> None:
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store.decode(session.session_data)  # {} when it cannot be read
        backend = data.get("_auth_user_backend")
        if backend in mapping:
            data["_auth_user_backend"] = mapping[backend]
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    rename(apps, RENAMED)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_tablet_pins_and_devices"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
