"""Print the current authenticator code of a demo manager or head office account."""

from django.core.management.base import BaseCommand, CommandError

from ...demo.accounts import DEMO_STAFF, demo_totp_code


class Command(BaseCommand):
    help = "Print the current MFA (TOTP) code of a demo account that needs one."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the demo account's email, as seed_demo printed it")

    def handle(self, *args, email, **options):
        code = demo_totp_code(email.strip().lower())
        if code is None:
            known = ", ".join(s.email for s in DEMO_STAFF if s.totp_secret)
            raise CommandError(f"Not a demo account with an authenticator: use one of {known}.")
        self.stdout.write(code)
