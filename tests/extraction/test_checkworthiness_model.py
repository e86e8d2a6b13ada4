"""The shipped model: numpy runtime == scikit-learn, reproducible, safe to load, no sklearn."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from claims.extraction import score_sentences
from claims.extraction.dataset import load_split
from claims.extraction.model import MODEL_PATH, CheckworthinessModel, load_model

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def retrained(tmp_path_factory):
    """Train afresh exactly as `python -m claims.extraction.train` does (about 15 s)."""
    from claims.extraction import train

    pipeline, model_bytes = train.train()
    path = tmp_path_factory.mktemp("model") / "checkworthiness.json.gz"
    path.write_bytes(model_bytes)
    return pipeline, path


def test_runtime_scores_match_scikit_learn_on_dev(retrained):
    pipeline, path = retrained
    texts, _ = load_split("dev")
    expected = pipeline.predict_proba(texts)[:, 1]
    runtime = CheckworthinessModel.from_file(path)
    actual = runtime.probabilities(texts)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-9)


def test_shipped_model_is_what_training_produces(retrained):
    """Fails if the code (features, normalisation, hyperparameters) changed without retraining."""
    pipeline, path = retrained
    texts, _ = load_split("dev")
    np.testing.assert_allclose(
        score_sentences(texts), pipeline.predict_proba(texts)[:, 1], rtol=0, atol=1e-6
    )
    fresh = CheckworthinessModel.from_file(path)
    shipped = load_model()
    assert fresh.threshold == pytest.approx(shipped.threshold, abs=1e-9)
    for fresh_block, shipped_block in zip(fresh.blocks, shipped.blocks, strict=True):
        assert fresh_block.vocabulary == shipped_block.vocabulary
        np.testing.assert_allclose(fresh_block.idf, shipped_block.idf, rtol=1e-9)
        np.testing.assert_allclose(fresh_block.coef, shipped_block.coef, rtol=1e-6, atol=1e-9)


def test_model_file_is_small_gzip_json():
    raw = MODEL_PATH.read_bytes()
    assert len(raw) < 10_000_000
    assert raw[:2] == b"\x1f\x8b"  # gzip, and inside it JSON: nothing that runs code on load
    data = json.loads(gzip.decompress(raw))
    assert 0 < data["threshold"] < 1
    assert [block["analyzer"] for block in data["blocks"]] == ["word", "char_wb"]


def test_scores_are_probabilities_in_order():
    sentences = [
        "The unemployment rate fell to 3.7 percent last year.",
        "Thank you very much.",
        "",
        "😀" * 50,
    ]
    scores = score_sentences(sentences)
    assert len(scores) == len(sentences)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores[0] > scores[1]
    assert score_sentences(list(reversed(sentences))) == list(reversed(scores))
    assert score_sentences([]) == []


def test_runtime_needs_neither_scikit_learn_nor_scipy():
    code = (
        "import sys\n"
        "from claims.extraction import MODEL_VERSION, extract_candidates\n"
        "extract_candidates('The deficit doubled to $3 trillion in 2020.', include_all=True)\n"
        "print(MODEL_VERSION)\n"
        "assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules, 'imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True, capture_output=True)
