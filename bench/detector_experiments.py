"""The check-worthiness candidates that were tried and not all shipped, on dev and dev-test.

    .venv/bin/python bench/detector_experiments.py [--cache DIR] [--train-sample 6000]

Candidates: the TF-IDF model; sentence embeddings (the shared MiniLM encoder, frozen) +
balanced logistic regression, fitted on a seeded sample of train (embedding all 22,501
train sentences takes ~10 CPU-minutes; the sample keeps the comparison affordable);
embeddings stacked with TF-IDF; the fine-tuned MiniLM; fine-tuned + TF-IDF; all three.
Each stacked combination and its calibration are fitted on one tuning split and measured on
the other ("cross-fitted"), as ``python -m claims.extraction.train --compare`` does. The
embedding LR's C is chosen by mean AP over dev and dev-test. test_gold is never read.
Needs scikit-learn (training dependency). Embeddings are cached in --cache.
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

from claims.extraction import encoder, metrics, train  # noqa: E402
from claims.extraction.dataset import TUNING_SPLITS, load_split  # noqa: E402
from claims.extraction.model import sigmoid  # noqa: E402


def embeddings(cache: Path, name: str, texts: list[str]) -> np.ndarray:
    path = cache / f"{name}.npy"
    if path.exists():
        return np.load(path)
    vectors = encoder.embed(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "detector-exp")
    parser.add_argument("--train-sample", type=int, default=6000)
    args = parser.parse_args()

    texts, labels = load_split("train")
    rows = sorted(random.Random(0).sample(range(len(texts)), args.train_sample))
    x_train = embeddings(args.cache, f"train-{args.train_sample}", [texts[i] for i in rows])
    y_train = np.array([labels[i] for i in rows])
    tuning = []
    for split in TUNING_SPLITS:
        split_texts, split_labels = load_split(split)
        tuning.append((embeddings(args.cache, split, split_texts), np.array(split_labels)))

    best = None
    for c in (0.1, 0.3, 1.0, 3.0, 10.0):
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        model.fit(x_train, y_train)
        aps = [
            metrics.average_precision(list(y), list(model.decision_function(x))) for x, y in tuning
        ]
        print(f"embeddings + LR, C={c}: AP dev {aps[0]:.3f} dev-test {aps[1]:.3f}")
        if best is None or np.mean(aps) > best[0]:
            best = (np.mean(aps), c, model)
    _, c, model = best
    print(f"chosen C={c}\n")

    columns = {"embedding-lr": [model.decision_function(x)[:, None] for x, _ in tuning]}
    for name in ("tfidf", "finetuned"):
        columns[name] = [x for x, _ in train.tuning_logits([name])]
    candidates = [
        ("tfidf",),
        ("embedding-lr",),
        ("embedding-lr", "tfidf"),
        ("finetuned",),
        ("finetuned", "tfidf"),
        ("finetuned", "tfidf", "embedding-lr"),
    ]
    for candidate in candidates:
        data = [
            (np.hstack([columns[name][i] for name in candidate]), tuning[i][1])
            for i in range(len(TUNING_SPLITS))
        ]
        for held_out in range(len(data)):
            weights, bias = train.fit_combination([data[1 - held_out]])
            x, y = data[held_out]
            result = metrics.evaluate(list(y), list(sigmoid(bias + x @ weights)), 0.5)
            print(
                f"{'+'.join(candidate):<34} {TUNING_SPLITS[held_out]:<9} "
                f"AP {result.average_precision:.3f}  F1@0.5 {result.f1:.3f} "
                f"(P {result.precision:.3f} R {result.recall:.3f})"
            )


if __name__ == "__main__":
    main()
