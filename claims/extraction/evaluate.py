"""Measure the shipped detector and the TF-IDF baseline on every split, side by side.

    python -m claims.extraction.evaluate                 # dev, dev-test and test_gold
    python -m claims.extraction.evaluate --tuning-only   # dev and dev-test only

Scores each split with the model files exactly as the app does (model.py: onnxruntime and
numpy, no torch, no scikit-learn) and prints F1, precision and recall of the Yes class at each
model's own default cut-off (0.5 for the calibrated detector), and average precision.
test_gold is reported here and nowhere used for choices; --tuning-only leaves it unread.
"""

import argparse

from claims.extraction import metrics
from claims.extraction.dataset import SPLITS, TUNING_SPLITS, load_split
from claims.extraction.model import MODEL_PATH, load_model, load_tfidf, model_version


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuning-only", action="store_true", help="skip test_gold")
    args = parser.parse_args(argv)
    detector, baseline = load_model(), load_tfidf()
    models = [
        (f"shipped ({'+'.join(detector.names)})", detector),
        ("TF-IDF baseline", baseline),
    ]
    print(f"detector {MODEL_PATH.name} version {model_version()}")
    for name, model in models:
        print(f"  {name}: threshold {model.threshold:.4f}")
    print(
        f"{'split':<10} {'rows':>5} {'yes':>4}  {'model':<32} "
        f"{'F1':>6} {'prec':>6} {'recall':>6} {'AP':>6}"
    )
    for split in TUNING_SPLITS if args.tuning_only else SPLITS[1:]:
        texts, labels = load_split(split)
        for name, model in models:
            result = metrics.evaluate(labels, list(model.probabilities(texts)), model.threshold)
            print(
                f"{split:<10} {len(texts):>5} {sum(labels):>4}  {name:<32} {result.f1:>6.3f} "
                f"{result.precision:>6.3f} {result.recall:>6.3f} {result.average_precision:>6.3f}"
            )


if __name__ == "__main__":
    main()
