"""How cheap /healthz is under load, and what it costs the pages next to it.

    .venv/bin/python bench/healthz.py                 # 6 probing clients, 10 s per phase
    .venv/bin/python bench/healthz.py --clients 12 --duration 20

Starts, as production runs them: a scratch database `factcheck_bench_healthz` on the
PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
gunicorn (3 sync workers, DEBUG=0) and a Celery worker on Redis (REDIS_URL, default
redis://127.0.0.1:6379/0, queue `bench-healthz`). Then, per phase, `--clients` anonymous
clients ask for the probe in a closed loop while one more client opens a page that needs no
probe (an anonymous request for a workspace, answered with a redirect to the log-in):

- `/healthz` with the rate limit off (every request does the database and Redis checks);
- `/healthz?worker=1` with the rate limit off (the worker check, cached);
- `/healthz` with the default limit (HEALTHZ_RATE_PER_MINUTE=60): most answers are 429.

Prints median, p95, p99 and maximum milliseconds for the probe and for the page, the
answers by status, and gunicorn's CPU time per answer (what the figures cost whatever else
runs on the machine). Stops everything and drops the scratch database, also on Ctrl-C.
"""

import argparse
import collections
import http.client
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/queue.py must not shadow the standard `queue`

from bench import load  # noqa: E402

load.BENCH_DB = "factcheck_bench_healthz"
load.CELERY_QUEUE = "bench-healthz"
PAGE = "/w/nowhere/"  # anonymous: a redirect to the log-in, no probe involved


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def hammer(port: int, path: str, until: float, out: list, statuses: collections.Counter):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < until:
        try:
            status, ms = timed_get(conn, path)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            statuses["connection error"] += 1
            continue
        out.append(ms)
        statuses[status] += 1


def summary(values: list[float]) -> str:
    values = sorted(values)
    if not values:
        return "no answers"

    def pick(share):
        return values[min(len(values) - 1, int(share * len(values)))]

    return (
        f"n={len(values):>6}  median {pick(0.5):6.1f}  p95 {pick(0.95):6.1f}"
        f"  p99 {pick(0.99):6.1f}  max {values[-1]:7.1f} ms"
    )


def phase(port: int, path: str, clients: int, seconds: float, gunicorn_pid: int) -> None:
    before = load.processes()
    until = time.monotonic() + seconds
    probe_times, page_times = [], []
    probe_statuses, page_statuses = collections.Counter(), collections.Counter()
    threads = [
        threading.Thread(target=hammer, args=(port, path, until, probe_times, probe_statuses))
        for _ in range(clients)
    ]
    threads.append(
        threading.Thread(target=hammer, args=(port, PAGE, until, page_times, page_statuses))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = load.cpu_by_part(before, load.processes(), {"gunicorn": gunicorn_pid})["gunicorn"]
    answered = len(probe_times) + len(page_times)
    print(f"  {path:<18} {summary(probe_times)}  {dict(probe_statuses)}")
    print(f"  {'page beside it':<18} {summary(page_times)}  {dict(page_statuses)}")
    print(f"  gunicorn CPU per answer: {cpu / max(answered, 1) * 1000:.1f} ms")


def run(env: dict, work: Path, label: str, paths: list[str], args) -> None:
    services = load.Services(env, work)
    try:
        port = load.free_port()
        gunicorn = services.start(
            "gunicorn",
            [str(load.BIN / "gunicorn"), "factcheck.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "3", "--timeout", "60"],
        )  # fmt: skip
        services.start(
            "celery",
            [str(load.BIN / "python"), "-m", "celery", "-A", "factcheck", "worker", "-Q",
             load.CELERY_QUEUE, "--concurrency=1", "--loglevel=INFO", "--without-mingle",
             "--without-gossip"],
        )  # fmt: skip
        load.wait_for_health(port, services)
        print(f"{label}: {args.clients} probing clients + 1 page client, {args.duration} s each")
        for path in paths:
            phase(port, path, args.clients, args.duration, gunicorn.pid)
        print(f"{label}: 1 probing client alone, {args.duration} s")
        phase(port, paths[0], 1, args.duration, gunicorn.pid)
    finally:
        services.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=load.positive_int(64), default=6)
    parser.add_argument("--duration", type=load.positive_int(120), default=10)
    args = parser.parse_args()
    base_url, bench_url = load.database_urls()
    env = load.app_environment(bench_url)
    work = Path(tempfile.mkdtemp(prefix="bench-healthz-"))
    try:
        load.recreate_database(base_url, create=True)
        load.manage(env, "migrate", "--noinput", log=work / "setup.log")
        unlimited = {**env, "HEALTHZ_RATE_PER_MINUTE": "0"}
        run(unlimited, work, "Rate limit off", ["/healthz", "/healthz?worker=1"], args)
        run(env, work, "Default rate limit (60 a minute per address)", ["/healthz"], args)
    finally:
        load.recreate_database(base_url, create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
