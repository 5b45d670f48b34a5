"""Django's own refusals, said in JSON to machines: a request Django turns away before our
views run (a body past ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a malformed multipart body, a
disallowed host) answers ``/api/`` callers with ``{"error", "detail"}`` like every webhook
refusal, and people with the usual page."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if not request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception, template_name)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(
            {"error": "too_large", "detail": "The body is larger than 1 MB."}, status=413
        )
    if isinstance(exception, TooManyFieldsSent):
        return JsonResponse(
            {"error": "unsupported_media_type", "detail": "Send the body as application/json."},
            status=415,
        )
    return JsonResponse({"error": "bad_request", "detail": "The request is malformed."}, status=400)
