"""Print the claims the pipeline would create for an article's text. Touches no database.

python manage.py extract_claims article.txt --format json
cat article.txt | python manage.py extract_claims - --all
"""

import json

from django.core.management.base import BaseCommand

from claims.extraction import extract_candidates
from claims.ingest.text import normalise_text

from ._input import read_input


class Command(BaseCommand):
    help = "Print the check-worthy claims of an article text (PATH, or - for stdin)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="A UTF-8 text file, or - to read standard input.")
        parser.add_argument(
            "--all", action="store_true", help="Include every sentence, check-worthy or not."
        )
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="The score at which a sentence becomes a claim (a workspace's claim "
            "threshold); by default the shipped model's.",
        )
        parser.add_argument(
            "--normalise",
            action="store_true",
            help="Normalise the text as ingestion does (line endings, control characters, "
            "blank lines) first; offsets then refer to the normalised text. By default "
            "offsets refer to the input exactly as given.",
        )

    def handle(self, *args, path, all, format, normalise, threshold, **options):
        text = read_input(path)
        if normalise:
            text = normalise_text(text)
        candidates = extract_candidates(text, include_all=all, threshold=threshold)
        if format == "json":
            rows = [
                {
                    "text": c.text,
                    "start": c.start,
                    "end": c.end,
                    "score": round(c.score, 4),
                    "checkworthy": c.checkworthy,
                    # Why not, when not (a rule or the selection); why, in cues.
                    "reason": c.reason,
                    "cues": list(c.cues),
                    "needs_context": c.needs_context,
                }
                for c in candidates
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for c in candidates:
            mark = "*" if c.checkworthy else " "
            self.stdout.write(f"{c.score:.3f} {mark} [{c.start}:{c.end}] {c.text}")
