"""Matching claims against what the desk has already seen and checked.

    encode(vector) / decode(blob)   an embedding as stored on Claim.embedding (float16 bytes)
    compare(a, b, cosine)           "same" claim, "related", or None: cosine plus a check that
                                    numbers, negation, direction and names agree
    claim_fields(workspace_id, texts)   embedding, model and best earlier match for new claims
                                    (called by services.extract_claims / add_manual_claim)
    nearest(workspace_id, vectors, k)   THE one place that knows where vectors live
    similar(claim_or_text, workspace, k=10, published_only=False)   [(claim_id, score)]
    matches_for(claim)              what the claim page shows: checked before / similar open
    point_matches_at(claim)         after a verdict is published: similar open claims now
                                    match it, so the queue's "already checked" filter sees them
    rematch(workspace_id, claims)   after embed_claims re-embedded claims: their matches
                                    recomputed with the new encoder

Why not cosine alone: sentence encoders place "crime fell 12 percent" and "crime fell 21
percent", or "X is true" and "X is not true", very close together. For a fact-checker those are
different claims, so a high cosine only makes a "same claim" when the numbers, the negation, the
direction words (rose/fell) and the proper names of both sentences agree; otherwise the match
is demoted to "related". Thresholds were chosen on the dev half of
claims/matching_data/paraphrases.tsv (`python -m claims.matching_eval --sweep`).

Where vectors live: each process keeps, per workspace, a float32 matrix of the current
encoder's embeddings (one row per claim). Every lookup reads the largest embedded claim id (the
end of an index) and appends newer claims; every 10 minutes the row count is compared too, and
a difference (deleted claims, claims embedded late by embed_claims) reloads the matrix.
Top-10 among 100,000 claims is one matrix-vector product (about 15 ms of CPU on one core,
bench/matching.py). Past about a million claims, or with many web processes each holding a
copy, move the vectors into PostgreSQL with pgvector (an HNSW index,
`ORDER BY embedding <=> %s LIMIT k`): only `nearest()` changes.
"""

import logging
import re
import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np
from django.db.models import Max, Q

from claims.models import Claim

logger = logging.getLogger(__name__)

STORAGE_DTYPE = np.float16

# Cosine at or above SAME_THRESHOLD, with numbers, negation, direction and names agreeing:
# the same claim. At or above RELATED_THRESHOLD: worth showing as related. Chosen on the dev
# split of the paraphrase set (see claims/matching_eval.py).
SAME_THRESHOLD = 0.82
RELATED_THRESHOLD = 0.55

# How many nearest neighbours to fetch before filtering by status: a published match can sit
# behind open near-copies of the same claim.
CANDIDATE_POOL = 100

# How often an index compares its row count with the database, to notice deleted claims
# and claims embedded after newer ones (embed_claims); it reloads when they differ.
INDEX_MAX_AGE_SECONDS = 600


class MatchingUnavailable(Exception):
    """The sentence encoder cannot be loaded (its model file or onnxruntime is missing)."""


# --- The encoder ----------------------------------------------------------------------------


def _encoder():
    """The encoder module, imported on first use (it loads an ONNX model)."""
    try:
        from claims.extraction import encoder
    except ImportError as exc:  # the model or its runtime is not installed
        raise MatchingUnavailable(f"The sentence encoder is not available: {exc}") from exc
    if not encoder.ENCODER_PATH.exists():
        raise MatchingUnavailable(
            f"The sentence encoder's model is missing: {encoder.ENCODER_PATH}"
        )
    return encoder


def encoder_version() -> str:
    return _encoder().ENCODER_VERSION


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.asarray(_encoder().embed(list(texts)), dtype=np.float32)


def encode(vector: np.ndarray) -> bytes:
    """An embedding as stored: float16, 2 bytes a dimension (768 bytes for 384 dimensions)."""
    return np.asarray(vector, dtype=STORAGE_DTYPE).tobytes()


def decode(blob: bytes | memoryview) -> np.ndarray:
    """The stored bytes back as a float32 vector."""
    return np.frombuffer(bytes(blob), dtype=STORAGE_DTYPE).astype(np.float32)


