"""Middleware of our own: request body limits, and Django messages on htmx responses.

RequestBodyLimitMiddleware refuses a request whose body is too large from its declared length,
before anything reads the body. HtmxMessagesMiddleware: a full page renders its messages in
base.html; an htmx response only replaces part of a page, so any messages still queued are
appended as an out-of-band swap of the messages region's content. An htmx action (any method
but GET) always brings that swap, empty if it has nothing to say, so the previous action's
message never stays on screen as if it were about this one.
"""

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

from claims.ingest.text import format_size


class RequestBodyLimitMiddleware:
    """413 for a body over the limit, 411 for one of unknown length, without reading either.

    Signed-in users may send REQUEST_MAX_BYTES (an upload and the form around it), anyone else
    ANONYMOUS_REQUEST_MAX_BYTES: a log-in form is a few hundred bytes, and the login page must
    not spool 50 MB to disk only to refuse it. Placed after AuthenticationMiddleware (which
    reads only the session cookie) and before everything that reads the body: CSRF checking
    and the views run later. The user is looked up only for a body over the anonymous limit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.refusal(request) or self.get_response(request)

    def refusal(self, request) -> HttpResponse | None:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared:
            # Without a length, Django reads no body at all: refuse rather than drop it.
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return _too_large(request, status=411)
            return None
        try:
            length = int(declared)
        except ValueError:
            return HttpResponseBadRequest("Invalid Content-Length.")
        if length < 0:
            return HttpResponseBadRequest("Invalid Content-Length.")
        if length <= settings.ANONYMOUS_REQUEST_MAX_BYTES:
            return None
        if length <= settings.REQUEST_MAX_BYTES and request.user.is_authenticated:
            return None
        return _too_large(request, status=413, length=length)


def _too_large(request, *, status: int, length: int | None = None) -> HttpResponse:
    signed_in = length is not None and length <= settings.REQUEST_MAX_BYTES
    context = {
        "length": format_size(length) if length is not None else "",
        "limit": format_size(settings.UPLOAD_MAX_BYTES),
        # An anonymous visitor over their limit is most likely a signed-out member uploading.
        "signed_out": signed_in,
    }
    html = render_to_string("request_too_large.html", context)
    return HttpResponse(html, status=status)


class HtmxMessagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or request.htmx.boosted:
            return response
        if response.streaming or 300 <= response.status_code < 400:
            return response
        if "HX-Redirect" in response or "HX-Location" in response:
            # The browser will load a full page, which shows the messages itself.
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        messages = list(get_messages(request))
        # A GET (a poll, a tab, a page of results) leaves the messages shown as they are.
        if not messages and request.method == "GET":
            return response
        response.content += render_to_string(
            "includes/messages.html", {"messages": messages, "oob": True}, request=request
        ).encode(response.charset)
        return response
