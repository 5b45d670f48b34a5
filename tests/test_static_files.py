"""Static files in production: hashed names from the manifest, each worked out once."""

import pytest
from django.core.management import call_command
from django.templatetags.static import static


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "clienteling.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", "-v0", "--ignore", "admin", "--ignore", "*.map")
    return tmp_path


def test_pages_link_the_hashed_file_and_a_missing_file_is_an_error(production_static):
    url = static("css/app.css")
    assert (
        url.startswith("/static/css/app.") and url.endswith(".css") and url != "/static/css/app.css"
    )
    assert (production_static / url.removeprefix("/static/")).exists()
    assert static("css/app.css") == url  # kept, not worked out again

    for _ in range(2):  # refused each time, never remembered as found
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            static("css/no-such-file.css")
