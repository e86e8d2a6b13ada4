"""(Re-)embed claims whose embedding is missing or from another encoder version.

python manage.py embed_claims                      # every workspace
python manage.py embed_claims --workspace daily-example --batch-size 512

Each claim's `match` (the matcher's best earlier "same claim") is recomputed with the new
vectors in the same transaction as its embedding (claims.matching.rematch). Claims go in id
order and each batch is committed on its own, so an interrupted run loses at most one batch:
run the command again (same --batch-size) and it continues with the claims still to do, ending
with the matches an uninterrupted run would have. Prints its progress.
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
        try:
            while batch := list(
                todo.filter(pk__gt=last)
                .order_by("pk")
                .only("pk", "workspace_id", "text", "status")[:batch_size]
            ):
                self._embed(batch, version)
                done, last = done + len(batch), batch[-1].pk
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"{done}/{total} embedded and matched ({rate:.0f} claims/s)")
        finally:
            matching.clear_cache()  # an index may hold rows of a batch that was rolled back
        self.stdout.write(self.style.SUCCESS(f"Done: {done} claims embedded."))

    def _embed(self, batch: list[Claim], version: str) -> None:
        """Embed one batch and recompute its matches, committed together: a claim with the new
        embedding always has the match of the new encoder, so a resumed run skips it safely."""
        for claim, vector in zip(batch, matching.embed([c.text for c in batch]), strict=True):
            claim.embedding, claim.embedding_model = matching.encode(vector), version
        by_workspace = {}
        for claim in batch:
            by_workspace.setdefault(claim.workspace_id, []).append(claim)
        with transaction.atomic():
            Claim.objects.bulk_update(batch, ["embedding", "embedding_model"])
            for workspace_id, claims in by_workspace.items():
                matching.rematch(workspace_id, claims)
