"""Run one action as a separate process against the test database, for the fault tests.

    python -m tests.faults.actor ACTION JSON_ARGS

Prints one JSON line with the outcome. DATABASE_URL, REDIS_URL and CELERY_QUEUE come from
the environment the test gives it. With "start_at" in the arguments, the action waits until
that wall-clock time, so several processes act at the same moment.
"""

import json
import os
import sys
import time


def main():
    action, args = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    if "start_at" in args:
        time.sleep(max(0.0, args["start_at"] - time.time()))
    print(json.dumps(ACTIONS[action](args)), flush=True)


def take(args):
    from claims import desk
    from claims.models import Claim, Membership

    membership = Membership.objects.select_related("user", "workspace").get(pk=args["membership"])
    claim = Claim.objects.get(pk=args["claim"])
    try:
        desk.take_claim(membership=membership, claim=claim)
    except desk.Conflict as exc:
        return {"won": False, "message": str(exc)}
    return {"won": True}


def save_verdict(args):
    from claims import desk
    from claims.models import Claim, Membership

    membership = Membership.objects.select_related("user", "workspace").get(pk=args["membership"])
    claim = Claim.objects.get(pk=args["claim"])
    try:
        desk.save_verdict(
            membership=membership,
            claim=claim,
            rating=None,
            summary=args["summary"],
            explanation="",
            version=args["version"],
        )
    except desk.Conflict as exc:
        return {"won": False, "message": str(exc)}
    return {"won": True}


def submit(args):
    """Submit articles as the web does, then load the dashboard as their submitter."""
    from django.test import Client

    from claims import services
    from claims.models import User, Workspace

    workspace = Workspace.objects.get(pk=args["workspace"])
    user = User.objects.get(pk=args["user"])
    ids = []
    for text in args["texts"]:
        started = time.monotonic()
        article = services.submit_article(
            workspace=workspace, submitted_by=user, origin="pasted", body=text
        )
        ids.append({"id": article.pk, "seconds": round(time.monotonic() - started, 2)})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    page = client.get(f"/w/{workspace.slug}/")
    return {
        "articles": ids,
        "status": page.status_code,
        "notice": b"Background processing is paused" in page.content,
    }


ACTIONS = {"take": take, "save_verdict": save_verdict, "submit": submit}

if __name__ == "__main__":
    main()
