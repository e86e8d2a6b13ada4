"""CSRF protection holds for plain form posts and for htmx requests."""

import re

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse


def logged_in_strict_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def page_token(client, workspace):
    page = client.get(reverse("dashboard", args=[workspace.slug])).content.decode()
    return re.search(r'"X-CSRFToken": "([A-Za-z0-9]+)"', page).group(1)


def test_post_without_token_is_refused(reviewer, workspace):
    client = logged_in_strict_client(reviewer)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert SESSION_KEY in client.session  # still logged in: nothing happened


def test_htmx_post_without_token_is_refused(reviewer, workspace):
    client = logged_in_strict_client(reviewer)
    client.get(reverse("dashboard", args=[workspace.slug]))
    response = client.post(reverse("logout"), headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert SESSION_KEY in client.session


def test_htmx_post_with_the_pages_hx_headers_token_is_accepted(reviewer, workspace):
    client = logged_in_strict_client(reviewer)
    token = page_token(client, workspace)
    response = client.post(reverse("logout"), headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_forged_token_is_refused(reviewer, workspace):
    client = logged_in_strict_client(reviewer)
    client.get(reverse("dashboard", args=[workspace.slug]))
    response = client.post(
        reverse("logout"), headers={"HX-Request": "true", "X-CSRFToken": "x" * 64}
    )
    assert response.status_code == 403


def test_login_form_needs_its_token(client, reviewer):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": reviewer.username, "password": "x"})
    assert response.status_code == 403
