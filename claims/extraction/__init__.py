"""Find check-worthy claims in an article's plain text. Plain Python: no Django, no ORM.

    split_sentences(text)      sentences with exact character offsets     (segment.py)
    score_sentences(texts)     P(check-worthy) per sentence               (model.py)
    extract_candidates(text)   ranked candidates, model + explicit rules  (candidates.py, rules.py)
    MODEL_VERSION              short hash of the shipped model file, to store beside scores

The model is trained by ``python -m claims.extraction.train`` and measured by
``python -m claims.extraction.evaluate``; only numpy and pysbd are needed at runtime.
"""

from claims.extraction.candidates import Candidate, extract_candidates
from claims.extraction.model import model_version, score_sentences
from claims.extraction.segment import Sentence, split_sentences

__all__ = [
    "MODEL_VERSION",
    "Candidate",
    "Sentence",
    "extract_candidates",
    "score_sentences",
    "split_sentences",
]


def __getattr__(name: str) -> str:
    # MODEL_VERSION hashes the model file, so it is computed on first use rather than at
    # import: importing the package (as the training command does) must work without it.
    if name == "MODEL_VERSION":
        return model_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
