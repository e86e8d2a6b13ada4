"""Measure the shipped check-worthiness model on every split.

    python -m claims.extraction.evaluate

Scores each split with the model file exactly as the app does (model.py, no scikit-learn) and
prints F1, precision and recall of the Yes class at the shipped threshold, and average
precision. test_gold is reported here and nowhere used for choices.
"""

from claims.extraction import metrics
from claims.extraction.dataset import SPLITS, load_split
from claims.extraction.model import MODEL_PATH, load_model, model_version, score_sentences


def main() -> None:
    threshold = load_model().threshold
    print(f"model {MODEL_PATH.name} version {model_version()} threshold {threshold:.4f}")
    print(f"{'split':<10} {'rows':>6} {'yes':>5} {'F1':>6} {'prec':>6} {'recall':>6} {'AP':>6}")
    for name in SPLITS:
        texts, labels = load_split(name)
        result = metrics.evaluate(labels, score_sentences(texts), threshold)
        print(
            f"{name:<10} {len(texts):>6} {sum(labels):>5} {result.f1:>6.3f} "
            f"{result.precision:>6.3f} {result.recall:>6.3f} {result.average_precision:>6.3f}"
        )


if __name__ == "__main__":
    main()
