"""Throughput of claim extraction on one core: segmentation, scoring, and both together.

    .venv/bin/python bench/extraction_core.py

Articles: the real sample article, plus synthetic ones made of check-worthiness dev-set
sentences in paragraphs under a headline and a byline (fixed seed). Each stage runs for about
three seconds. Prints its figures; asserts nothing.
"""

import os

# Before numpy is imported: one thread, so the figures are per core.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claims.extraction import extract_candidates, score_sentences, split_sentences  # noqa: E402
from claims.extraction.dataset import load_split  # noqa: E402
from claims.extraction.model import load_model  # noqa: E402

SAMPLE = ROOT / "tests/extraction/data/venezuela-deportations.txt"
SYNTHETIC_ARTICLES = 20
SECONDS_PER_STAGE = 3.0


def synthetic_articles(count: int) -> list[str]:
    rng = random.Random(0)
    sentences, _ = load_split("dev")
    articles = []
    for number in range(count):
        paragraphs = [f"HEADLINE NUMBER {number}", "By Jane Doe"]
        for _ in range(rng.randint(6, 12)):
            paragraphs.append(" ".join(rng.sample(sentences, rng.randint(1, 4))))
        articles.append("\n".join(paragraphs))
    return articles


def timed(stage, articles: list[str], work) -> None:
    """Run work(article) over the articles until SECONDS_PER_STAGE pass; print the rates."""
    article_count = sentence_count = char_count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < SECONDS_PER_STAGE:
        for article in articles:
            sentence_count += work(article)
            article_count += 1
            char_count += len(article)
    elapsed = time.perf_counter() - started
    print(
        f"{stage:<28} {article_count / elapsed:8.1f} articles/s "
        f"{sentence_count / elapsed:9.0f} sentences/s {char_count / elapsed / 1000:7.0f} kchar/s"
    )


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    started = time.perf_counter()
    load_model()
    print(f"model load (once per process): {time.perf_counter() - started:.2f} s")

    articles = [SAMPLE.read_text(encoding="utf-8"), *synthetic_articles(SYNTHETIC_ARTICLES)]
    sentences = {article: [s.text for s in split_sentences(article)] for article in articles}
    total_sentences = sum(len(texts) for texts in sentences.values())
    total_chars = sum(len(article) for article in articles)
    print(
        f"{len(articles)} articles, {total_sentences} sentences, {total_chars} characters "
        f"(mean {total_chars / len(articles):.0f} characters per article)\n"
    )
    timed("segmentation", articles, lambda article: len(split_sentences(article)))
    timed("scoring (pre-split)", articles, lambda article: len(score_sentences(sentences[article])))
    timed(
        "extract_candidates (all)",
        articles,
        lambda article: len(extract_candidates(article, include_all=True)),
    )


if __name__ == "__main__":
    main()
