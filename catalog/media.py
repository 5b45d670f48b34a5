"""Serving product photos from their storage when no bucket or CDN does it (the demo,
tests, a single server): ``SERVE_PRODUCT_IMAGES``. Only the product images' storage is
reachable here, never the private files. Names carry a digest of the content
(``catalog.images``), so a file never changes under its name: cached for a year."""

import mimetypes

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from .models import product_image_storage

CACHE_SECONDS = 365 * 24 * 3600


@require_GET
def product_image(request, path: str):
    if not path.startswith("products/") or not path.endswith(".jpg"):
        raise Http404
    storage = product_image_storage()
    try:
        handle = storage.open(path, "rb")
    except (FileNotFoundError, SuspiciousFileOperation, IsADirectoryError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=mimetypes.guess_type(path)[0] or "image/jpeg")
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
