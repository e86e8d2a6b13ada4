"""Matching claims: stored embeddings, the "same claim" rule, the index, the commands.

The encoder is the deterministic bag-of-words stand-in of conftest's `fake_encoder`; the
real encoder's quality is measured by claims/matching_eval.py (and one test below).
"""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims import matching, services
from claims.models import Claim
from tests.factories import ArticleFactory, UserFactory, VerdictFactory

pytestmark = pytest.mark.django_db


def add_claim(workspace, text, *, status="new", embed=True):
    """A claim over a one-sentence article, embedded the way extraction embeds it."""
    article = ArticleFactory(workspace=workspace, body=text)
    fields = matching.claim_fields(workspace.pk, [text])[0] if embed else {}
    claim = article.add_claim(start=0, end=len(text), **fields)
    if status == "published":
        publish(claim)
    elif status != "new":
        assignee = UserFactory() if status in Claim.WORKING else None
        Claim.objects.filter(pk=claim.pk).update(status=status, assignee=assignee)
        claim.status = status
    return claim


def publish(claim, label="False"):
    VerdictFactory(
        claim=claim,
        status="published",
        rating=claim.workspace.ratings.get(label=label),
        approved_by=UserFactory(),
        published_at=timezone.now(),
    )
    Claim.objects.filter(pk=claim.pk).update(status="published")
    claim.status = "published"


# --- Storage --------------------------------------------------------------------------------


def test_embeddings_are_stored_as_float16_and_read_back(fake_encoder):
    vector = fake_encoder.embed(["Crime fell 12 percent in 2023."])[0]
    blob = matching.encode(vector)
    assert isinstance(blob, bytes) and len(blob) == 384 * 2
    back = matching.decode(memoryview(blob))
    assert back.dtype == np.float32 and back.shape == (384,)
    assert np.abs(back - vector).max() < 1e-3
    assert float(back @ vector) == pytest.approx(1.0, abs=1e-3)


# --- The "same claim" rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, reason",
    [
        ("Crime fell 12 percent in 2023.", "Crime fell 21 percent in 2023.", "numbers differ"),
        ("The vaccine is effective.", "The vaccine is not effective.", "one is negated"),
        ("We didn't raise taxes.", "We raised taxes.", "one is negated"),
        ("Nobody is waiting in line.", "4 million people are waiting in line.", "numbers differ"),
        ("Unemployment rose to 5 percent.", "Unemployment fell to 5 percent.", "opposite"),
        (
            "Texas has the most uninsured children.",
            "Florida has the most uninsured children.",
            "names",
        ),
    ],
)
def test_changed_numbers_negation_direction_and_names_are_not_the_same_claim(a, b, reason):
    assert any(reason in found for found in matching.conflicts(a, b))
    relation = matching.compare(a, b, 0.97)
    assert relation.kind == "related"  # demoted, not dropped: a reviewer may still want it


@pytest.mark.parametrize(
    "a, b",
    [
        (
            "The city spent $12 million on the bridge.",
            "The bridge cost the city 12,000,000 dollars.",
        ),
        ("Crime fell 12 percent in 2023.", "In 2023 crime dropped 12%."),
        ("Twenty-three million people want work.", "23 million people are looking for work."),
        ("The mayor said crime fell 12 percent in 2023.", "Crime fell 12 percent, the mayor said."),
        (
            "In Syria 30,000 civilians were killed.",
            "The Syrian army killed thirty thousand civilians.",
        ),
    ],
)
def test_rewordings_keep_their_facts(a, b):
    assert matching.conflicts(a, b) == []
    assert matching.compare(a, b, 0.9).kind == "same"


def test_thresholds_decide_same_related_or_nothing():
    text = "Crime fell 12 percent in 2023."
    assert matching.compare(text, text, matching.SAME_THRESHOLD).kind == "same"
    assert matching.compare(text, text, matching.SAME_THRESHOLD - 0.01).kind == "related"
    assert matching.compare(text, text, matching.RELATED_THRESHOLD - 0.01).kind is None