# --- "Same claim": cosine plus what cosine misses -------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z'.-]*[A-Za-z]|[A-Za-z]")
_NUMBER = re.compile(
    r"(?<![\w.])(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)\s*"
    r"(%|percent|per cent|thousand|million|billion|trillion|bn|m\b|k\b)?",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
    # "Nobody waits" says a number (none), not a negation of "4 million wait".
    "none": 0, "nobody": 0, "nothing": 0,
}  # fmt: skip
_SCALES = {
    "hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "bn": 1e9,
    "billion": 1e9, "trillion": 1e12,
}  # fmt: skip
_NEGATIONS = {
    "not", "no", "never", "nowhere", "neither", "nor", "cannot", "without", "fail", "fails",
    "failed", "deny", "denies", "denied", "refused", "refuses",
}  # fmt: skip
_UP = {
    "rise", "rises", "rose", "risen", "rising", "increase", "increased", "increases",
    "increasing", "grew", "grow", "grows", "grown", "growing", "growth", "higher", "highest",
    "more", "most", "up", "gain", "gained", "gains", "jumped", "soared", "surged", "climbed",
    "doubled", "tripled", "raised", "boosted", "expanded", "larger", "largest", "bigger",
    "biggest", "above", "exceeds", "exceeded", "better", "best", "strongest",
    "raise", "raises", "create", "creates", "created", "add", "adds", "added",
}  # fmt: skip
_DOWN = {
    "fall", "falls", "fell", "fallen", "falling", "decrease", "decreased", "decreases",
    "decline", "declined", "declines", "declining", "drop", "dropped", "drops", "lower",
    "lowest", "less", "least", "fewer", "fewest", "down", "cut", "cuts", "shrank", "shrunk",
    "plunged", "slumped", "halved", "reduced", "lowered", "smaller", "smallest", "below",
    "worse", "worst", "weakest", "lost", "loss", "losses", "reduce", "reduces",
    "lose", "loses", "cost", "costs", "reduction", "reductions", "eliminate", "eliminates",
    "eliminated", "destroyed",
}  # fmt: skip
# Capitalised words that are not names: sentence openers, titles, days and months are left
# to the other checks (a changed date is a changed number or a changed word the encoder sees).
_NOT_NAMES = {
    "the", "a", "an", "in", "on", "at", "he", "she", "it", "we", "they", "i", "you", "this",
    "that", "these", "those", "there", "our", "my", "his", "her", "their", "its", "and", "but",
    "so", "if", "when", "as", "after", "before", "since", "while", "for", "of", "by", "with",
    "from", "to", "according", "last", "next", "more", "most", "some", "many", "all", "every",
    "each", "no", "not", "one", "mr", "mrs", "ms", "dr", "president", "senator", "governor",
    "now", "today", "yesterday", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "what", "why", "how", "who",
    "than", "over", "under", "about", "nearly", "almost", "only", "just", "also", "even",
    "do", "does", "did", "is", "are", "was", "were", "has", "have", "had",
}  # fmt: skip
# Different names for the same thing, so a rewording that swaps them is not a new entity.
_ALIASES = {
    "us": "america", "u.s": "america", "u.s.": "america", "usa": "america",
    "american": "america", "americans": "america", "united": "america",
    "uk": "britain", "british": "britain", "u.k": "britain", "england": "britain",
}  # fmt: skip


@dataclass(frozen=True)
class Facts:
    """What cosine similarity glosses over, read from one sentence."""

    numbers: frozenset
    negated: bool
    directions: frozenset
    names: frozenset
    words: frozenset = field(repr=False)


