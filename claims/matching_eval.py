"""Matching quality on the paraphrase set: precision and recall of "same claim".

    python -m claims.matching_eval            # the shipped thresholds, per split
    python -m claims.matching_eval --sweep    # thresholds on dev, to choose them

The set (claims/matching_data/paraphrases.tsv, provenance in its README) pairs real claims
with rewordings (should match) and with versions whose numbers, negation, direction, names or
assertion changed (should not). A pair counts as predicted "same" when claims.matching.compare
says so; "cosine alone" is the same threshold without the numbers/negation/names check.
Thresholds are chosen on dev and only reported on test.
"""

import argparse
import csv
import os
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent / "matching_data" / "paraphrases.tsv"


def load(path: Path = DATA) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def cosines(pairs: list[dict]) -> list[float]:
    from claims import matching

    texts = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    vectors = dict(zip(texts, matching.embed(texts), strict=True))
    return [float(vectors[p["a"]] @ vectors[p["b"]]) for p in pairs]


def scores(pairs, sims, predict) -> dict:
    tp = fp = fn = 0
    wrong = Counter()
    for pair, sim in zip(pairs, sims, strict=True):
        said, truth = predict(pair, sim), pair["label"] == "same"
        tp += said and truth
        fp += said and not truth
        fn += truth and not said
        if said != truth:
            wrong[pair["kind"]] += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f1": f1, "wrong": wrong, "n": len(pairs)}


def with_rule(same_threshold):
    from claims import matching

    def predict(pair, sim):
        return sim >= same_threshold and not matching.conflicts(pair["a"], pair["b"])

    return predict


def cosine_alone(same_threshold):
    return lambda pair, sim: sim >= same_threshold


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="Print a threshold sweep on dev.")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    from claims import matching

    pairs = load()
    sims = cosines(pairs)
    print(f"Encoder {matching.encoder_version()}; {len(pairs)} pairs in {DATA.name}.")
    if args.sweep:
        dev = [(p, s) for p, s in zip(pairs, sims, strict=True) if p["split"] == "dev"]
        dev_pairs, dev_sims = [p for p, _ in dev], [s for _, s in dev]
        print(f"\nDev sweep ({len(dev_pairs)} pairs): threshold, rule P/R/F1, cosine alone P/R/F1")
        best = (0.0, 0.0, 0.0)
        for step in range(50, 96):
            t = step / 100
            a = scores(dev_pairs, dev_sims, with_rule(t))
            b = scores(dev_pairs, dev_sims, cosine_alone(t))
            print(
                f"  {t:.2f}  {a['p']:.3f} {a['r']:.3f} {a['f1']:.3f}   "
                f"{b['p']:.3f} {b['r']:.3f} {b['f1']:.3f}"
            )
            # Best F1; a tie goes to the higher threshold (fewer false "already checked").
            best = max(best, (round(a["f1"], 3), t, a["p"]))
        print(f"Best on dev: {best[1]:.2f} (F1 {best[0]:.3f}, P {best[2]:.3f}).")
    threshold = matching.SAME_THRESHOLD
    print(
        f"\nShipped: same claim at cosine >= {threshold:.2f} with numbers/negation/names agreeing"
    )
    print(f"{'split':<6} {'pairs':>5}  {'method':<14} {'P':>6} {'R':>6} {'F1':>6}  errors by kind")
    for split in ("dev", "test"):
        chosen = [(p, s) for p, s in zip(pairs, sims, strict=True) if p["split"] == split]
        split_pairs, split_sims = [p for p, _ in chosen], [s for _, s in chosen]
        for name, predict in (
            ("cosine + rule", with_rule(threshold)),
            ("cosine alone", cosine_alone(threshold)),
        ):
            s = scores(split_pairs, split_sims, predict)
            errors = ", ".join(f"{k} {v}" for k, v in sorted(s["wrong"].items())) or "none"
            print(
                f"{split:<6} {s['n']:>5}  {name:<14} {s['p']:6.3f} {s['r']:6.3f} {s['f1']:6.3f}"
                f"  {errors}"
            )
    kinds = Counter(p["kind"] for p in pairs)
    print("\nPairs by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


if __name__ == "__main__":
    main()