# --- similar() and the per-workspace index --------------------------------------------------


def test_similar_ranks_the_workspace_claims_and_stays_in_the_workspace(
    fake_encoder, workspace, other_workspace
):
    close = add_claim(workspace, "The city spent 12 million on the new bridge.")
    far = add_claim(workspace, "Wolves returned to the valley last winter.")
    add_claim(other_workspace, "The city spent 12 million on the new bridge.")
    found = matching.similar("The city spent 12 million on the bridge.", workspace, k=10)
    assert [pk for pk, _ in found] == [close.pk, far.pk]
    assert found[0][1] > 0.8 > found[1][1]
    assert matching.similar(close, workspace, k=10)[0][0] == far.pk  # never itself
    assert len(matching.similar("bridge", workspace, k=1)) == 1


def test_similar_published_only(fake_encoder, workspace):
    add_claim(workspace, "The city spent 12 million on the new bridge.")
    checked = add_claim(workspace, "The city spent 12 million on the bridge.", status="published")
    found = matching.similar("The city spent 12 million on the new bridge.", workspace, k=5,
                             published_only=True)  # fmt: skip
    assert [pk for pk, _ in found] == [checked.pk]


def test_index_sees_new_and_deleted_claims(
    fake_encoder, workspace, django_assert_num_queries, monkeypatch
):
    first = add_claim(workspace, "Taxes rose 2 percent last year.")
    assert matching.similar("Taxes rose", workspace)[0][0] == first.pk
    with django_assert_num_queries(2):  # up to date: the largest id, then the matches' rows
        matching.similar("Taxes rose", workspace)
    second = add_claim(workspace, "Taxes rose sharply, 2 percent.")
    with django_assert_num_queries(3):  # plus the new rows only
        assert {pk for pk, _ in matching.similar("Taxes rose", workspace)} == {first.pk, second.pk}
    first.article.delete()
    assert [pk for pk, _ in matching.similar("Taxes rose", workspace)] == [second.pk]
    assert len(matching._indexes[workspace.pk].ids) == 2  # still held, never shown
    monkeypatch.setattr(matching, "INDEX_MAX_AGE_SECONDS", -1)  # time for the count check
    matching.similar("Taxes rose", workspace)
    assert list(matching._indexes[workspace.pk].ids) == [second.pk]


def test_claims_embedded_late_are_found_after_the_count_check(fake_encoder, workspace, monkeypatch):
    early = add_claim(workspace, "Taxes rose 2 percent last year.", embed=False)
    add_claim(workspace, "Wolves returned to the valley.")
    assert matching.similar("Taxes rose 2 percent", workspace, k=1)[0][0] != early.pk
    # Another process (embed_claims) embeds the older claim: its id is below the largest.
    fields = matching.claim_fields(workspace.pk, [early.text])[0]
    Claim.objects.filter(pk=early.pk).update(
        embedding=fields["embedding"], embedding_model=fields["embedding_model"]
    )
    assert matching.similar("Taxes rose 2 percent", workspace, k=1)[0][0] != early.pk
    monkeypatch.setattr(matching, "INDEX_MAX_AGE_SECONDS", -1)
    assert matching.similar("Taxes rose 2 percent", workspace, k=1)[0][0] == early.pk


def test_claims_of_an_old_encoder_are_left_out_until_re_embedded(fake_encoder, workspace):
    claim = add_claim(workspace, "Taxes rose 2 percent last year.")
    Claim.objects.filter(pk=claim.pk).update(embedding_model="old-model")
    assert matching.similar("Taxes rose 2 percent last year.", workspace) == []


# --- Extraction stores embeddings and the best earlier match --------------------------------


BODY = "The city spent 12 million on the new bridge, twice the original budget.\n"


