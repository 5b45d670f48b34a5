from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .services import ExportUnavailable, customer_export_download


@require_GET
@never_cache
def export_download(request, link_token: str):
    """An export, once, through the signed link (no sign-in: the link is the key)."""
    try:
        name, content = customer_export_download(link_token=link_token)
    except ExportUnavailable:
        return render(request, "privacy/export_gone.html", status=410)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
