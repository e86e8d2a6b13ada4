"""Every candidate of the detector table on every split, calibration fitted on dev + dev-test.

    .venv/bin/python bench/detector_test_gold.py [--cache DIR]

Run ONCE, after every choice was made on dev + dev-test (bench/detector_experiments.py,
``python -m claims.extraction.train --compare``): it reads test_gold. Each candidate's
stacking/calibration is the shipped recipe (logistic regression on the components' logits,
dev and dev-test weighted equally) and its cut-off is 0.5; the TF-IDF model is also shown at
its own F1-tuned threshold, as it shipped before. Embeddings come from the cache written by
bench/detector_experiments.py. Prints a paired bootstrap interval of the AP gain of the
shipped detector over the TF-IDF baseline on test_gold.
"""

import argparse
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from sklearn.linear_model import LogisticRegression  # noqa: E402

from claims.extraction import metrics, train  # noqa: E402
from claims.extraction.dataset import load_split  # noqa: E402
from claims.extraction.model import load_model, load_tfidf, sigmoid  # noqa: E402

SPLITS = ("dev", "dev-test", "test_gold")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "detector-exp")
    parser.add_argument("--train-sample", type=int, default=6000)
    parser.add_argument("--embedding-c", type=float, default=3.0)
    args = parser.parse_args()

    data = {split: load_split(split) for split in SPLITS}
    labels = {split: np.array(data[split][1]) for split in SPLITS}
    columns: dict[str, dict[str, np.ndarray]] = {}
    for name in ("tfidf", "finetuned", "finetuned-2"):
        scorer = train.component_scorer(name)
        columns[name] = {split: scorer.logits(data[split][0]) for split in SPLITS}
    texts, train_labels = load_split("train")
    rows = sorted(random.Random(0).sample(range(len(texts)), args.train_sample))
    lr = LogisticRegression(C=args.embedding_c, class_weight="balanced", max_iter=2000)
    lr.fit(np.load(args.cache / f"train-{args.train_sample}.npy"), [train_labels[i] for i in rows])
    columns["embedding-lr"] = {
        split: lr.decision_function(np.load(args.cache / f"{split}.npy")) for split in SPLITS
    }

    print(f"{'model':<36} " + "  ".join(f"{s:>24}" for s in SPLITS))
    print(f"{'':<36} " + "  ".join(f"{'F1     P     R     AP':>24}" for _ in SPLITS))

    def row(name: str, scores: dict[str, np.ndarray], threshold: float) -> None:
        cells = []
        for split in SPLITS:
            r = metrics.evaluate(list(labels[split]), list(scores[split]), threshold)
            cells.append(f"{r.f1:.3f} {r.precision:.3f} {r.recall:.3f} {r.average_precision:.3f}")
        print(f"{name:<36} " + "  ".join(f"{c:>24}" for c in cells), flush=True)

    tfidf = load_tfidf()
    row(
        f"TF-IDF @ own threshold {tfidf.threshold:.3f}",
        {s: sigmoid(columns["tfidf"][s]) for s in SPLITS},
        tfidf.threshold,
    )
    candidates = [
        ("tfidf",),
        ("embedding-lr",),
        ("embedding-lr", "tfidf"),
        ("finetuned",),
        ("finetuned-2",),
        ("finetuned", "tfidf"),
        ("finetuned", "finetuned-2"),
        ("finetuned", "finetuned-2", "tfidf"),
    ]
    for candidate in candidates:
        stacked = {s: np.stack([columns[n][s] for n in candidate], axis=1) for s in SPLITS}
        weights, bias = train.fit_combination(
            [(stacked[s], labels[s]) for s in ("dev", "dev-test")]
        )
        row(
            "+".join(candidate) + " @ 0.5",
            {s: sigmoid(bias + stacked[s] @ weights) for s in SPLITS},
            0.5,
        )
    shipped = load_model().probabilities(data["test_gold"][0])
    row(
        "shipped detector (model files) @ 0.5",
        {"test_gold": shipped}
        | {s: load_model().probabilities(data[s][0]) for s in ("dev", "dev-test")},
        0.5,
    )

    baseline = columns["tfidf"]["test_gold"]
    y = labels["test_gold"]
    rng = np.random.default_rng(0)
    gains = []
    for _ in range(2000):
        sample = rng.integers(0, len(y), len(y))
        gains.append(
            metrics.average_precision(list(y[sample]), list(shipped[sample]))
            - metrics.average_precision(list(y[sample]), list(baseline[sample]))
        )
    low, high = np.percentile(gains, [2.5, 97.5])
    print(f"\ntest_gold AP gain, shipped detector over TF-IDF: 95% interval {low:+.3f} {high:+.3f}")


if __name__ == "__main__":
    main()