def test_extraction_embeds_claims_and_matches_an_earlier_checked_one(fake_encoder, workspace):
    checked = add_claim(
        workspace, "The city spent 12 million on the new bridge.", status="published"
    )
    add_claim(workspace, "The city spent 12 million on the new bridge!")  # open, as close
    article = ArticleFactory(workspace=workspace, body=BODY, extraction_status="running")
    services.extract_claims(article)
    claim = article.claims.get()
    assert claim.embedding_model == fake_encoder.ENCODER_VERSION
    assert len(bytes(claim.embedding)) == 768
    assert claim.match_id == checked.pk  # the published one wins over the open one
    assert claim in Claim.objects.already_checked()


def test_a_changed_number_is_not_matched(fake_encoder, workspace):
    add_claim(workspace, "The city spent 21 million on the new bridge.", status="published")
    article = ArticleFactory(workspace=workspace, body=BODY, extraction_status="running")
    services.extract_claims(article)
    assert article.claims.get().match is None


def test_manual_claims_are_embedded_too(fake_encoder, workspace, reviewer):
    article = ArticleFactory(workspace=workspace, body=BODY)
    claim, created = services.add_manual_claim(article=article, user=reviewer, start=0, end=30)
    assert created and claim.embedding_model == fake_encoder.ENCODER_VERSION


def test_extraction_without_an_encoder_stores_claims_unembedded(monkeypatch, workspace):
    def missing():
        raise matching.MatchingUnavailable("no model")

    monkeypatch.setattr(matching, "_encoder", missing)
    article = ArticleFactory(workspace=workspace, body=BODY, extraction_status="running")
    assert services.extract_claims(article) == 1
    claim = article.claims.get()
    assert (claim.embedding, claim.embedding_model, claim.match) == (None, "", None)


def test_publishing_points_open_look_alikes_at_the_checked_claim(fake_encoder, workspace):
    first = add_claim(workspace, "The city spent 12 million on the new bridge!")
    checked = add_claim(workspace, "The city spent 12 million on the new bridge.")
    other = add_claim(workspace, "The city spent 21 million on the new bridge.")
    assert (first.match, checked.match_id) == (None, first.pk)  # nothing checked yet
    assert not Claim.objects.already_checked().exists()
    publish(checked)
    assert matching.point_matches_at(checked) == 1
    assert set(Claim.objects.already_checked()) == {first}
    other.refresh_from_db()
    assert other.match is None
    assert matching.point_matches_at(checked) == 0  # twice is the same as once


# --- Commands -------------------------------------------------------------------------------


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_match_claims_prints_top_matches_from_the_database(fake_encoder, workspace):
    checked = add_claim(
        workspace, "The city spent 12 million on the new bridge.", status="published"
    )
    changed = add_claim(workspace, "The city spent 21 million on the new bridge.")
    output = run(
        "match_claims", "The city spent 12 million on the new bridge", "--workspace", workspace.slug
    )
    lines = output.splitlines()
    assert lines[0].split()[:3] == ["score", "match", "claim"]
    assert f"#{checked.pk}" in lines[1] and "same" in lines[1] and "[False]" in lines[1]
    assert f"#{changed.pk}" in lines[2] and "related" in lines[2]
    assert "not the same: numbers differ" in lines[3]
    one = run("match_claims", "bridge", "--workspace", workspace.slug, "-k", "1")
    assert len(one.splitlines()) == 2


def test_match_claims_refuses_bad_input(fake_encoder, workspace):
    with pytest.raises(CommandError, match="No workspace"):
        run("match_claims", "x", "--workspace", "nowhere")
    with pytest.raises(CommandError, match="-k"):
        run("match_claims", "x", "--workspace", workspace.slug, "-k", "0")
    assert "No matches" in run("match_claims", "x", "--workspace", workspace.slug)


