"""Reset an account's two-factor sign-in, for someone who lost their phone and their codes.

    manage.py reset_two_factor USERNAME

Removes the account's authenticator app and recovery codes, so it signs in with its password
alone; sessions verified with them stop being verified. If a workspace or the site requires
two-factor sign-in, the user is asked to set it up again at their next page. Also lifts a
django-axes lock-out of that user name, so they can log in at once. Check who is asking first
(a call, a colleague): this is exactly what an attacker with the password would ask for.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.core.management.base import BaseCommand, CommandError

from claims import two_factor
from claims.models import User


class Command(BaseCommand):
    help = "Remove a user's two-factor devices and recovery codes (they lost them)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account with the user name {username!r}.")
        if not two_factor.turn_off(user):
            self.stdout.write(f"{username} had no two-factor sign-in set up: nothing to reset.")
            return
        AxesProxyHandler.reset_attempts(username=username)
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor sign-in reset for {username}: they log in with their password and "
                "set it up again."
            )
        )
