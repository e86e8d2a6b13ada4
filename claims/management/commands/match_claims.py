"""Print the workspace's claims most similar to a text, from the database.

python manage.py match_claims "Crime fell 12 percent last year" --workspace daily-example -k 5
python manage.py match_claims "..." --workspace daily-example --published   # checked claims only
"""

from django.core.management.base import BaseCommand, CommandError

from claims import matching
from claims.models import Claim, Workspace


class Command(BaseCommand):
    help = "Print the claims of a workspace most similar to TEXT, with scores."

    def add_arguments(self, parser):
        parser.add_argument("text", help="The claim to look for.")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("-k", type=int, default=10, help="How many matches (default 10).")
        parser.add_argument(
            "--published", action="store_true", help="Only claims with a published verdict."
        )

    def handle(self, *args, text, workspace, k, published, **options):
        if not text.strip():
            raise CommandError("Give a claim to look for.")
        if k < 1:
            raise CommandError("-k must be at least 1.")
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"No workspace is called “{workspace}”.")
        try:
            matches = matching.similar(text, found, k=k, published_only=published)
        except matching.MatchingUnavailable as exc:
            raise CommandError(str(exc)) from None
        if not matches:
            self.stdout.write("No matches: no claim of this workspace has an embedding yet")
            self.stdout.write("(run `manage.py embed_claims`), or none is published.")
            return
        rows = Claim.objects.select_related("verdict__rating").in_bulk([pk for pk, _ in matches])
        mine = matching.facts(text)
        self.stdout.write(f"{'score':>6}  {'match':<8} {'claim':>7}  {'status':<11} rating / text")
        for pk, score in matches:
            claim = rows[pk]
            relation = matching.compare(mine, claim.text, score)
            rating = ""
            if claim.status == Claim.Status.PUBLISHED and claim.verdict.rating:
                rating = f"[{claim.verdict.rating}] "
            self.stdout.write(
                f"{score:6.3f}  {relation.kind or '-':<8} {'#' + str(pk):>7}  {claim.status:<11} "
                f"{rating}{claim.text}"
            )
            if relation.reasons:
                self.stdout.write(f"{'':26}not the same: {', '.join(relation.reasons)}")