def test_embed_claims_re_embeds_after_a_model_change(fake_encoder, workspace):
    claims = [add_claim(workspace, f"Claim number {i} about taxes.") for i in range(5)]
    unembedded = add_claim(workspace, "Never embedded.", embed=False)
    fake_encoder.ENCODER_VERSION = "fake-bow-2"
    assert matching.similar("taxes", workspace) == []  # nothing of the new model yet
    output = run("embed_claims", "--batch-size", "2")
    assert "6 claims to embed with encoder fake-bow-2." in output
    assert "2/6 embedded" in output and "6/6 embedded" in output
    assert set(Claim.objects.values_list("embedding_model", flat=True)) == {"fake-bow-2"}
    assert len(matching.similar("taxes", workspace, k=10)) == 6
    assert "0 claims to embed" in run("embed_claims")
    assert {c.pk for c in claims} | {unembedded.pk} == set(
        Claim.objects.values_list("pk", flat=True)
    )


def test_embed_claims_resumes_where_it_stopped(fake_encoder, workspace, monkeypatch):
    for i in range(5):
        add_claim(workspace, f"Claim number {i} about taxes.", embed=False)
    calls = []
    real = fake_encoder.embed

    def flaky(texts):
        calls.append(len(texts))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(texts)

    fake_encoder.embed = flaky
    with pytest.raises(RuntimeError):
        run("embed_claims", "--batch-size", "2")
    assert Claim.objects.filter(embedding_model="fake-bow-1").count() == 2  # first batch kept
    fake_encoder.embed = lambda texts: calls.append(len(texts)) or real(texts)
    output = run("embed_claims", "--batch-size", "2")
    assert "3 claims to embed" in output and "3/3 embedded" in output
    assert calls == [2, 2, 2, 1]  # the first batch was not embedded again
    assert not Claim.objects.exclude(embedding_model="fake-bow-1").exists()


# The "new model": it knows these words mean the same, so a claim's best match can change.
SYNONYMS = {"town": "city", "paid": "spent", "for": "on", "viaduct": "bridge"}


def upgrade(fake_encoder, version="fake-bow-2"):
    real = fake_encoder.embed

    def synonyms_aware(texts):
        words = [t.lower().replace(".", " ").replace(",", " ").split() for t in texts]
        return real([" ".join(SYNONYMS.get(w, w) for w in ws) for ws in words])

    fake_encoder.ENCODER_VERSION, fake_encoder.embed = version, synonyms_aware
    return synonyms_aware


def matches():
    return dict(Claim.objects.order_by("pk").values_list("pk", "match_id"))


def bridge_claims(workspace):
    """`later` matches `reworded` under fake-bow-1; fake-bow-2 sees it says what `plain` says."""
    plain = add_claim(workspace, "The city spent 12 million on the new bridge.")
    reworded = add_claim(workspace, "The town paid 12 million for the new viaduct, officials said.")
    later = add_claim(workspace, "The town paid 12 million for the new viaduct.")
    return plain, reworded, later


def test_embed_claims_recomputes_matches_with_the_new_encoder(fake_encoder, workspace):
    plain, reworded, later = bridge_claims(workspace)
    Claim.objects.filter(pk=later.pk).update(duplicate_of=reworded)  # the desk's own link
    assert matches() == {plain.pk: None, reworded.pk: None, later.pk: reworded.pk}
    upgrade(fake_encoder)
    output = run("embed_claims", "--batch-size", "2")
    assert "3/3 embedded and matched" in output
    assert set(Claim.objects.values_list("embedding_model", flat=True)) == {"fake-bow-2"}
    # Both earlier claims now say the same as `later`; the identical one is the closer.
    assert matches() == {plain.pk: None, reworded.pk: plain.pk, later.pk: plain.pk}
    assert Claim.objects.get(pk=later.pk).duplicate_of_id == reworded.pk  # never touched
    assert matching.similar(later, workspace, k=1)[0][0] == plain.pk
    assert "0 claims to embed" in run("embed_claims")
    assert matches() == {plain.pk: None, reworded.pk: plain.pk, later.pk: plain.pk}


