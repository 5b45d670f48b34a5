"""Forms whose empty fields are rendered once per process and language.

An empty form (unbound, no initial value) renders the same HTML wherever it is shown: only
its labels and placeholders change, with the active language. Rendering a field through
Django's widget templates costs about a tenth of a millisecond; a ``RenderedOnce`` form
keeps each empty field's HTML by form class, field, prefix, id pattern, renderer and
language. A bound form (an answer sent back with its errors) renders as usual.

For forms whose fields and widgets are the same for every instance (no ``__init__`` that
changes them).
"""

from __future__ import annotations

from django.forms.boundfield import BoundField
from django.utils.translation import get_language

_rendered: dict[tuple, str] = {}


class _RenderedOnceField(BoundField):
    def as_widget(self, widget=None, attrs=None, only_initial=False):
        form = self.form
        if (
            form.is_bound
            or widget is not None
            or attrs
            or only_initial
            or form.initial
            or self.field.initial is not None
        ):
            return super().as_widget(widget, attrs, only_initial)
        key = (type(form), self.name, form.prefix, form.auto_id, form.renderer, get_language())
        html = _rendered.get(key)
        if html is None:
            html = _rendered[key] = super().as_widget()
        return html


class RenderedOnce:
    """Mix into a ``forms.Form`` (before it) whose empty fields render the same each time."""

    bound_field_class = _RenderedOnceField
