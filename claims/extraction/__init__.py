"""Find check-worthy claims in an article's plain text. Plain Python: no Django, no ORM.

    split_sentences(text)      sentences with exact character offsets     (segment.py)
    score_sentences(texts)     calibrated P(check-worthy) per sentence    (model.py)
    extract_candidates(text)   ranked candidates, model + explicit rules  (candidates.py, rules.py)
                               page furniture, cues, needs_context        (furniture.py, cues.py)
    MODEL_VERSION              short hash of the shipped model file, to store beside scores

The detector is trained by ``python -m claims.extraction.train`` (its fine-tuned MiniLM by
``python -m claims.extraction.finetune``) and measured by ``python -m claims.extraction.evaluate``;
numpy, onnxruntime and pysbd are needed at runtime (no torch, no scikit-learn). The sentence
encoder shared with claim matching is ``claims.extraction.encoder.embed``.
Selection on news is measured by ``python -m claims.extraction.news_eval`` (data/news/).
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