def test_re_embedding_matches_claims_checked_later_or_with_the_new_encoder(fake_encoder, workspace):
    bridge = add_claim(workspace, "The town paid 12 million for the viaduct.")
    checked_later = add_claim(workspace, "The city spent 12 million on the bridge.")
    publish(checked_later)
    schools = add_claim(workspace, "The town paid 5 million for schools.")
    assert set(matches().values()) == {None}  # fake-bow-1 sees them as merely related
    upgrade(fake_encoder)
    # Checked after the upgrade: embedded with the new encoder already, so not re-embedded.
    checked_new = add_claim(workspace, "The city spent 5 million on schools.", status="published")
    assert "3 claims to embed" in run("embed_claims", "--batch-size", "1")
    assert matches() == {
        bridge.pk: checked_later.pk,  # pointed at it when its batch came (point_matches_at)
        checked_later.pk: bridge.pk,  # as extraction does: the earlier claim saying the same
        schools.pk: checked_new.pk,  # a published claim counts wherever it stands
        checked_new.pk: None,
    }
    assert set(Claim.objects.already_checked()) == {bridge, schools}


def test_an_interrupted_re_embedding_resumed_ends_with_the_same_matches(fake_encoder, workspace):
    _, reworded, later = bridge_claims(workspace)
    add_claim(workspace, "Wolves returned to the valley last winter.")
    old = matches()
    upgrade(fake_encoder)
    run("embed_claims", "--batch-size", "2")
    uninterrupted = matches()
    assert uninterrupted != old

    # The same upgrade again, killed after its first batch and started again.
    Claim.objects.update(embedding_model="fake-bow-1")
    for pk, match_id in old.items():
        Claim.objects.filter(pk=pk).update(match_id=match_id)
    new_embed = upgrade(fake_encoder)
    calls = []

    def killed_in_batch_two(texts):
        calls.append(len(texts))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return new_embed(texts)

    fake_encoder.embed = killed_in_batch_two
    with pytest.raises(RuntimeError):
        run("embed_claims", "--batch-size", "2")
    assert Claim.objects.filter(embedding_model="fake-bow-2").count() == 2
    assert matches()[later.pk] == reworded.pk  # not reached yet: still the old match
    fake_encoder.embed = lambda texts: calls.append(len(texts)) or new_embed(texts)
    assert "2/2 embedded and matched" in run("embed_claims", "--batch-size", "2")
    assert calls == [2, 2, 2]  # the first batch was neither embedded nor matched twice
    assert matches() == uninterrupted


def test_embed_claims_for_one_workspace(fake_encoder, workspace, other_workspace):
    add_claim(workspace, "Ours.", embed=False)
    theirs = add_claim(other_workspace, "Theirs.", embed=False)
    assert "1/1 embedded" in run("embed_claims", "--workspace", workspace.slug)
    theirs.refresh_from_db()
    assert theirs.embedding is None
    with pytest.raises(CommandError, match="No workspace"):
        run("embed_claims", "--workspace", "nowhere")


# --- The real encoder on the paraphrase set -------------------------------------------------


def test_paraphrase_set_at_the_shipped_threshold():
    """Changed numbers and negations never count as the same claim; most rewordings do."""
    from claims import matching_eval

    pairs = matching_eval.load()
    assert len(pairs) >= 150 and {p["split"] for p in pairs} == {"dev", "test"}
    try:
        sims = matching_eval.cosines(pairs)
    except matching.MatchingUnavailable as exc:
        pytest.fail(f"The real encoder must be installed: {exc}")
    rule = matching_eval.with_rule(matching.SAME_THRESHOLD)
    for split in ("dev", "test"):
        chosen = [(p, s) for p, s in zip(pairs, sims, strict=True) if p["split"] == split]
        result = matching_eval.scores([p for p, _ in chosen], [s for _, s in chosen], rule)
        assert result["wrong"]["number"] == 0 and result["wrong"]["negation"] == 0
        assert result["p"] >= 0.75 and result["r"] >= 0.8, (split, result)
