"""Train the check-worthiness models and write the shipped detector (MODEL_PATH).

    python -m claims.extraction.train             # TF-IDF refit + detector calibration, ~30 s
    python -m claims.extraction.train --compare   # cross-fitted F1/AP of the candidate detectors
    python -m claims.extraction.train --search    # the TF-IDF hyperparameter search, write nothing

Two steps. (1) The TF-IDF model (TFIDF_PATH) is refitted on train. (2) The detector
(MODEL_PATH, plain JSON) combines the components named in DETECTOR_COMPONENTS, two fine-tuned
MiniLM classifiers (FINETUNED_PATH and FINETUNED_2_PATH, made by
``python -m claims.extraction.finetune train [--part 1]`` and ``export``, which need torch and
are not re-run here), by a logistic regression on their logits fitted on dev + dev-test (each
split weighted equally): that both stacks and calibrates, so scores are probabilities, and
the default cut-off is 0.5 (see ``fit_detector``).

How the detector was chosen (--compare and bench/detector_experiments.py; each combination
fitted on one tuning split and measured on the other; AP dev / dev-test, F1 at 0.5):
TF-IDF 0.960 / 0.888, F1 0.880 / 0.735; frozen MiniLM embeddings + LR 0.916 / 0.891;
embeddings + TF-IDF 0.965 / 0.914; fine-tuned MiniLM 0.967 / 0.932, F1 0.884 / 0.772;
the second fine-tuned model (other half of the "No" sentences) 0.965 / 0.935; both together
0.967 / 0.936, F1 0.882 / 0.781, the best on dev-test, which like test_gold comes from later
debates. Adding TF-IDF to the fine-tuned models moved dev-test AP down (0.927-0.929). Cut-off:
0.5 on calibrated scores beat the F1-best threshold of one split carried to the other for the
fine-tuned models (dev-test 0.772 vs 0.769, dev 0.884 vs 0.836), so no threshold is tuned.

The TF-IDF model is fitted on the "train" split only. Hyperparameters were chosen, and the decision
threshold is chosen, on "dev" + "dev-test"; "test_gold" is never read here (see evaluate.py).
scikit-learn is needed only by this module: the app scores with model.py, which reads the
JSON this module writes. The output is deterministic (sorted vocabularies, liblinear with a
fixed seed, gzip without a timestamp) up to ~1e-9 of floating-point noise across CPUs; a
refit that equals the shipped file to 1e-7 leaves it untouched (see same_tfidf_model).

How the threshold and hyperparameters are tuned: dev is drawn from the same debates as train,
while dev-test (like test_gold) comes from later ones, and scores drop there. So dev and
dev-test count equally (mean of the two F1s; see metrics.best_threshold) rather than pooled,
where dev's 1,032 sentences would drown dev-test's 318.

What the search found (--search; mean over dev and dev-test). Baseline, word 1-2 grams +
balanced logistic regression (C=1): F1 0.816 at its best threshold (0.801 at 0.5), AP 0.891.
Adding character n-grams (char_wb 1-4, keeping case) is the one clear gain: F1 0.858, AP
0.924, mostly on dev-test (F1 0.781 -> 0.844). Sublinear tf and min_df=2 were kept from a
first round; C from 0.5 to 4 and char_wb 2-5 instead of 1-4 move F1 by under 0.01.
Handcrafted features (has a digit, has a percent or currency, capitalised words, length) added
nothing measurable and were dropped.
"""

import argparse
import gzip
import json
import time
from dataclasses import asdict, dataclass, replace

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from claims.extraction import calibration, metrics
from claims.extraction.dataset import TUNING_SPLITS, load_split
from claims.extraction.model import (
    DATA_DIR,
    DETECTOR_FORMAT,
    MODEL_FORMAT,
    MODEL_PATH,
    NORMALIZATION,
    TFIDF_PATH,
    OnnxClassifier,
    TfidfModel,
    file_sha256,
    normalize_and_lowercase,
    normalize_text,
    sigmoid,
)

# Written by `python -m claims.extraction.finetune export` (see finetune.py for the recipe).
# The second is trained on the other half of the "No" sentences (finetune.py --part 1).
FINETUNED_PATH = DATA_DIR / "checkworthiness-minilm.onnx"
FINETUNED_2_PATH = DATA_DIR / "checkworthiness-minilm-2.onnx"
FINETUNED_MAX_LENGTH = 96
# The components of the shipped detector, chosen with --compare on dev + dev-test.
DETECTOR_COMPONENTS = ("finetuned", "finetuned-2")
CANDIDATE_DETECTORS = [
    ("tfidf",),
    ("finetuned",),
    ("finetuned-2",),
    ("finetuned", "tfidf"),
    ("finetuned", "finetuned-2"),
    ("finetuned", "finetuned-2", "tfidf"),
]


