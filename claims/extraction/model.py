"""Score sentences for check-worthiness: the shipped detector, and the TF-IDF baseline.

The shipped detector (``MODEL_PATH``, plain JSON) names its components and how their logits
combine: as shipped, two fine-tuned MiniLM classifiers run as int8 ONNX by onnxruntime
(``OnnxClassifier``; a TF-IDF model can be a component too), combined and calibrated by one
logistic regression so that scores are probabilities and >= 0.5 means check-worthy.
``train.py`` fits the combination and calibration on dev + dev-test; ``finetune.py`` (torch,
offline only) makes the ONNX files. Nothing here imports torch or scikit-learn, and no model
file is a pickle.

The TF-IDF model (``TFIDF_PATH``) is TF-IDF word n-grams + TF-IDF character n-grams fed to a
logistic regression (see ``train.py``). It ships as gzip'd JSON: vocabularies, idf weights,
coefficients, intercept, decision threshold and preprocessing settings.

JSON rather than pickle/joblib because loading a pickle runs code, and because it frees the
web app and workers from scikit-learn: this module re-implements the transform of
scikit-learn's ``TfidfVectorizer`` (its "word" and "char_wb" analyzers, sublinear tf, idf,
l2 norm) and ``LogisticRegression.predict_proba``.
``tests/extraction/test_checkworthiness_model.py`` checks that the two agree to 1e-9.

The text normalisation defined here is the single definition used both at training time
(``train.py`` hands it to scikit-learn as the preprocessor) and at runtime.
"""

import functools
import gzip
import hashlib
import json
import re
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).parent / "data"
# The shipped detector: components, stacking weights and calibration, as plain JSON.
MODEL_PATH = DATA_DIR / "detector.json"
DETECTOR_FORMAT = "claims.extraction/detector/1"
# The TF-IDF model: the baseline, and a component the detector may stack.
TFIDF_PATH = DATA_DIR / "checkworthiness.json.gz"
MODEL_FORMAT = "claims.extraction/checkworthiness/1"

# The training sentences are debate transcripts typed in ASCII ("--", straight quotes);
# news text uses typographic punctuation. Map it onto the ASCII the model has seen.
NORMALIZATION = "typography-1"
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2013": "--",
        "\u2014": "--",
        "\u2015": "--",
        "\u2026": "...",
        "\u00a0": " ",
    }
)

# scikit-learn's defaults, which the training code keeps.
_TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")


def normalize_text(text: str) -> str:
    """Replace typographic quotes, dashes and ellipses with the ASCII the model was trained on."""
    return text.translate(_TYPOGRAPHY)


def normalize_and_lowercase(text: str) -> str:
    """Normalise, then lowercase: the preprocessing of the word n-gram vectorizer."""
    return normalize_text(text).lower()


