from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A wait or a service time as a person says it: "4 min", "1 h 05"."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return _("< 1 min")
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}


@register.filter
def percent(value: float | None) -> str:
    """A ratio from 0 to 1 as a whole percentage ("—" when there is none)."""
    if value is None:
        return "—"
    return f"{round(100 * value)} %"
