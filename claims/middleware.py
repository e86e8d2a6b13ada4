"""Show Django messages on htmx responses too.

A full page renders its messages in base.html. An htmx response only replaces part of a page,
so any messages still queued are appended as an out-of-band swap of the messages region.
"""

from django.contrib.messages import get_messages
from django.template.loader import render_to_string


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
        if not messages:
            return response
        response.content += render_to_string(
            "includes/messages.html", {"messages": messages, "oob": True}, request=request
        ).encode(response.charset)
        return response
