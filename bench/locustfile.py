"""Simulated reviewers for bench/load.py (run by it; not useful on its own).

Each simulated user is one seeded member, already logged in: bench/load.py logs everyone in
through the login form before the run and hands over the cookies in the plan file named by
BENCH_LOAD_PLAN. The cookies are sent as a header because the app (DEBUG=0) marks them
Secure, and an HTTP client keeps Secure cookies off plain http://127.0.0.1.

A user works through a weighted mix: the queue with filters, "my claims", claim pages,
notifications, a CSV export when the app has one, and two htmx writes on its own claims:
adding a source and saving a verdict draft. Every verdict save sends the version that user last
saw for that verdict and takes the new one from the response, so nobody saves on top of a
stale version and a 409 Conflict is an error here, like any other status but 200. Beside the
reviewers, one probe asks for /healthz every two seconds, as a load balancer would: the
baseline.

Why the stdlib `queue` is safe although bench/queue.py sits beside this file: locust puts
bench/ on the path only while it imports this file, after gevent and urllib3 have imported the
real `queue`, and nothing here imports it.

Every request is recorded (endpoint name, milliseconds, error) and written as JSON to
BENCH_LOAD_RESULTS when locust quits; bench/load.py prints the figures.
"""

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

from locust import FastHttpUser, between, constant, events, task

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text(encoding="utf-8"))
SLUG = PLAN["slug"]
THINK = PLAN["think_seconds"]
VERSION_FIELD = re.compile(rb'name="version" value="(\d+)"')

_accounts = itertools.count()
_latencies: dict[str, list[float]] = {}
_errors: dict[str, list[str]] = {}
_window = {"started": None, "stopped": None}


@events.request.add_listener
def record(name, response_time, exception, response=None, **kwargs):
    _latencies.setdefault(name, []).append(response_time)
    if exception is not None:
        status = getattr(response, "status_code", None)
        _errors.setdefault(name, []).append(f"{status}: {exception}"[:300])


@events.test_start.add_listener
def started(**kwargs):
    _window["started"] = time.time()
    # Tells bench/load.py that the measured window has begun (it samples CPU time then).
    Path(os.environ["BENCH_LOAD_STARTED"]).touch()


@events.test_stopping.add_listener
def stopping(**kwargs):
    _window["stopped"] = time.time()
    Path(os.environ["BENCH_LOAD_STOPPING"]).touch()


@events.quitting.add_listener
def write_results(**kwargs):
    results = {**_window, "latencies": _latencies, "errors": _errors}
    Path(os.environ["BENCH_LOAD_RESULTS"]).write_text(json.dumps(results), encoding="utf-8")


