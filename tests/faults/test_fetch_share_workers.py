"""One workspace's slow pages cannot take every worker: real workers, a slow web server.

Two single-process workers, FETCH_CONCURRENCY_PER_WORKSPACE=1. Newsroom A submits three URL
articles whose pages take 1.5 s each, newsroom B one. A never has two pages fetched at once,
and B's page is fetched while A's first is still coming in, not after all of A's.
"""

import http.server
import threading
import time

import pytest
from django.core.cache import cache

from claims import services
from tests.conftest import Worker, purge_queue, require_services, wait_until
from tests.factories import WorkspaceFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PAGE_SECONDS = 1.5
PAGE = b"The port handled 4.1 million containers last year, a record for the city.\n"


class SlowPages(http.server.ThreadingHTTPServer):
    """Serves /<newsroom>/<n> slowly; records (newsroom, start, end) and the most pages of one
    newsroom in flight at once."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SlowHandler)
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = {}
        self.most_at_once: dict[str, int] = {}
        self.fetches: list[tuple[str, float, float]] = []


class SlowHandler(http.server.BaseHTTPRequestHandler):
    server: SlowPages

    def log_message(self, *args):
        pass

    def do_GET(self):
        newsroom = self.path.strip("/").split("/")[0]
        server = self.server
        with server.lock:
            server.in_flight[newsroom] = server.in_flight.get(newsroom, 0) + 1
            server.most_at_once[newsroom] = max(
                server.most_at_once.get(newsroom, 0), server.in_flight[newsroom]
            )
        started = time.monotonic()
        time.sleep(PAGE_SECONDS)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE) + len(self.path)))
        self.end_headers()
        self.wfile.write(PAGE + self.path.encode())
        with server.lock:
            server.in_flight[newsroom] -= 1
            server.fetches.append((newsroom, started, time.monotonic()))


def test_one_newsroom_cannot_take_every_worker(tmp_path):
    require_services()
    purge_queue()
    server = SlowPages()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    a, b = WorkspaceFactory(slug="newsroom-a"), WorkspaceFactory(slug="newsroom-b")
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.fetch_worker_settings",
        "FETCH_CONCURRENCY_PER_WORKSPACE": "1",
    }
    workers = [Worker(tmp_path / f"worker{i}.log", **env) for i in range(2)]
    try:
        for worker in workers:
            worker.wait_ready()
        base = f"http://127.0.0.1:{server.server_port}"
        for n in range(3):
            services.submit_article(
                workspace=a, submitted_by=None, origin="url", source_url=f"{base}/a/{n}"
            )
        services.submit_article(
            workspace=b, submitted_by=None, origin="url", source_url=f"{base}/b/0"
        )
        wait_until(lambda: len(server.fetches) == 4, timeout=90, message="all four pages")
    finally:
        for worker in workers:
            worker.stop()
        server.shutdown()
        cache.delete_many([f"slot:fetch:{w.pk}:0" for w in (a, b)])

    assert server.most_at_once == {"a": 1, "b": 1}
    first_of_a = min(end for newsroom, _, end in server.fetches if newsroom == "a")
    [b_started] = [start for newsroom, start, _ in server.fetches if newsroom == "b"]
    assert b_started < first_of_a  # B did not queue behind A's pages
