from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .access import Role, staff_required, store_or_403
from .middleware import SESSION_STORE_KEY
from .session import next_url


@staff_required()
def home(request):
    """Where signing in lands: head office in Django admin, everyone else on their floor."""
    if request.staff.role == Role.HEAD_OFFICE and request.user.is_staff:
        return redirect("admin:index")
    return floor_home(request)


@staff_required()
def floor_home(request):
    """The current store's floor (admin's "View site" for head office)."""
    if request.store is None:
        return render(request, "staff/no_store.html", status=403)
    return redirect("floor:page", store_code=request.store.code)


def admin_login(request):
    """Django admin's sign-in page, reached by anyone admin turned away. Staff sign in with
    the app's own form; staff without admin rights go back to the app, told why."""
    if not request.user.is_authenticated:
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), reverse("account_login")
        )
    if not (request.user.is_active and request.user.is_staff):
        messages.warning(
            request, _("Django admin is for head office only: here is the app instead.")
        )
        return redirect("home")
    return admin.site.login(request)


@require_POST
@staff_required(Role.MANAGER, Role.HEAD_OFFICE)
def store_switch(request):
    store = store_or_403(request.user, request.POST.get("store", ""))
    request.session[SESSION_STORE_KEY] = store.pk
    floor = reverse("floor:page", kwargs={"store_code": store.code})
    return redirect(same_page_for_store(next_url(request, floor), store.code))


def same_page_for_store(url: str, store_code: str) -> str:
    """The page ``url`` shows, for ``store_code``: a store's floor becomes the new store's
    floor, its board the new store's board; pages that name no store stay as they are."""
    path, _, query = url.partition("?")
    try:
        match = resolve(path)
    except Resolver404:
        return url
    if "store_code" not in match.kwargs:
        return url
    try:
        path = reverse(match.view_name, kwargs={**match.kwargs, "store_code": store_code})
    except NoReverseMatch:
        return url
    return f"{path}?{query}" if query else path
