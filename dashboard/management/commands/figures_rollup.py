from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...services import daily_figures_rollup


class Command(BaseCommand):
    help = "Roll up the dashboard figures of past days (default: yesterday). Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, first=None, last=None, **options):
        yesterday = timezone.localdate() - timedelta(days=1)
        last = last or yesterday  # --from alone: up to yesterday
        first = first or last  # --to alone: that one day
        if first > last or last > yesterday:
            raise CommandError(
                f"Give past days, the first on or before the last ({yesterday} at most)."
            )
        day = first
        while day <= last:
            stores, associates = daily_figures_rollup(day=day)
            self.stdout.write(f"{day}: {stores} stores, {associates} associate rows")
            day += timedelta(days=1)
