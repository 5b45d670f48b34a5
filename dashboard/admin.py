from django.contrib import admin

from staff.admin import ReadOnlyAdmin

from .models import DailyAssociateFigures, DailyStoreFigures


class DailyFiguresAdmin(ReadOnlyAdmin):
    """The nightly roll-up writes these rows (``manage.py figures_rollup``)."""

    date_hierarchy = "day"
    list_filter = ["store"]
    list_select_related = ["store"]


@admin.register(DailyStoreFigures)
class DailyStoreFiguresAdmin(DailyFiguresAdmin):
    list_display = [
        "day",
        "store",
        "recognised_visits",
        "served_visits",
        "median_time_to_serve",
        "anonymous_visits",
        "orders",
        "orders_value",
        "converted_visits",
    ]


@admin.register(DailyAssociateFigures)
class DailyAssociateFiguresAdmin(DailyFiguresAdmin):
    list_display = [
        "day",
        "store",
        "associate",
        "served_visits",
        "median_time_to_serve",
        "notes_written",
        "orders",
        "orders_value",
    ]
    list_select_related = ["store", "associate"]