def facts(text: str) -> Facts:
    text = text.replace("\u2019", "'").replace("n't", " not")
    words = [w.strip(".'-") for w in _WORD.findall(text)]
    lowered = [w.lower() for w in words]
    numbers = set()
    for match in _NUMBER.finditer(text):
        digits, unit = match.group(1), (match.group(2) or "").lower()
        value = float(digits.replace(",", ""))
        numbers.add(_round(value * _SCALES.get(unit, 1)))
    numbers |= _spelled_numbers(lowered)
    negations = sum(1 for w in lowered if w in _NEGATIONS)
    directions = {"up" for w in lowered if w in _UP} | {"down" for w in lowered if w in _DOWN}
    names = set()
    for word, low in zip(words, lowered, strict=True):
        low = low.removesuffix("'s")  # "Germany's" names Germany; "We've" names nobody
        if not word[0].isupper() or low in _NOT_NAMES or "'" in low or _spelled(low) is not None:
            continue
        names.add(_ALIASES.get(low, low))
    return Facts(
        numbers=frozenset(numbers),
        negated=negations % 2 == 1,
        directions=frozenset(directions),
        names=frozenset(names),
        words=frozenset(_ALIASES.get(w, w) for w in lowered),
    )


def _spelled(word: str) -> float | None:
    """ "twelve" -> 12, "twenty-three" -> 23; None if the word is not a number."""
    parts = word.split("-")
    if all(part in _NUMBER_WORDS for part in parts):
        return float(sum(_NUMBER_WORDS[part] for part in parts))
    return None


def _spelled_numbers(words: list[str]) -> set[float]:
    """Numbers written in words: "thirty thousand", "a million", "four billion"."""
    found = set()
    for index, word in enumerate(words):
        value = _spelled(word)
        if value is None:
            if word in _SCALES and len(word) > 2 and index and words[index - 1] in ("a", "one"):
                value = 1.0  # "a million people"
            else:
                continue
        elif index and _spelled(words[index - 1]) is not None:
            continue  # counted with the word before ("a dozen", "twenty three")
        following = index + 1
        while following < len(words) and words[following] in _SCALES:
            value *= _SCALES[words[following]]
            following += 1
        found.add(_round(value if _spelled(word) is not None else value * _SCALES[word]))
    return found


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def _names_swapped(a: Facts, b: Facts) -> bool:
    """Each sentence names something the other does not mention at all: a different subject."""

    def missing(names, other_words):
        return {n for n in names if not any(_same_word(n, w) for w in other_words)}

    return bool(missing(a.names, b.words)) and bool(missing(b.names, a.words))


def _same_word(name: str, word: str) -> bool:
    # "Syria" / "Syrian", "Democrats" / "Democratic": one a prefix of the other, or a
    # shared stem of 6+ letters.
    if name == word:
        return True
    shorter, longer = sorted((name, word), key=len)
    return (len(shorter) >= 4 and longer.startswith(shorter)) or (
        len(shorter) >= 6 and name[:6] == word[:6]
    )


def conflicts(a: str | Facts, b: str | Facts) -> list[str]:
    """Why two similar sentences are not the same claim (empty: nothing found)."""
    a = a if isinstance(a, Facts) else facts(a)
    b = b if isinstance(b, Facts) else facts(b)
    reasons = []
    if a.numbers != b.numbers and not (
        a.numbers and b.numbers and (a.numbers <= b.numbers or b.numbers <= a.numbers)
    ):
        reasons.append("numbers differ")
    if a.negated != b.negated:
        reasons.append("one is negated")
    if a.directions and b.directions and not (a.directions & b.directions):
        reasons.append("opposite direction")
    if _names_swapped(a, b):
        reasons.append("different names")
    return reasons


@dataclass(frozen=True)
class Relation:
    """How two sentences relate: kind is "same", "related" or None."""

    kind: str | None
    score: float
    reasons: tuple = ()


def compare(a: str | Facts, b: str | Facts, cosine: float) -> Relation:
    """Classify a pair whose embeddings have this cosine similarity."""
    if cosine < RELATED_THRESHOLD:
        return Relation(None, cosine)
    reasons = tuple(conflicts(a, b))
    same = cosine >= SAME_THRESHOLD and not reasons
    return Relation("same" if same else "related", cosine, reasons)


# --- The per-workspace index ----------------------------------------------------------------


