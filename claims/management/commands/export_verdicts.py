"""Export a workspace's verdicts from the command line, streamed like the download in the app.

    python manage.py export_verdicts --workspace daily-example --format csv > verdicts.csv
    python manage.py export_verdicts --workspace daily-example --format xlsx --output v.xlsx
    python manage.py export_verdicts --workspace daily-example --format claimreview

For claimreview, verdicts that cannot have valid markup are left out and listed on standard
error with the reasons; without --status only published verdicts are considered, since a draft
never has markup.

When there is nothing to export (no verdict matches, or every one is left out of ClaimReview)
the command says so on standard error and exits with status 1, as the app refuses to download
an empty file; no --output file is left behind.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from claims.exports import FORMATS, workspace_verdicts, write_export
from claims.models import Verdict, Workspace


class Command(BaseCommand):
    help = "Export a workspace's verdicts as CSV, XLSX, JSON, JSON Lines or ClaimReview JSON-LD."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument(
            "--status", choices=Verdict.Status.values, help="Only verdicts in this status."
        )
        parser.add_argument(
            "--output", help="Write to this file instead of standard output (needed for xlsx)."
        )

    def handle(self, *args, workspace, format, status, output, **options):
        try:
            workspace = Workspace.objects.get(slug=workspace)
        except Workspace.DoesNotExist:
            raise CommandError(f"There is no workspace with the slug “{workspace}”.") from None
        verdicts = workspace_verdicts(workspace)
        if status is None and format == "claimreview":
            status = Verdict.Status.PUBLISHED
        if status:
            verdicts = verdicts.filter(status=status)
        total = verdicts.count()
        if not total:
            which = f" in status “{status}”" if status else ""
            raise CommandError(
                f"Nothing to export: the workspace “{workspace.slug}” has no verdicts{which}."
            )
        left_out = []

        def report(verdict, reasons):
            left_out.append(verdict.pk)
            self.stderr.write(f"Left out verdict {verdict.pk} (claim {verdict.claim_id}):")
            for reason in reasons:
                self.stderr.write(f"  - {reason}")

        if output:
            try:
                with open(output, "wb") as out:
                    write_export(verdicts, format, out, on_invalid=report)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        else:
            self._to_stdout(verdicts, format, report)
        if left_out:
            self.stderr.write(f"{len(left_out)} verdict(s) left out of the ClaimReview export.")
        if len(left_out) == total:
            if output:
                os.remove(output)
            raise CommandError(f"Nothing exported: all {total} verdict(s) were left out.")

    def _to_stdout(self, verdicts, fmt, report):
        binary = getattr(self.stdout, "buffer", None)
        if binary is not None:
            self.stdout.flush()
            write_export(verdicts, fmt, binary, on_invalid=report)
            binary.flush()
            return
        # A text stream, as call_command(stdout=StringIO()) gives: text formats only.
        if fmt == "xlsx":
            raise CommandError("XLSX is binary: give --output, or run with a real stdout.")
        write_export(verdicts, fmt, _TextSink(self.stdout), on_invalid=report)


class _TextSink:
    """Takes the exporter's UTF-8 pieces (each one whole characters) to a text stream."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, data: bytes) -> None:
        self.stream.write(data.decode("utf-8"), ending="")
