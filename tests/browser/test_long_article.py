"""A long article in a real browser: a selection in a later part claims the words selected, and
a file over the upload limit is refused before it is sent."""

import pytest
from playwright.sync_api import expect

from claims.models import Article, Claim, Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ArticleFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member(workspace):
    user = UserFactory(username="rita")
    MembershipFactory(user=user, workspace=workspace, role=Role.REVIEWER)
    return user


def test_selecting_words_in_part_two_claims_those_words(page, workspace, member):
    # Emoji count twice in the browser's UTF-16 offsets: the part's offset must allow for it.
    body = "Emoji 😀 lead. " * 4_000 + "\n" + "Rates rose 4 percent in May, the bank said. " * 200
    article = ArticleFactory(workspace=workspace, body=body.strip())
    start, _ = article.part_bounds(2)
    log_in(page, "rita", PASSWORD)
    page.goto(article.get_absolute_url())
    page.locator(".pagination a").last.click()  # Next
    expect(page.locator(".pagination").first).to_contain_text("Part 2 of 2")
    page.evaluate(
        """() => {
            const text = document.getElementById("article-text").firstChild;
            const at = text.textContent.indexOf("Rates rose 4 percent");
            const range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, at + "Rates rose 4 percent".length);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
            document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    expect(page.locator("#selection-preview")).to_have_text("Rates rose 4 percent")
    page.click("text=Make this a claim")
    page.wait_for_url("**/claims/*/")
    claim = Claim.objects.get()
    assert claim.text == "Rates rose 4 percent"
    assert claim.start == start + article.body[start:].index("Rates rose 4 percent")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page, workspace, member, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    log_in(page, "rita", PASSWORD)
    page.goto(f"/w/{workspace.slug}/articles/new/?source=upload")
    big = {"name": "big.txt", "mimeType": "text/plain", "buffer": b"x" * (1536 * 1024)}
    page.set_input_files("#id_file", files=[big])
    message = page.eval_on_selector("#id_file", "input => input.validationMessage")
    assert message == "The file is too large (1.5 MB). The limit is 1 MB."
    page.click("text=Add and extract claims")
    assert not Article.objects.exists()