@dataclass(frozen=True)
class Hyperparameters:
    """Settings of the pipeline; the defaults are the ones chosen by --search (see above)."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (1, 4)
    char_lowercase: bool = False
    min_df: int = 2
    sublinear_tf: bool = True
    C: float = 2.0


HYPERPARAMETERS = Hyperparameters()

SEARCH_GRID = [
    Hyperparameters(char_ngrams=char_ngrams, char_lowercase=lowercase)
    for char_ngrams in [(1, 4), (2, 5)]
    for lowercase in [False, True]
]
SEARCH_C = [0.5, 1.0, 2.0, 4.0]


def build_pipeline(hp: Hyperparameters) -> Pipeline:
    """The unfitted scikit-learn pipeline whose transform model.py re-implements."""
    # Lowercasing happens inside the preprocessor (scikit-learn ignores `lowercase` once a
    # preprocessor is given), so the same normalize_text() runs at training and at runtime.
    words = TfidfVectorizer(
        preprocessor=normalize_and_lowercase,
        lowercase=False,
        ngram_range=hp.word_ngrams,
        min_df=hp.min_df,
        sublinear_tf=hp.sublinear_tf,
        dtype=np.float64,
    )
    characters = TfidfVectorizer(
        analyzer="char_wb",
        preprocessor=normalize_and_lowercase if hp.char_lowercase else normalize_text,
        lowercase=False,
        ngram_range=hp.char_ngrams,
        min_df=hp.min_df,
        sublinear_tf=hp.sublinear_tf,
        dtype=np.float64,
    )
    features = FeatureUnion([("words", words), ("characters", characters)])
    classifier = LogisticRegression(
        C=hp.C, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=0
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def fit(hp: Hyperparameters = HYPERPARAMETERS) -> Pipeline:
    """Fit the pipeline on the train split."""
    texts, labels = load_split("train")
    return build_pipeline(hp).fit(texts, labels)


def export(pipeline: Pipeline, hp: Hyperparameters, threshold: float, notes: dict) -> bytes:
    """The model file (gzip'd JSON) for a fitted pipeline; identical input gives identical bytes."""
    classifier = pipeline.named_steps["classifier"]
    coef = classifier.coef_[0]
    blocks = []
    offset = 0
    for name, transformer in pipeline.named_steps["features"].transformer_list:
        vocabulary = transformer.vocabulary_
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        indices = np.array([vocabulary[term] for term in terms]) + offset
        blocks.append(
            {
                "name": name,
                "analyzer": transformer.analyzer,
                "ngram_range": list(transformer.ngram_range),
                "lowercase": transformer.preprocessor is normalize_and_lowercase,
                "sublinear_tf": transformer.sublinear_tf,
                "norm": transformer.norm,
                "terms": terms,
                "idf": [float(x) for x in transformer.idf_],
                "coef": [float(x) for x in coef[indices]],
            }
        )
        offset += len(terms)
    if offset != len(coef):
        raise AssertionError("the exported blocks do not cover every coefficient")
    data = {
        "format": MODEL_FORMAT,
        "normalization": NORMALIZATION,
        "blocks": blocks,
        "intercept": float(classifier.intercept_[0]),
        "threshold": threshold,
        "training": {
            "hyperparameters": asdict(hp),
            "classifier": "LogisticRegression(class_weight=balanced, solver=liblinear)",
            "scikit_learn": sklearn.__version__,
            **notes,
        },
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def score_tuning_splits(predict_proba, splits) -> list[tuple[list[bool], list[float]]]:
    """(labels, scores) of each tuning split, given (texts, labels) and a predict_proba."""
    return [(labels, list(predict_proba(texts)[:, 1])) for texts, labels in splits]


def train(hp: Hyperparameters = HYPERPARAMETERS) -> tuple[Pipeline, bytes]:
    """Fit on train, pick the threshold on dev + dev-test, and return the model file bytes."""
    pipeline = fit(hp)
    splits = [load_split(name) for name in TUNING_SPLITS]
    threshold, tuning_f1 = metrics.best_threshold(
        score_tuning_splits(pipeline.predict_proba, splits)
    )
    notes = {
        "threshold_rule": "maximises the mean F1 of dev and dev-test",
        "tuning_mean_f1": round(tuning_f1, 4),
    }
    return pipeline, export(pipeline, hp, threshold, notes)


def search() -> None:
    """Print, per setting, F1 and average precision on dev and on dev-test.

    F1 is taken at the threshold that maximises the mean F1 of the two splits, as train()
    chooses it. The best setting has the highest mean F1 + mean AP: F1 alone is too noisy on
    these small splits to separate settings (several tie within a sentence or two).
    """
    train_texts, train_labels = load_split("train")
    splits = [load_split(name) for name in TUNING_SPLITS]
    results = []
    for hp in SEARCH_GRID:
        # The features do not depend on C, so they are fitted once per setting.
        features = build_pipeline(hp).named_steps["features"]
        train_matrix = features.fit_transform(train_texts)
        matrices = [(features.transform(texts), labels) for texts, labels in splits]
        for c in SEARCH_C:
            classifier = build_pipeline(replace(hp, C=c)).named_steps["classifier"]
            classifier.fit(train_matrix, train_labels)
            scored = score_tuning_splits(classifier.predict_proba, matrices)
            threshold, mean_f1 = metrics.best_threshold(scored)
            f1s = [metrics.evaluate(y, p, threshold).f1 for y, p in scored]
            aps = [metrics.average_precision(y, p) for y, p in scored]
            mean_ap = sum(aps) / len(aps)
            results.append((mean_f1 + mean_ap, replace(hp, C=c)))
            print(
                f"F1 {mean_f1:.3f} (dev {f1s[0]:.3f}, dev-test {f1s[1]:.3f})  "
                f"AP {mean_ap:.3f} (dev {aps[0]:.3f}, dev-test {aps[1]:.3f})  "
                f"threshold {threshold:.3f}  {replace(hp, C=c)}",
                flush=True,
            )
    criterion, hp = max(results, key=lambda result: result[0])
    print(f"\nbest: mean F1 + mean AP {criterion:.3f}  {hp}")


COMPONENT_FILES = {
    "tfidf": TFIDF_PATH,
    "finetuned": FINETUNED_PATH,
    "finetuned-2": FINETUNED_2_PATH,
}


def component_description(name: str) -> dict:
    path = COMPONENT_FILES[name]
    description = {"name": name, "file": path.name, "sha256": file_sha256(path)}
    if name == "tfidf":
        return {**description, "kind": "tfidf"}
    return {**description, "kind": "onnx-classifier", "max_length": FINETUNED_MAX_LENGTH}


def component_scorer(name: str):
    if name == "tfidf":
        return TfidfModel.from_file(TFIDF_PATH)
    return OnnxClassifier(COMPONENT_FILES[name], FINETUNED_MAX_LENGTH)


def tuning_logits(names) -> list[tuple[np.ndarray, np.ndarray]]:
    """(component logits, labels) of dev and of dev-test."""
    scorers = [component_scorer(name) for name in names]
    out = []
    for split in TUNING_SPLITS:
        texts, labels = load_split(split)
        logits = np.stack([scorer.logits(texts) for scorer in scorers], axis=1)
        out.append((logits, np.asarray(labels, dtype=bool)))
    return out


def fit_combination(splits: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, float]:
    """Logistic regression on the components' logits, each split weighted equally."""
    features = np.concatenate([x for x, _ in splits])
    labels = np.concatenate([y for _, y in splits])
    weights = calibration.split_weights([len(y) for _, y in splits])
    return calibration.fit_logistic(features, labels, weights)


def fit_detector(names=DETECTOR_COMPONENTS) -> dict:
    """The detector file's content: components, calibrated weights and bias, threshold 0.5.

    The logistic regression fitted on dev + dev-test makes scores calibrated probabilities
    (by construction, on those splits' mix of 28% check-worthy), and the default cut-off is
    0.5: P(check-worthy) >= 0.5. The F1-best cut-off on the same splits is reported beside it
    (``training.f1_best_threshold``) but not used: thresholds tuned on dev + dev-test
    transferred poorly to later debates in trials, while 0.5 on calibrated scores means the
    same thing in every workspace.
    """
    splits = tuning_logits(names)
    weights, bias = fit_combination(splits)
    scored = [(list(y), list(sigmoid(bias + x @ weights))) for x, y in splits]
    best, best_f1 = metrics.best_threshold(scored)
    at_half = [metrics.evaluate(y, p, 0.5) for y, p in scored]
    probabilities = np.concatenate([p for _, p in scored])
    labels = np.concatenate([y for y, _ in scored])
    return {
        "format": DETECTOR_FORMAT,
        "normalization": NORMALIZATION,
        "components": [
            {**component_description(name), "weight": round(float(weight), 6)}
            for name, weight in zip(names, weights, strict=True)
        ],
        "bias": round(bias, 6),
        "threshold": 0.5,
        "training": {
            "combination": "logistic regression on component logits, dev + dev-test "
            "weighted equally (Platt scaling when there is one component)",
            "tuning_f1_at_threshold": {
                split: round(result.f1, 4)
                for split, result in zip(TUNING_SPLITS, at_half, strict=True)
            },
            "f1_best_threshold": round(best, 4),
            "tuning_mean_f1_at_best": round(best_f1, 4),
            "tuning_ece": round(calibration.expected_calibration_error(labels, probabilities), 4),
        },
    }


def detector_bytes(data: dict) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8")


def compare() -> None:
    """Cross-fitted scores of each candidate detector: fit on dev, score dev-test, and back.

    The combination and calibration are fitted on one tuning split and measured on the other,
    so a detector with more stacked components gains nothing from fitting its own test data.
    """
    names = sorted({name for candidate in CANDIDATE_DETECTORS for name in candidate})
    splits = {name: tuning_logits([name]) for name in names}
    for candidate in CANDIDATE_DETECTORS:
        columns = [splits[name] for name in candidate]
        tuning = [
            (np.hstack([column[i][0] for column in columns]), columns[0][i][1])
            for i in range(len(TUNING_SPLITS))
        ]
        for held_out in range(len(tuning)):
            fitted = tuning[1 - held_out]
            weights, bias = fit_combination([fitted])
            x, y = tuning[held_out]
            p = sigmoid(bias + x @ weights)
            # The alternative to 0.5: the F1-best cut-off of the split fitted on, carried over.
            carried, _ = metrics.best_threshold(
                [(list(fitted[1]), list(sigmoid(bias + fitted[0] @ weights)))]
            )
            at_half = metrics.evaluate(list(y), list(p), 0.5)
            at_carried = metrics.evaluate(list(y), list(p), carried)
            print(
                f"{'+'.join(candidate):<16} {TUNING_SPLITS[held_out]:<9} "
                f"AP {at_half.average_precision:.3f}  F1@0.5 {at_half.f1:.3f} "
                f"(P {at_half.precision:.3f} R {at_half.recall:.3f})  "
                f"F1@{carried:.2f} {at_carried.f1:.3f}",
                flush=True,
            )


def same_tfidf_model(fresh: bytes, shipped: bytes) -> bool:
    """Whether two TF-IDF model files hold the same model up to floating-point noise.

    Refitting on another CPU moves coefficients by ~1e-9 (summation order); keeping the
    shipped bytes then keeps MODEL_VERSION, and the scores stored under it, unchanged.
    """
    a, b = (json.loads(gzip.decompress(data)) for data in (fresh, shipped))
    if a["training"] != b["training"] or len(a["blocks"]) != len(b["blocks"]):
        return False
    numbers = [(a["intercept"], b["intercept"]), (a["threshold"], b["threshold"])]
    for block_a, block_b in zip(a["blocks"], b["blocks"], strict=True):
        if block_a["terms"] != block_b["terms"]:
            return False
        numbers += zip(
            block_a["coef"] + block_a["idf"], block_b["coef"] + block_b["idf"], strict=True
        )
    x, y = np.array(numbers).T
    return bool(np.allclose(x, y, rtol=0, atol=1e-7))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="run the hyperparameter search")
    parser.add_argument("--compare", action="store_true", help="compare candidate detectors")
    args = parser.parse_args(argv)
    if args.search:
        search()
        return
    if args.compare:
        compare()
        return
    started = time.perf_counter()
    _, model_bytes = train()
    if TFIDF_PATH.exists() and same_tfidf_model(model_bytes, TFIDF_PATH.read_bytes()):
        print(f"kept {TFIDF_PATH}: the refitted model equals it to 1e-7")
    else:
        TFIDF_PATH.write_bytes(model_bytes)
        print(f"wrote {TFIDF_PATH} ({len(model_bytes) / 1e6:.1f} MB)")
    detector = fit_detector()
    MODEL_PATH.write_bytes(detector_bytes(detector))
    print(f"wrote {MODEL_PATH}: {json.dumps(detector['training'])}")
    print(f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