@dataclass
class _Index:
    version: str
    last: int  # the largest claim id loaded
    ids: np.ndarray
    matrix: np.ndarray
    checked_at: float  # when the row count was last compared with the database

    def top(self, vectors: np.ndarray, k: int, exclude: set[int]) -> list[list[tuple]]:
        """For each row of `vectors` (n, dim): the k best (claim_id, cosine), best first.

        One matrix product for all rows, so the claims matrix is read once per call.
        """
        if not len(self.ids) or k <= 0:
            return [[] for _ in vectors]
        all_scores = self.matrix @ vectors.T  # (claims, n)
        want = min(len(self.ids), k + len(exclude))
        results = []
        for scores in all_scores.T:
            if want < len(scores):
                best = np.argpartition(-scores, want - 1)[:want]
            else:
                best = np.arange(len(scores))
            best = best[np.argsort(-scores[best], kind="stable")]
            found = [(int(self.ids[row]), float(scores[row])) for row in best]
            results.append([pair for pair in found if pair[0] not in exclude][:k])
        return results


_indexes: dict[int, _Index] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every loaded index (tests; a process that re-embedded)."""
    with _lock:
        _indexes.clear()


def _embedded(workspace_id: int, version: str):
    return Claim.objects.filter(workspace_id=workspace_id, embedding_model=version)


def _stamp(workspace_id: int, version: str) -> int:
    """The largest id among the workspace's claims with current embeddings: read from the end
    of an index, so it costs the same at 100 claims as at a million."""
    return _embedded(workspace_id, version).aggregate(last=Max("pk"))["last"] or 0


def _count(workspace_id: int, version: str) -> int:
    return _embedded(workspace_id, version).count()


def _load(workspace_id: int, version: str, after: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rows = (
        _embedded(workspace_id, version)
        .filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "embedding")
        .iterator(chunk_size=5000)
    )
    ids, blobs = [], []
    for pk, blob in rows:
        ids.append(pk)
        blobs.append(bytes(blob))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype=STORAGE_DTYPE).reshape(len(ids), -1)
    return np.asarray(ids, dtype=np.int64), matrix.astype(np.float32)


def _index_for(workspace_id: int) -> _Index:
    """The workspace's index, brought up to date with the database.

    Every call reads the largest embedded claim id (cheap) and appends newer claims. Every
    INDEX_MAX_AGE_SECONDS it also counts the rows (a scan of the index): a different count
    means claims were deleted or embedded out of order (embed_claims), and the index reloads.
    Until then a deleted claim may still be found here; readers look matches up in the
    database, which drops it.
    """
    version = encoder_version()
    last = _stamp(workspace_id, version)
    with _lock:
        index = _indexes.get(workspace_id)
        if index is None or index.version != version:
            return _reload(workspace_id, version)
        if last > index.last:
            ids, matrix = _load(workspace_id, version, after=index.last)
            if len(ids):
                # A new object, never changed in place: other threads may be reading the old.
                index = replace(
                    index,
                    last=int(ids[-1]),
                    ids=np.concatenate([index.ids, ids]),
                    matrix=np.vstack([index.matrix, matrix]) if index.matrix.size else matrix,
                )
        if time.monotonic() - index.checked_at > INDEX_MAX_AGE_SECONDS:
            if _count(workspace_id, version) != len(index.ids):
                return _reload(workspace_id, version)
            index = replace(index, checked_at=time.monotonic())
        _indexes[workspace_id] = index
        return index


def _reload(workspace_id: int, version: str) -> _Index:
    ids, matrix = _load(workspace_id, version)
    last = int(ids[-1]) if len(ids) else 0
    index = _Index(version, last, ids, matrix, time.monotonic())
    _indexes[workspace_id] = index
    return index


def nearest(
    workspace_id: int, vectors: np.ndarray, k: int, *, exclude: set[int] = frozenset()
) -> list[list[tuple[int, float]]]:
    """For each row of `vectors`, the k claims of the workspace closest by cosine, best first.

    The only function that knows where vectors live. With pgvector it becomes, per row,
    `SELECT id, 1 - (embedding <=> %s) FROM claims_claim WHERE workspace_id = %s
    ORDER BY embedding <=> %s LIMIT k` on an HNSW index; its callers stay as they are.
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    return _index_for(workspace_id).top(vectors, k, set(exclude))


# --- Reading and writing matches ------------------------------------------------------------


