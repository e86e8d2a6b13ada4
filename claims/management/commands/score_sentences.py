"""Score sentences for check-worthiness: one sentence per input line, one score per output line.

printf 'The deficit doubled in 2020.\nThank you all.\n' | python manage.py score_sentences -
"""

from django.core.management.base import BaseCommand

from claims.extraction import score_sentences

from ._input import read_input


class Command(BaseCommand):
    help = "Print a check-worthiness score (0..1) for each line of PATH (or - for stdin)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="A UTF-8 text file, or - to read standard input.")

    def handle(self, *args, path, **options):
        lines = read_input(path).splitlines()
        for score in score_sentences(lines):
            self.stdout.write(f"{score:.4f}")
