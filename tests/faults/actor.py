"""Run one action as a separate process against the test database, for the fault tests.

    python -m tests.faults.actor ACTION JSON_ARGS

Prints one JSON line with the outcome. DATABASE_URL, REDIS_URL and CELERY_QUEUE come from
the environment the test gives it. With "barrier" (a folder) in the arguments, the process
loads what it needs, says it is ready there, and waits for the test's start time (`go`), so
several processes act at the same moment however long each took to start (a loaded machine
may take seconds to import Django).
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
    if action not in LOADS_FIRST:
        synchronise(args)
    print(json.dumps(ACTIONS[action](args)), flush=True)


def synchronise(args) -> None:
    """Tell the test this process is ready, then wait until the common start time; sets
    args["start_at"] to it (no barrier: act now)."""
    barrier = args.get("barrier")
    if not barrier:
        args.setdefault("start_at", time.time())
        return
    ready = os.path.join(barrier, f"ready-{args['index']}")
    with open(ready, "w"):
        pass
    go = os.path.join(barrier, "go")
    deadline = time.time() + 60
    while not os.path.exists(go):
        if time.time() > deadline:
            raise TimeoutError("the test never gave the start time")
        time.sleep(0.01)
    with open(go) as file:
        args["start_at"] = float(file.read())
    time.sleep(max(0.0, args["start_at"] - time.time()))


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


def demote(args):
    """Round i, at start_at + i * interval: demote the other admin of workspace i.

    Memberships are loaded before the first round, as the admin's page was: what the
    membership said when the page loaded must not decide what happens now.
    """
    from claims import members
    from claims.desk import NotAllowed
    from claims.models import Membership

    def load(pk):
        return Membership.objects.select_related("user", "workspace").get(pk=pk)

    rounds = [(load(r["membership"]), load(r["target"])) for r in args["rounds"]]
    synchronise(args)
    outcomes = []
    for number, (membership, target) in enumerate(rounds):
        time.sleep(max(0.0, args["start_at"] + number * args["interval"] - time.time()))
        try:
            members.change_role(membership=membership, target=target, role="editor")
        except NotAllowed as exc:
            outcomes.append({"won": False, "message": str(exc)})
        else:
            outcomes.append({"won": True})
    return {"rounds": outcomes}


def use_code(args):
    from claims import two_factor
    from claims.models import User

    user = User.objects.get(pk=args["user"])
    return {"won": two_factor.match_code(user, args["code"]) is not None}


def _rounds(args, load, act):
    """Round i at start_at + i * interval (+ its "delay"): act(*loaded_i) -> outcome.

    Every round's rows are loaded before the first, as the pages were: the two people read
    the same state, then act at the same instant. An exception is an outcome too (what the
    user would get is a server error).
    """
    loaded = [load(round_) for round_ in args["rounds"]]
    synchronise(args)
    outcomes = []
    for number, rows in enumerate(loaded):
        at = args["start_at"] + number * args["interval"] + args["rounds"][number].get("delay", 0)
        time.sleep(max(0.0, at - time.time()))
        try:
            outcomes.append(act(*rows))
        except Exception as exc:
            outcomes.append({"won": False, "message": f"{type(exc).__name__}: {exc}"})
    return {"rounds": outcomes}


def publish_rounds(args):
    """An editor approves a submitted verdict, in each round's workspace."""
    from claims import desk
    from claims.models import Membership, Verdict

    def load(round_):
        membership = Membership.objects.select_related("user", "workspace").get(
            pk=round_["membership"]
        )
        return membership, Verdict.objects.select_related("claim").get(pk=round_["verdict"])

    def act(membership, verdict):
        try:
            desk.publish_verdict(membership=membership, verdict=verdict, version=verdict.version)
        except desk.NotAllowed as exc:
            return {"won": False, "message": str(exc)}
        return {"won": True}

    return _rounds(args, load, act)


def delete_article_rounds(args):
    """A workspace admin deletes the article of that verdict, in each round's workspace."""
    from claims import curation
    from claims.desk import NotAllowed
    from claims.models import Article, Membership

    def load(round_):
        membership = Membership.objects.select_related("user", "workspace").get(
            pk=round_["membership"]
        )
        return membership, Article.objects.get(pk=round_["article"])

    def act(membership, article):
        try:
            curation.delete_article(membership=membership, article=article)
        except NotAllowed as exc:
            return {"won": False, "message": str(exc)}
        return {"won": True}

    return _rounds(args, load, act)


def publish_or_delete(args):
    """One process approves verdicts while the other deletes their articles (args["kind"])."""
    return {"publish": publish_rounds, "delete": delete_article_rounds}[args["kind"]](args)


# Actions that load their rows before the common start (the pages the people had open).
LOADS_FIRST = {"demote", "publish_or_delete"}

ACTIONS = {
    "publish_or_delete": publish_or_delete,
    "take": take,
    "save_verdict": save_verdict,
    "submit": submit,
    "demote": demote,
    "use_code": use_code,
}

if __name__ == "__main__":
    main()
