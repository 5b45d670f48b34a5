from allauth.account.adapter import DefaultAccountAdapter


class StaffAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by head office in admin: there is no public sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False
