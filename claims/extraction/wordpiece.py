"""BERT's uncased WordPiece tokenizer in plain Python, over the bundled ``vocab.txt``.

It gives the token ids Hugging Face's ``BertTokenizer`` / ``tokenizers`` give for the
uncased all-MiniLM-L6-v2 vocabulary (``[CLS] ... [SEP]``, truncated to ``max_length``), without
their ~45 MB of dependencies. ``bench/tokenizer_parity.py`` compares the two on every
CheckThat! sentence; ``tests/extraction/test_encoder.py`` pins ids of fixed examples.

The steps are BERT's "basic" tokenization (drop control characters, map whitespace to spaces,
space out CJK ideographs, lowercase, strip accents, split on whitespace and punctuation) and
then greedy longest-match-first WordPiece on each word (continuations prefixed ``##``; a word
that cannot be covered, or longer than 100 characters, becomes ``[UNK]``).
"""

import functools
import unicodedata
from pathlib import Path

VOCAB_PATH = Path(__file__).parent / "data" / "vocab.txt"

_MAX_WORD_CHARS = 100
# Words are tokenized once per distinct word; bounded so junk input cannot grow it forever.
_WORD_CACHE_SIZE = 200_000


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Cn", "Co", "Cs")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # ASCII symbols such as $ + ^ ` are not Unicode punctuation but BERT splits them too.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _clean(text: str) -> str:
    """Drop NUL, U+FFFD and control characters; whitespace to spaces; space out CJK."""
    chars = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD or _is_control(char):
            continue
        if _is_whitespace(char):
            chars.append(" ")
        elif _is_cjk(code):
            chars.extend((" ", char, " "))
        else:
            chars.append(char)
    return "".join(chars)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _split_punctuation(word: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    for char in word:
        if _is_punctuation(char):
            if current:
                pieces.append("".join(current))
                current = []
            pieces.append(char)
        else:
            current.append(char)
    if current:
        pieces.append("".join(current))
    return pieces


class WordPieceTokenizer:
    """Text to BERT token ids: ``encode(text, max_length)``."""

    def __init__(self, vocab_path: Path = VOCAB_PATH) -> None:
        tokens = vocab_path.read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        self.vocab = {token: index for index, token in enumerate(tokens)}
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        self.pad_id = self.vocab["[PAD]"]
        self.unk_id = self.vocab["[UNK]"]
        self._cache: dict[str, tuple[int, ...]] = {}

    def basic_tokens(self, text: str) -> list[str]:
        """The words and punctuation marks WordPiece then splits further."""
        words = []
        for word in _clean(text).split():
            words.extend(_split_punctuation(_strip_accents(word.lower())))
        return words

    def _word_ids(self, word: str) -> tuple[int, ...]:
        ids = self._cache.get(word)
        if ids is not None:
            return ids
        if len(word) > _MAX_WORD_CHARS:
            ids = (self.unk_id,)
        else:
            found: list[int] = []
            start = 0
            while start < len(word):
                end = len(word)
                match = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    match = self.vocab.get(piece)
                    if match is not None:
                        break
                    end -= 1
                if match is None:
                    found = [self.unk_id]
                    break
                found.append(match)
                start = end
            ids = tuple(found)
        if len(self._cache) >= _WORD_CACHE_SIZE:
            self._cache.clear()
        self._cache[word] = ids
        return ids

    def encode(self, text: str, max_length: int = 128) -> list[int]:
        """``[CLS]`` + the text's WordPiece ids, cut to fit ``max_length``, + ``[SEP]``."""
        ids = [self.cls_id]
        limit = max_length - 1
        for word in self.basic_tokens(text):
            ids.extend(self._word_ids(word))
            if len(ids) >= limit:
                del ids[limit:]
                break
        ids.append(self.sep_id)
        return ids


@functools.cache
def load_tokenizer() -> WordPieceTokenizer:
    """The tokenizer of the bundled vocabulary, built once per process."""
    return WordPieceTokenizer()
