from django.core.management.base import BaseCommand

from ...services import product_search_refresh


class Command(BaseCommand):
    help = "Rebuild product search entries (after an import or a bulk edit of the catalog)."

    def handle(self, *args, **options):
        written = product_search_refresh()
        self.stdout.write(self.style.SUCCESS(f"{written} products searchable."))
