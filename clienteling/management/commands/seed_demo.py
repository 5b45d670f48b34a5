import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from catalog.models import Store
from catalog.services import product_search_refresh
from staff.models import StaffProfile

from ...demo.accounts import DEMO_STAFF, staff_logins, staff_profiles_ensure, staff_users_ensure
from ...demo.book import books_seed
from ...demo.build import DEMO, WAREHOUSE_CODE, demo_counts, demo_seed, scale_plan
from ...demo.load import demo_tables_flush
from ...demo.scenario import martin_seed

User = get_user_model()
Role = StaffProfile.Role


class Command(BaseCommand):
    help = (
        "Fill the database with a believable French retailer and print one login per role. "
        "Safe to run again: existing demo data is kept (use --reset to rebuild it)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            action="store_true",
            help="Benchmark size (200 stores, 50 000 products, 500 000 customers, "
            "5 million purchase lines), loaded with COPY. PostgreSQL only.",
        )
        parser.add_argument(
            "--factor", type=float, default=1.0, help="Multiply the --scale sizes (default 1)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First empty every catalog, customer, offer and floor table.",
        )

    def handle(self, *args, scale: bool, factor: float, reset: bool, **options) -> None:
        if scale and connection.vendor != "postgresql":
            raise CommandError(
                "--scale loads millions of rows with PostgreSQL COPY: "
                "set DATABASE_URL=postgres://… (the SQLite demo is the default, without --scale)."
            )
        if factor <= 0:
            raise CommandError("--factor must be positive.")
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                demo_tables_flush()
                self.stdout.write("Emptied the demo tables.")
            user_ids = staff_users_ensure()
            created = not Store.objects.filter(code=WAREHOUSE_CODE).exists()
            if not created:
                self.stdout.write("Demo data already present: nothing added (--reset rebuilds it).")
            else:
                self.stdout.write("Creating the demo data…")
                plan = scale_plan(factor) if scale else DEMO
                demo_seed(plan=plan, bulk=scale, staff=user_ids, log=self.stdout.write)
                entries = product_search_refresh()
                self.stdout.write(f"  product search   {entries:,} entries")
            staff_profiles_ensure(user_ids=user_ids)
            if created and not scale:
                due = books_seed(
                    associate=User.objects.get(pk=user_ids[Role.ASSOCIATE]),
                    store_code=DEMO_STAFF[0].stores[0],
                )
                self.stdout.write(f"  to contact today {due:,} follow-ups")
                if martin_seed(store_code=DEMO_STAFF[0].stores[0]):
                    self.stdout.write("  Jean Martin     saved an OLED TV online this morning")
        counts = ", ".join(f"{n:,} {what}" for what, n in demo_counts().items())
        self.stdout.write(f"{counts}.")
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s. Demo accounts:")
        for line in staff_logins():
            self.stdout.write(line)
