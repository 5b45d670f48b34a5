"""Product photos: what an upload must be, and the files kept of it.

An upload must be a JPEG, PNG or WebP image of at most ``MAX_UPLOAD_BYTES`` and
``MAX_PIXELS``; anything else (a text file named ``.jpg``, a truncated photo, a
decompression bomb) is refused with a message saying why. What is kept is re-encoded, never
the uploaded bytes: a JPEG at most ``FULL_SIZE`` px on its longest side and a thumbnail of
``THUMB_SIZE`` px, which drops metadata (a phone's location) and anything hidden after the
image. File names carry a digest of their content, so a new photo has a new address and
browsers or a CDN may keep each file for a year.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 64
FULL_SIZE = 1600
THUMB_SIZE = 400
FORMATS = {"JPEG", "PNG", "WEBP"}
QUALITY = 85


@dataclass(frozen=True)
class EncodedImage:
    full: bytes
    thumbnail: bytes
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.full).hexdigest()[:16]


def open_upload(upload) -> Image.Image:
    """The upload as a loaded image, or a ValidationError saying what is wrong with it."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This file is too large (%(size)d MB at most).")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="image_too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in FORMATS:
                raise ValidationError(
                    _("Only JPEG, PNG and WebP photos are accepted (this file is %(kind)s).")
                    % {"kind": kind or _("unknown")},
                    code="image_format",
                )
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("This image has too many pixels (%(max)d million at most).")
                    % {"max": MAX_PIXELS // 1_000_000},
                    code="image_too_many_pixels",
                )
            if min(width, height) < MIN_SIDE:
                raise ValidationError(
                    _("This image is too small (%(min)d px at least on each side).")
                    % {"min": MIN_SIDE},
                    code="image_too_small",
                )
            probe.load()
            image = probe.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not a readable photo (JPEG, PNG or WebP)."), code="image_invalid"
        ) from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    return ImageOps.exif_transpose(image)


def _jpeg(image: Image.Image, side: int) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    if copy.mode in ("RGBA", "LA", "P"):
        copy = copy.convert("RGBA")
        background = Image.new("RGB", copy.size, "white")
        background.paste(copy, mask=copy.getchannel("A"))
        copy = background
    elif copy.mode != "RGB":
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue(), copy.size


def encode(image: Image.Image) -> EncodedImage:
    """The files kept of a photo: the full image and its thumbnail, both JPEG."""
    full, (width, height) = _jpeg(image, FULL_SIZE)
    thumbnail, _size = _jpeg(image, THUMB_SIZE)
    return EncodedImage(full=full, thumbnail=thumbnail, width=width, height=height)