def word_ngrams(document: str, ngram_range: tuple[int, int]) -> list[str]:
    """Tokens and token n-grams, as scikit-learn's "word" analyzer makes them."""
    tokens = _TOKEN_PATTERN.findall(document)
    min_n, max_n = ngram_range
    grams = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(document: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams inside space-padded words, as scikit-learn's "char_wb" analyzer."""
    min_n, max_n = ngram_range
    grams = []
    for word in _WHITE_SPACES.sub(" ", document).split():
        word = f" {word} "
        for n in range(min_n, max_n + 1):
            grams.extend(word[i : i + n] for i in range(max(len(word) - n, 0) + 1))
            if n >= len(word):
                break  # a word shorter than n yields itself once, and no longer n-grams
    return grams


_ANALYZERS = ("word", "char_wb")

# Character n-grams are looked up once per distinct word rather than once per occurrence:
# that is most of the scoring time saved. Bounded so a flood of junk words cannot grow it.
_WORD_CACHE_SIZE = 100_000


class _Block:
    """One TF-IDF vectorizer and its slice of the logistic regression coefficients."""

    def __init__(self, settings: dict) -> None:
        self.analyzer: str = settings["analyzer"]
        self.ngram_range: tuple[int, int] = tuple(settings["ngram_range"])
        self.lowercase: bool = settings["lowercase"]
        self.sublinear_tf: bool = settings["sublinear_tf"]
        self.vocabulary = {term: index for index, term in enumerate(settings["terms"])}
        self.idf = np.array(settings["idf"], dtype=np.float64)
        self.coef = np.array(settings["coef"], dtype=np.float64)
        self._word_cache: dict[str, tuple[int, ...]] = {}

    def term_indices(self, text: str) -> list[int]:
        """The vocabulary index of each n-gram occurrence in ``text``, unknown n-grams dropped."""
        document = normalize_and_lowercase(text) if self.lowercase else normalize_text(text)
        vocabulary = self.vocabulary
        if self.analyzer == "word":
            grams = word_ngrams(document, self.ngram_range)
            return [index for gram in grams if (index := vocabulary.get(gram)) is not None]
        indices = []
        # char_wb n-grams never cross a word boundary, so a document's n-grams are its words'
        # n-grams one after the other.
        for word in _WHITE_SPACES.sub(" ", document).split():
            word_indices = self._word_cache.get(word)
            if word_indices is None:
                grams = char_wb_ngrams(word, self.ngram_range)
                word_indices = tuple(
                    index for gram in grams if (index := vocabulary.get(gram)) is not None
                )
                if len(self._word_cache) >= _WORD_CACHE_SIZE:
                    self._word_cache.clear()
                self._word_cache[word] = word_indices
            indices.extend(word_indices)
        return indices

    def decisions(self, texts: list[str]) -> np.ndarray:
        """Each text's contribution to the logit: <l2-normalised tf-idf vector, coefficients>."""
        rows: list[int] = []
        columns: list[int] = []
        for row, text in enumerate(texts):
            indices = self.term_indices(text)
            rows.extend([row] * len(indices))
            columns.extend(indices)
        # Count each (text, term) pair: the sparse count matrix CountVectorizer would build.
        width = len(self.vocabulary)
        pairs = np.array(rows, dtype=np.int64) * width + np.array(columns, dtype=np.int64)
        pairs, counts = np.unique(pairs, return_counts=True)
        rows_of, terms_of = np.divmod(pairs, width)
        tf = 1.0 + np.log(counts) if self.sublinear_tf else counts.astype(np.float64)
        weights = tf * self.idf[terms_of]
        squares = np.bincount(rows_of, weights=weights * weights, minlength=len(texts))
        dots = np.bincount(rows_of, weights=weights * self.coef[terms_of], minlength=len(texts))
        norms = np.sqrt(squares)
        return np.divide(dots, norms, out=np.zeros(len(texts)), where=norms > 0)


class TfidfModel:
    """The TF-IDF model: probability that a sentence is check-worthy, and its cut-off."""

    def __init__(self, data: dict) -> None:
        if data["format"] != MODEL_FORMAT or data["normalization"] != NORMALIZATION:
            raise ValueError("the model file was written for another version of this code")
        for block in data["blocks"]:
            if block["analyzer"] not in _ANALYZERS or block["norm"] != "l2":
                raise ValueError(f"unsupported vectorizer settings in block {block['name']}")
        self.blocks = [_Block(block) for block in data["blocks"]]
        self.intercept: float = data["intercept"]
        self.threshold: float = data["threshold"]

    @classmethod
    def from_file(cls, path: Path) -> "TfidfModel":
        with gzip.open(path, "rt", encoding="utf-8") as file:
            return cls(json.load(file))

    def logits(self, texts: list[str]) -> np.ndarray:
        """The logistic regression's decision function (log-odds) per text."""
        logits = np.full(len(texts), self.intercept, dtype=np.float64)
        for block in self.blocks:
            logits += block.decisions(texts)
        return logits

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """P(check-worthy) per text, as LogisticRegression.predict_proba computes it."""
        return sigmoid(self.logits(texts))


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), exponentiating only non-positive numbers so nothing overflows."""
    logits = np.asarray(logits, dtype=np.float64)
    odds = np.exp(-np.abs(logits))
    return np.where(logits >= 0, 1.0 / (1.0 + odds), odds / (1.0 + odds))


class OnnxClassifier:
    """The fine-tuned MiniLM classifier: WordPiece ids in, logit of "check-worthy" out.

    The session is created on first use, on one intra-op thread (see encoder.create_session).
    Each sentence is run alone, so its score does not depend on its neighbours (see
    encoder.run_each).
    """

    def __init__(self, path: Path, max_length: int) -> None:
        self.path = path
        self.max_length = max_length
        self._session = None

    def logits(self, texts: list[str]) -> np.ndarray:
        from claims.extraction.encoder import create_session, run_each
        from claims.extraction.wordpiece import load_tokenizer

        if not texts:
            return np.zeros(0, dtype=np.float64)
        if self._session is None:
            self._session = create_session(self.path)
        tokenizer = load_tokenizer()
        ids = [tokenizer.encode(normalize_text(text), self.max_length) for text in texts]
        return np.asarray(run_each(self._session, "logit", ids), dtype=np.float64)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Detector:
    """The shipped detector: a calibrated linear combination of its components' logits.

    P(check-worthy) = sigmoid(bias + sum of weight * component logit); ``threshold`` (0.5 when
    calibrated as shipped) is the default cut-off.
    """

    def __init__(self, data: dict, directory: Path = DATA_DIR) -> None:
        if data["format"] != DETECTOR_FORMAT or data["normalization"] != NORMALIZATION:
            raise ValueError("the detector file was written for another version of this code")
        self.names: list[str] = []
        self.components = []
        self.weights: list[float] = []
        for component in data["components"]:
            path = directory / component["file"]
            if component["kind"] == "tfidf":
                scorer = TfidfModel.from_file(path)
            elif component["kind"] == "onnx-classifier":
                scorer = OnnxClassifier(path, component["max_length"])
            else:
                raise ValueError(f"unknown component kind {component['kind']!r}")
            self.names.append(component["name"])
            self.components.append(scorer)
            self.weights.append(float(component["weight"]))
        self.bias: float = float(data["bias"])
        self.threshold: float = float(data["threshold"])

    @classmethod
    def from_file(cls, path: Path) -> "Detector":
        return cls(json.loads(path.read_text(encoding="utf-8")), path.parent)

    def component_logits(self, texts: list[str]) -> np.ndarray:
        """(len(texts), components) logits, before the combination."""
        columns = [component.logits(texts) for component in self.components]
        return np.stack(columns, axis=1) if columns else np.zeros((len(texts), 0))

    def logits(self, texts: list[str]) -> np.ndarray:
        return self.bias + self.component_logits(texts) @ np.array(self.weights)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Calibrated P(check-worthy) per text."""
        return sigmoid(self.logits(list(texts)))


@functools.cache
def load_model() -> Detector:
    """The shipped detector, read once per process."""
    return Detector.from_file(MODEL_PATH)


@functools.cache
def load_tfidf() -> TfidfModel:
    """The TF-IDF baseline, read once per process."""
    return TfidfModel.from_file(TFIDF_PATH)


@functools.cache
def model_version() -> str:
    """A short hash of the shipped detector file, so stored scores can name their model.

    The detector file records the sha256 of each component file, so this changes whenever
    any of them does.
    """
    return file_sha256(MODEL_PATH)[:12]


def score_sentences(sentences: list[str]) -> list[float]:
    """P(check-worthy) in [0, 1] for each sentence, in the same order."""
    return [float(p) for p in load_model().probabilities(list(sentences))]
