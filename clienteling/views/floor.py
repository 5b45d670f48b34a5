from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..access import Role, staff_required, store_or_403
from ..middleware import SESSION_STORE_KEY


@staff_required()
def home(request):
    if request.store is None:
        if request.staff.role == Role.HEAD_OFFICE:
            return redirect("admin:index")
        return render(request, "clienteling/no_store.html", status=403)
    return redirect("floor", store_code=request.store.code)


@staff_required()
def floor(request, store_code):
    store = store_or_403(request.user, store_code)
    return render(request, "clienteling/floor.html", {"store": store})


@require_POST
@staff_required(Role.MANAGER, Role.HEAD_OFFICE)
def store_switch(request):
    store = store_or_403(request.user, request.POST.get("store", ""))
    request.session[SESSION_STORE_KEY] = store.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("floor", kwargs={"store_code": store.code})
    return redirect(target)
