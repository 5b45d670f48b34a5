from django.core.management.base import BaseCommand

from privacy.services import retention_apply


class Command(BaseCommand):
    help = "Apply the retention periods now (what the nightly task does) and print the counts."

    def handle(self, *args, **options):
        run = retention_apply()
        for field in (
            "presence_events",
            "webhook_events",
            "card_views",
            "interactions",
            "customers_erased",
            "export_files",
        ):
            self.stdout.write(f"{run._meta.get_field(field).verbose_name}: {getattr(run, field)}")
