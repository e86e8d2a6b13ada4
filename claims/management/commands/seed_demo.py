"""Create the demo workspace, its four users and the sample article. Safe to run twice.

The demo admin is a workspace admin, not an operator: no staff status, no Django permissions
(the Django admin is for superusers; create one with `manage.py createsuperuser`)."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from claims import services
from claims.models import Article, Membership, Role, User, Workspace

DEFAULT_PASSWORD = "factcheck-demo"  # noqa: S105 (printed on screen; demo only)
SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "venezuela-deportations.txt"
SAMPLE_TITLE = "Venezuela agrees to take back migrants deported from the US, Trump says"

USERS = [
    ("admin", Role.ADMIN, "Ada", "Admin"),
    ("editor", Role.EDITOR, "Eddie", "Editor"),
    ("alice", Role.REVIEWER, "Alice", "Reviewer"),
    ("bob", Role.REVIEWER, "Bob", "Reviewer"),
]


class Command(BaseCommand):
    help = "Create the 'Demo Newsroom' workspace with demo users and the sample article."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help="Password for newly created demo users (existing users keep theirs).",
        )

    def handle(self, *args, password, **options):
        with transaction.atomic():
            workspace, created = Workspace.objects.get_or_create(
                slug="demo-newsroom",
                defaults={
                    "name": "Demo Newsroom",
                    "organisation_name": "Demo Newsroom Fact Check",
                    "organisation_url": "https://factcheck.example.org/",
                },
            )
            workspace.install_default_ratings()
            self.report("workspace Demo Newsroom", created)
            for username, role, first, last in USERS:
                self.ensure_user(workspace, username, role, first, last, password)
            self.ensure_article(workspace)
        self.stdout.write(
            f"Log in at /accounts/login/ as admin, editor, alice or bob "
            f"(password for new users: {password})."
        )

    def ensure_user(self, workspace, username, role, first, last, password):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.example.org",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": role})
        self.report(f"user {username} ({role})", created)

    def ensure_article(self, workspace):
        body = SAMPLE.read_text(encoding="utf-8")
        if services.find_duplicate(workspace, body=body):
            self.report("sample article", False)
            return
        services.submit_article(
            workspace=workspace,
            submitted_by=User.objects.get(username="editor"),
            origin=Article.Origin.PASTED,
            body=body,
            title=SAMPLE_TITLE,
            outlet="New York Post",
        )
        self.report("sample article", True)

    def report(self, what, created):
        self.stdout.write(f"{'Created' if created else 'Already there:'} {what}")
