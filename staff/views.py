from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .access import Role, staff_required, store_or_403
from .middleware import SESSION_STORE_KEY
from .session import next_url


@staff_required()
def home(request):
    if request.store is None:
        if request.staff.role == Role.HEAD_OFFICE:
            return redirect("admin:index")
        return render(request, "staff/no_store.html", status=403)
    return redirect("floor:page", store_code=request.store.code)


@require_POST
@staff_required(Role.MANAGER, Role.HEAD_OFFICE)
def store_switch(request):
    store = store_or_403(request.user, request.POST.get("store", ""))
    request.session[SESSION_STORE_KEY] = store.pk
    return redirect(next_url(request, reverse("floor:page", kwargs={"store_code": store.code})))
