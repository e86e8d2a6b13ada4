"""The CLEF CheckThat! 2024 Task 1 (English) sentences the check-worthiness model learns from.

Debate sentences labelled Yes (check-worthy) or No; see /work/shared/data/README.md for where
they come from. Protocol: fit on "train", choose anything that is tuned on "dev" and
"dev-test", and only *report* on "test_gold".
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
SPLITS = ("train", "dev", "dev-test", "test_gold")
# dev is drawn from the same debates as train (its sentence ids fall inside train's range);
# dev-test, like test_gold, comes from later debates. Tuning weighs the two equally.
TUNING_SPLITS = ("dev", "dev-test")


def load_split(name: str) -> tuple[list[str], list[bool]]:
    """Return the sentences of one split and whether each is check-worthy."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; expected one of {SPLITS}")
    path = DATA_DIR / f"ct24_english_{name}.tsv"
    # The files quote fields the way csv does ("" for a quote inside a quoted field).
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    return [row["Text"] for row in rows], [row["class_label"] == "Yes" for row in rows]