def get(client, url, name, *, expect=b"", headers=None):
    """GET that counts anything but a 200 (with `expect` in the page) as an error.

    A redirect is an error too: here it can only mean a lost session (to the login page).
    """
    with client.get(
        url, name=name, headers=headers, allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != 200:
            where = response.headers.get("Location", "") if response.headers else ""
            response.failure(f"status {response.status_code} {where}".strip())
        elif expect and expect not in (response.content or b""):
            response.failure(f"answer lacks {expect!r}")
        else:
            response.success()


class HealthProbe(FastHttpUser):
    """A load balancer's health check beside the reviewers, every two seconds: the baseline.

    One probe, not a share of every reviewer's clicks: reviewers never ask for /healthz, and
    each call holds a sync worker while it waits for Celery workers to answer a ping.
    """

    fixed_count = 1
    wait_time = constant(2)

    @task
    def healthz(self):
        get(self.client, "/healthz", "healthz (probe)", expect=b'"status": "ok"')


class Reviewer(FastHttpUser):
    """One logged-in member working through the desk."""

    wait_time = between(0, 2 * THINK) if THINK else constant(0)

    def on_start(self):
        account = PLAN["users"][next(_accounts) % len(PLAN["users"])]
        self.cookies = "; ".join(f"{k}={v}" for k, v in account["cookies"].items())
        self.csrf = account["cookies"]["csrftoken"]
        self.working = account["working"]
        self.rng = random.Random(account["username"])
        # The drafts this user keeps coming back to (some not started: their first save
        # creates the verdict), with the version it last saw. Few, so every run saves the
        # same verdict several times and a wrongly tracked version shows up as a 409. Two
        # simulated users never share an account, so nobody else moves these versions.
        self.versions = dict(self.rng.sample(account["drafts"], min(10, len(account["drafts"]))))
        self.draft_ids = list(self.versions)

    # --- helpers ---------------------------------------------------------------------------

    def _get(self, url, name, *, expect=b""):
        get(self.client, url, name, expect=expect, headers={"Cookie": self.cookies})

    def _htmx_post(self, url, name, target, data, *, expect):
        """POST as htmx does (HX-Request, CSRF header); the body of a 200 or a 409, else None.

        A 200 must carry the success message (`expect`), swapped in out of band.
        """
        headers = {
            "Cookie": self.cookies,
            "HX-Request": "true",
            "HX-Target": target,
            "X-CSRFToken": self.csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        with self.client.post(
            url,
            name=name,
            data=data,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            body = response.content or b""
            if response.status_code == 200:
                if expect in body:
                    response.success()
                else:
                    response.failure(f"answer lacks {expect!r}")
                return body
            snippet = body[:200].decode("utf-8", "replace").replace("\n", " ")
            response.failure(f"status {response.status_code}: {snippet}")
            return body if response.status_code == 409 else None

    def _queue(self, query, name):
        self._get(f"/w/{SLUG}/queue/?{query}", name, expect=b"</html>")

    # --- reading ---------------------------------------------------------------------------

    @task(8)
    def queue_mine(self):
        self._queue("assignee=me", "queue ?assignee=me")

    @task(8)
    def queue_search(self):
        words = PLAN["rare_words"] if self.rng.random() < 0.5 else PLAN["words"]
        self._queue(f"q={self.rng.choice(words)}", "queue ?q=<word>")

    @task(6)
    def queue_page(self):
        self._queue(
            f"status=all&page={self.rng.randint(1, PLAN['pages'])}", "queue ?status=all&page=n"
        )

    @task(6)
    def queue_urgent(self):
        self._queue("priority=4", "queue ?priority=4")

    @task(10)
    def my_claims(self):
        self._get(f"/w/{SLUG}/mine/", "my claims", expect=b"</html>")

    @task(25)
    def claim_page(self):
        if self.rng.random() < 0.5:
            pk = self.rng.choice(self.working)
        else:
            pk = self.rng.randint(*PLAN["claim_pks"])
        self._get(f"/w/{SLUG}/claims/{pk}/", "claim page", expect=b'id="verdict"')

    @task(6)
    def notifications(self):
        self._get("/notifications/", "notifications", expect=b"</html>")

    @task(2)
    def export(self):
        if not PLAN["export_url"]:
            return
        self._get(PLAN["export_url"], "export csv ?assignee=me")

    # --- htmx writes on the user's own claims ----------------------------------------------

    @task(8)
    def add_source(self):
        pk = self.rng.choice(self.working)
        n = self.rng.randint(1, 10**9)
        self._htmx_post(
            f"/w/{SLUG}/claims/{pk}/sources/",
            "source add (htmx)",
            "sources",
            {
                "url": f"https://stats.example.org/load/{n}",
                "title": f"Table {n % 97}",
                "stance": self.rng.choice(["supports", "refutes", "context"]),
            },
            expect=b"Source added.",
        )

    @task(8)
    def save_verdict(self):
        pk = self.rng.choice(self.draft_ids)
        body = self._htmx_post(
            f"/w/{SLUG}/claims/{pk}/verdict/save/",
            "verdict save (htmx)",
            "verdict",
            {
                "rating": str(self.rng.choice(PLAN["ratings"])),
                "summary": f"Not quite: the figure was {self.rng.randint(2, 99)} percent.",
                "explanation": "The ministry's table for that year gives another figure.",
                "version": str(self.versions[pk]),
            },
            expect=b"Verdict saved.",
        )
        # The answer (even a conflict's) carries the version to save against next time.
        found = VERSION_FIELD.search(body or b"")
        if found:
            self.versions[pk] = int(found.group(1))
