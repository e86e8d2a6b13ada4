"""Request bodies are capped from their declared length, before anything reads them."""

import io

import pytest
from django.urls import reverse

from claims.models import Article

MB = 1024 * 1024


class Untouchable(io.RawIOBase):
    """A request body that fails the test if anything reads a byte of it."""

    def __init__(self):
        self.read_from = False

    def readable(self):
        return True

    def readinto(self, buffer):
        self.read_from = True
        raise AssertionError("the request body was read")


def post(client, path, length, **extra):
    body = Untouchable()
    response = client.generic(
        "POST",
        path,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(length) if length is not None else "",
        **{"wsgi.input": body, **extra},
    )
    return response, body


@pytest.mark.django_db
def test_anonymous_50_mb_post_to_the_login_page_is_refused_unread(client):
    response, body = post(client, reverse("login"), 50 * MB)
    assert response.status_code == 413
    assert not body.read_from
    page = response.content.decode()
    assert "What you sent is 50 MB." in page
    assert "Log in first" not in page  # 50 MB is over every limit, signed in or not


@pytest.mark.django_db
def test_anonymous_post_over_the_anonymous_limit_is_refused(client, settings):
    response, body = post(client, reverse("login"), settings.ANONYMOUS_REQUEST_MAX_BYTES + 1)
    assert response.status_code == 413
    assert not body.read_from
    assert "Log in first" in response.content.decode()


@pytest.mark.django_db
def test_a_body_of_unknown_length_is_refused(client):
    response, body = post(client, reverse("login"), None, HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411
    assert not body.read_from


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["lots", "-1"])
def test_a_nonsense_length_is_a_bad_request(client, length):
    response, body = post(client, reverse("login"), length)
    assert response.status_code == 400
    assert not body.read_from


@pytest.mark.django_db
def test_the_login_form_still_works(client, django_user_model):
    django_user_model.objects.create_user("ann", password="a long enough password")
    response = client.post(
        reverse("login"), {"username": "ann", "password": "a long enough password"}
    )
    assert response.status_code == 302


def test_member_upload_over_the_cap_is_refused_unread_with_the_limit(
    reviewer_client, workspace, settings
):
    new = reverse("article_new", args=[workspace.slug])
    response, body = post(reviewer_client, new, settings.REQUEST_MAX_BYTES + 1)
    assert response.status_code == 413
    assert not body.read_from
    assert "The largest file you can upload is 10 MB." in response.content.decode()
    assert not Article.objects.exists()


def test_a_body_a_member_may_send_is_too_much_once_signed_out(reviewer_client, client, workspace):
    """Sequence: the same 300 KB paste is accepted from a member and refused anonymously."""
    text = "The city council approved a budget of 4.2 billion dollars on Tuesday. " * 4_300
    data = {"source": "paste", "body": text}
    new = reverse("article_new", args=[workspace.slug])
    assert reviewer_client.post(new, data).status_code == 302
    assert Article.objects.count() == 1
    reviewer_client.logout()
    for anonymous in (reviewer_client, client):
        assert anonymous.post(new, data).status_code == 413
    assert Article.objects.count() == 1


def test_reading_limits_match_the_body_cap(settings):
    # Django's own limit on form fields never refuses what the body cap let through.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= settings.REQUEST_MAX_BYTES
    assert settings.REQUEST_MAX_BYTES > settings.UPLOAD_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 1