def vector_of(claim: Claim) -> np.ndarray:
    """The claim's stored embedding when it is from the current encoder, else computed now."""
    if claim.embedding and claim.embedding_model == encoder_version():
        return decode(claim.embedding)
    return embed([claim.text])[0]


def similar(
    claim_or_text: Claim | str,
    workspace,
    *,
    k: int = 10,
    published_only: bool = False,
) -> list[tuple[int, float]]:
    """The k claims of the workspace most similar to a claim or a text: [(claim_id, cosine)].

    With published_only, only claims whose verdict is published (the desk's checked claims).
    """
    workspace_id = getattr(workspace, "pk", workspace)
    if isinstance(claim_or_text, Claim):
        vector, exclude = vector_of(claim_or_text), {claim_or_text.pk}
    else:
        vector, exclude = embed([claim_or_text])[0], set()
    # Over-fetch: some neighbours may be deleted, or (published_only) not published.
    [found] = nearest(
        workspace_id, vector, CANDIDATE_POOL if published_only else k + 10, exclude=exclude
    )
    rows = Claim.objects.filter(workspace_id=workspace_id, pk__in=[pk for pk, _ in found])
    if published_only:
        rows = rows.filter(status=Claim.Status.PUBLISHED)
    keep = set(rows.values_list("pk", flat=True))
    return [(pk, score) for pk, score in found if pk in keep][:k]


def claim_fields(workspace_id: int, texts: list[str]) -> list[dict]:
    """Fields for new claims of the workspace: their embedding and their best earlier match.

    The match is a claim already in the workspace that says the same thing; one with a
    published verdict wins over a closer open one, so the queue can tell "already checked".
    If the encoder is unavailable the claims are stored without embeddings (the embed_claims
    command fills them in later) rather than failing the extraction.
    """
    if not texts:
        return []
    try:
        version = encoder_version()
        vectors = embed(texts)
    except MatchingUnavailable as exc:
        logger.warning("Claims stored without embeddings: %s", exc)
        return [{} for _ in texts]
    pools = nearest(workspace_id, vectors, 10)
    candidates = Claim.objects.only("pk", "text", "status").in_bulk(
        {pk for pool in pools for pk, _ in pool}
    )
    return [
        {
            "embedding": encode(vector),
            "embedding_model": version,
            "match": _best_same(text, pool, candidates),
        }
        for text, vector, pool in zip(texts, vectors, pools, strict=True)
    ]


def _best_same(text: str, pool: list[tuple[int, float]], candidates: dict) -> Claim | None:
    """The claim of `pool` [(pk, cosine)] that says the same as `text`: one with a published
    verdict first, then the closest. Pool entries missing from `candidates` are skipped."""
    same = [
        (candidates[pk], score)
        for pk, score in pool
        if pk in candidates and compare(text, candidates[pk].text, score).kind == "same"
    ]
    same.sort(key=lambda pair: (pair[0].status != Claim.Status.PUBLISHED, -pair[1]))
    return same[0][0] if same else None


def rematch(workspace_id: int, claims: list[Claim]) -> None:
    """Recompute `match` for claims of the workspace just re-embedded (embed_claims).

    As extraction and publishing would have set it with the current encoder: the best "same"
    claim among those before it in the workspace or with a published verdict, then each
    published claim of the batch points its open look-alikes at itself (point_matches_at).
    The claims need `text`, `status` and their new embedding, already saved in the caller's
    transaction. Claims are compared only with claims of the current encoder, and "before"
    is by id, so a run that goes through the claims in id order and is resumed after an
    interruption (same batch size) ends with the same matches as one that was not.
    Saves `match` only: `duplicate_of` is the desk's decision and is never touched.
    """
    with _lock:  # the re-embedded rows sit below the index's end: load it afresh
        _indexes.pop(workspace_id, None)
    vectors = np.stack([decode(claim.embedding) for claim in claims])
    pools = [
        [(pk, score) for pk, score in pool if score >= SAME_THRESHOLD]  # no "same" below it
        for pool in nearest(workspace_id, vectors, CANDIDATE_POOL + 1)
    ]
    candidates = (
        Claim.objects.filter(workspace_id=workspace_id)
        .only("pk", "text", "status")
        .in_bulk({pk for pool in pools for pk, _ in pool})
    )
    for claim, pool in zip(claims, pools, strict=True):
        allowed = [
            (pk, score)
            for pk, score in pool
            if pk in candidates
            and pk != claim.pk
            and (pk < claim.pk or candidates[pk].status == Claim.Status.PUBLISHED)
        ]
        claim.match = _best_same(claim.text, allowed, candidates)
    # One UPDATE per distinct match (most claims have none): cheaper than bulk_update's CASE.
    by_match = {}
    for claim in claims:
        by_match.setdefault(claim.match_id, []).append(claim.pk)
    for match_id, pks in by_match.items():
        Claim.objects.filter(pk__in=pks).update(match_id=match_id)
    for claim in claims:
        if claim.status == Claim.Status.PUBLISHED:
            point_matches_at(claim)


