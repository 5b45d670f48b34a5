"""Amounts and days as people read them in the active language, on every page and email.

``{% load formats %}`` then ``{{ price.final|money }}`` ("1 519,99 €" / "€1,519.99"),
``{{ order.created_at|day }}`` ("24 nov. 2026"), ``{{ order.hold_until|day_time }}``
("24 nov. 2026, 18:05") and ``{{ customer.first_name|possessive }}`` ("Olivier's",
"d'Olivier"). The definitions are in ``catalog.formats``.
"""

from django import template

from .. import formats

register = template.Library()

register.filter("money", formats.money, is_safe=True)
register.filter("day", formats.day, is_safe=True)
register.filter("day_time", formats.day_time, is_safe=True)
register.filter("possessive", formats.possessive, is_safe=False)
