from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .access import Role, staff_required, store_or_403, stores_for
from .forms import DeviceRegisterForm, PinSetForm, TeamPinForm
from .middleware import SESSION_STORE_KEY
from .models import StaffPin, StaffProfile
from .services import (
    PinError,
    staff_pin_set,
    staff_pin_unlock,
    store_device_register,
    tablet_switch,
)
from .session import next_url
from .tablet import device_cookie_set, holder_sign_in, tablet_people

MANAGERS = (Role.MANAGER, Role.HEAD_OFFICE)


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


@require_POST
@staff_required(Role.MANAGER, Role.HEAD_OFFICE)
def store_switch(request):
    store = store_or_403(request.user, request.POST.get("store", ""))
    request.session[SESSION_STORE_KEY] = store.pk
    floor = reverse("floor:page", kwargs={"store_code": store.code})
    return redirect(same_page_for_store(next_url(request, floor), store.code))


# --- My profile: my tablet PIN --------------------------------------------------------


@staff_required()
def profile(request):
    form = PinSetForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            staff_pin_set(user=request.user, pin=form.cleaned_data["pin"])
            messages.success(request, _("Your PIN is set: use it to switch on the store tablet."))
            return redirect("profile")
        status = 422
    context = {
        "form": form,
        "pin": StaffPin.objects.filter(user=request.user).first(),
        "stores": stores_for(request.user).order_by("name")
        if request.staff.role in MANAGERS
        else (),
    }
    return render(request, "staff/profile.html", context, status=status)


# --- A manager's team: unlock or give a PIN ---------------------------------------------


@staff_required(*MANAGERS)
def team_pins(request, store_code):
    store = store_or_403(request.user, store_code)
    return render(request, "staff/team_pins.html", {"store": store, "team": tablet_people(store)})


@require_POST
@staff_required(*MANAGERS)
def team_pin_reset(request, store_code, user_id):
    store = store_or_403(request.user, store_code)
    profile = get_object_or_404(
        StaffProfile.objects.select_related("user"),
        user_id=user_id,
        role=Role.ASSOCIATE,
        stores=store,
    )
    form = TeamPinForm(request.POST)
    if not form.is_valid():
        context = {"store": store, "team": tablet_people(store), "errors": {profile.user_id: form}}
        return render(request, "staff/team_pins.html", context, status=422)
    name = profile.user.get_full_name() or profile.user.email
    if form.cleaned_data["pin"]:
        staff_pin_set(user=profile.user, pin=form.cleaned_data["pin"])
        messages.success(request, _("%(name)s has a new PIN.") % {"name": name})
    else:
        staff_pin_unlock(user=profile.user)
        messages.success(request, _("%(name)s's PIN is unlocked.") % {"name": name})
    return redirect("team_pins", store_code=store.code)


# --- Shared tablets ---------------------------------------------------------------------


@staff_required(*MANAGERS)
def tablet_register(request):
    """A manager, signed in on the tablet, makes it a device of one of their stores; the
    tablet then shows that store's lock screen."""
    stores = stores_for(request.user).order_by("name")
    initial = {"store": request.store.code if request.store else None}
    form = DeviceRegisterForm(request.POST or None, stores=stores, initial=initial)
    if request.method == "POST" and form.is_valid():
        device = store_device_register(
            store=form.cleaned_data["store"], name=form.cleaned_data["name"], by=request.user
        )
        logout(request)
        messages.success(
            request,
            _("This tablet is now a device of %(store)s.") % {"store": device.store.name},
        )
        response = redirect("tablet_lock_screen")
        device_cookie_set(response, device)
        return response
    status = 422 if request.method == "POST" else 200
    return render(request, "staff/tablet_register.html", {"form": form}, status=status)


def _device_or_403(request):
    if request.device is None:
        return render(request, "staff/not_a_tablet.html", status=403)
    return None


def tablet_lock_screen(request):
    """The store's associates, big; tap your name, then type your PIN."""
    refused = _device_or_403(request)
    if refused:
        return refused
    context = {"device": request.device, "people": tablet_people(request.device.store)}
    return render(request, "staff/tablet_lock.html", context)


def tablet_pin(request, user_id):
    refused = _device_or_403(request)
    if refused:
        return refused
    person = next((p for p in tablet_people(request.device.store) if p.user_id == user_id), None)
    if person is None:
        raise Http404
    error, status = "", 200
    if request.method == "POST":
        try:
            tablet_switch(device=request.device, user=person.user, pin=request.POST.get("pin", ""))
        except PinError as exc:
            error, status = str(exc), exc.status
        else:
            holder_sign_in(request, device=request.device, user=person.user)
            return redirect("floor:page", store_code=request.device.store.code)
    context = {"device": request.device, "person": person, "error": error}
    return render(request, "staff/tablet_pin.html", context, status=status)


@require_POST
def tablet_lock(request):
    """Lock the tablet now (the holder's button, or the idle timer): sign out."""
    logout(request)
    return redirect("tablet_lock_screen")


@require_POST
def tablet_awake(request):
    """Someone is reading the tablet without tapping anything that asks the server: the
    middleware has pushed the idle lock back."""
    return HttpResponse(status=204)


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
