"""(Re-)embed claims whose embedding is missing or from another encoder version.

python manage.py embed_claims                      # every workspace
python manage.py embed_claims --workspace daily-example --batch-size 512

Each batch is committed on its own, so an interrupted run loses at most one batch: run the
command again and it continues with the claims still to do. Prints its progress.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from claims import matching
from claims.models import Claim, Workspace


class Command(BaseCommand):
    help = "Embed claims whose embedding_model is not the current encoder version."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="Only this workspace (its slug).")
        parser.add_argument("--batch-size", type=int, default=256)

    def handle(self, *args, workspace, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            version = matching.encoder_version()
        except matching.MatchingUnavailable as exc:
            raise CommandError(str(exc)) from None
        todo = Claim.objects.exclude(embedding_model=version)
        if workspace:
            found = Workspace.objects.filter(slug=workspace).first()
            if found is None:
                raise CommandError(f"No workspace is called “{workspace}”.")
            todo = todo.filter(workspace=found)
        total = todo.count()
        self.stdout.write(f"{total} claims to embed with encoder {version}.")
        done, last, started = 0, 0, time.monotonic()
        while batch := list(
            todo.filter(pk__gt=last).order_by("pk").values_list("pk", "text")[:batch_size]
        ):
            vectors = matching.embed([text for _, text in batch])
            rows = [
                Claim(pk=pk, embedding=matching.encode(vector), embedding_model=version)
                for (pk, _), vector in zip(batch, vectors, strict=True)
            ]
            with transaction.atomic():
                Claim.objects.bulk_update(rows, ["embedding", "embedding_model"])
            done, last = done + len(batch), batch[-1][0]
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{done}/{total} embedded ({rate:.0f} claims/s)")
        matching.clear_cache()
        self.stdout.write(self.style.SUCCESS(f"Done: {done} claims embedded."))
