from datetime import timedelta

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_EXPORT_DAYS = 366


class FiguresExportForm(forms.Form):
    """A date range (both days included), the stores to export and the file's format."""

    class Level:
        STORES = "stores"
        ASSOCIATES = "associates"

    class Format:
        # What a spreadsheet set to French reads as columns and numbers: ";" between cells
        # and "3,5"; anywhere else (and for scripts) "," and "3.5".
        EXCEL_FR = "excel-fr"
        COMMA = "comma"
        SEPARATORS = {EXCEL_FR: (";", ","), COMMA: (",", ".")}

    start = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    store = forms.ChoiceField(label=_("Store"), required=False)
    level = forms.ChoiceField(
        label=_("One row per"),
        choices=[(Level.STORES, _("store and day")), (Level.ASSOCIATES, _("associate and day"))],
        initial=Level.STORES,
    )
    format = forms.ChoiceField(
        label=_("File format"),
        choices=[
            (Format.EXCEL_FR, _("Excel (France): semicolons, decimal commas")),
            (Format.COMMA, _("Commas, decimal points")),
        ],
        required=False,  # a link without it gets the default of the page's language
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = {s.code: s for s in stores}
        self.fields["store"].choices = [("", _("All my stores"))] + [
            (s.code, s.name) for s in self.stores.values()
        ]

    @classmethod
    def default_initial(cls, store=None) -> dict:
        today = timezone.localdate()
        return {
            "start": today - timedelta(days=29),
            "end": today,
            "store": store.code if store else "",
            "level": cls.Level.STORES,
            "format": cls.default_format(),
        }

    @classmethod
    def default_format(cls) -> str:
        """Excel (France) for people using the app in French."""
        french = (translation.get_language() or "").startswith("fr")
        return cls.Format.EXCEL_FR if french else cls.Format.COMMA

    def separators(self) -> tuple[str, str]:
        """The cell separator and the decimal mark of the chosen format."""
        chosen = self.cleaned_data.get("format") or self.default_format()
        return self.Format.SEPARATORS[chosen]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(
                    _("The start date must be on or before the end date."), code="reversed"
                )
            if end > timezone.localdate():
                raise forms.ValidationError(
                    _("The end date cannot be in the future."), code="future"
                )
            if (end - start).days + 1 > MAX_EXPORT_DAYS:
                raise forms.ValidationError(
                    _("Export at most %(days)d days at a time.") % {"days": MAX_EXPORT_DAYS},
                    code="too_long",
                )
        return cleaned

    def selected_stores(self):
        code = self.cleaned_data.get("store")
        return [self.stores[code]] if code else list(self.stores.values())