@dataclass
class Match:
    """One claim as the claim page lists it."""

    claim: Claim
    score: float
    kind: str
    reasons: tuple

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def linkable(self) -> bool:
        """May become a duplicate (a claim with its own verdict in review or out may not)."""
        return self.claim.status not in Claim.KEEPS_OWN_VERDICT


def matches_for(claim: Claim, *, k: int = 5) -> dict:
    """The claim page's matching sections, in two queries whatever the number of matches.

    checked: similar claims with a published verdict; open: similar claims still being worked
    on; duplicates: claims linked as duplicates of this one; original: the claim this one is
    linked to (if any). available is False when the encoder cannot be loaded.
    """
    result = {"checked": [], "open": [], "duplicates": [], "original": None, "available": True}
    try:
        [found] = nearest(claim.workspace_id, vector_of(claim), CANDIDATE_POOL, exclude={claim.pk})
    except MatchingUnavailable:
        result["available"] = False
        found = []
    found = [(pk, score) for pk, score in found if score >= RELATED_THRESHOLD]
    scores = dict(found)
    wanted = set(scores) | ({claim.duplicate_of_id} if claim.duplicate_of_id else set())
    rows = (
        Claim.objects.filter(workspace_id=claim.workspace_id)
        .filter(Q(pk__in=wanted) | Q(duplicate_of_id=claim.pk))
        .select_related("verdict__rating", "article")
        .defer("embedding", "search_vector", "article__body", "article__search_vector")
    )
    mine = facts(claim.text)
    by_pk = {}
    for row in rows:
        by_pk[row.pk] = row
        if row.duplicate_of_id == claim.pk:
            result["duplicates"].append(row)
    if claim.duplicate_of_id:
        result["original"] = by_pk.get(claim.duplicate_of_id)
    for pk, score in found:
        row = by_pk.get(pk)
        if row is None or row.duplicate_of_id == claim.pk:
            continue
        relation = compare(mine, row.text, score)
        match = Match(row, score, relation.kind, relation.reasons)
        if row.status == Claim.Status.PUBLISHED:
            if len(result["checked"]) < k:
                result["checked"].append(match)
        elif row.status != Claim.Status.DISMISSED and len(result["open"]) < k:
            result["open"].append(match)
    return result


def point_matches_at(claim: Claim) -> int:
    """A verdict on `claim` was just published: open claims that say the same now match it.

    Returns how many claims were updated. Claims already matched to a published claim keep
    their match.
    """
    try:
        [found] = nearest(claim.workspace_id, vector_of(claim), CANDIDATE_POOL, exclude={claim.pk})
    except MatchingUnavailable:
        return 0
    found = [(pk, score) for pk, score in found if score >= SAME_THRESHOLD]
    if not found:
        return 0
    candidates = (
        Claim.objects.filter(workspace_id=claim.workspace_id, pk__in=[pk for pk, _ in found])
        .open()
        .exclude(match__status=Claim.Status.PUBLISHED)
        .only("pk", "text")
    )
    mine, scores = facts(claim.text), dict(found)
    same = [c.pk for c in candidates if compare(mine, c.text, scores[c.pk]).kind == "same"]
    return Claim.objects.filter(pk__in=same).update(match=claim)
