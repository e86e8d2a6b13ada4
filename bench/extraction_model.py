"""Per-sentence time of the check-worthiness detector and the sentence encoder, on one core.

    .venv/bin/python bench/extraction_model.py [--sentences 500]

Pins the process to one CPU and every library to one thread, loads each model once (timed),
then scores dev-set sentences (debate sentences, mean ~20 words) in calls of 32, as the
extraction task does per article. Prints its figures; asserts nothing. On a busy machine the
figures are upper bounds: run it when nothing else is.
"""

import os

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claims.extraction import encoder  # noqa: E402
from claims.extraction.dataset import load_split  # noqa: E402
from claims.extraction.model import load_model, load_tfidf  # noqa: E402

CALL_SIZE = 32


def per_sentence(work, texts: list[str]) -> float:
    """Milliseconds per sentence of work(batch) over texts in calls of CALL_SIZE (best of 2)."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        for start in range(0, len(texts), CALL_SIZE):
            work(texts[start : start + CALL_SIZE])
        best = min(best, time.perf_counter() - started)
    return best / len(texts) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=500)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = load_split("dev")[0][: args.sentences]

    started = time.perf_counter()
    detector = load_model()
    detector.probabilities(["Warm-up."])  # the ONNX session is created on first use
    print(f"detector load + first score: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    encoder.embed(["Warm-up."])
    print(f"encoder load + first embedding: {time.perf_counter() - started:.2f} s")

    print(f"\nper sentence, one core, calls of {CALL_SIZE}, {len(texts)} dev sentences:")
    print(
        f"  shipped detector ({'+'.join(detector.names)}): "
        f"{per_sentence(detector.probabilities, texts):.2f} ms"
    )
    for name, component in zip(detector.names, detector.components, strict=True):
        print(f"    component {name}: {per_sentence(component.logits, texts):.2f} ms")
    print(f"  TF-IDF baseline: {per_sentence(load_tfidf().probabilities, texts):.2f} ms")
    print(f"  sentence encoder (embed): {per_sentence(encoder.embed, texts):.2f} ms")


if __name__ == "__main__":
    main()
