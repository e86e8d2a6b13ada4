"""Load test: logged-in reviewers against gunicorn + PostgreSQL + Redis, as production runs.

    .venv/bin/pip install locust==2.47.0      # once: the load generator (not a requirement)
    .venv/bin/python bench/load.py            # 20 reviewers for 60 s
    .venv/bin/python bench/load.py --users 40 --duration 120 --workers 3 --threads 4

Sets up, in order: a scratch database `factcheck_bench_load` on the PostgreSQL server named by
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrated and seeded by
bench/load_seed.py (one workspace, 20 members, 2,000 articles, 100,000 claims, 20,000 verdicts,
sources, comments, notifications; bulk_create, then VACUUM ANALYZE); collectstatic (into
settings.STATIC_ROOT, which is not configurable); gunicorn on a free 127.0.0.1 port and a Celery
worker on its own queue (`bench-load`) of REDIS_URL (default redis://127.0.0.1:6379/0), both
with DEBUG=0, a random SECRET_KEY and no HTTPS redirect. Every member logs in through the login
form (GET for the CSRF cookie and token, then POST), so django-axes sees ordinary log-ins.

Then locust (bench/locustfile.py, one process) runs `--users` reviewers for `--duration`
seconds with no think time by default, each sending its next request when the last one has
answered: a closed loop that measures what the two cores can serve. The mix: the queue with
filters, my claims, claim pages, notifications, a CSV export when the app has an export URL,
/healthz as the baseline, and htmx writes on each reviewer's own claims (add a source, save a
verdict draft at the version it last saw).

Prints requests/s overall and per endpoint (count, requests/s, median and p95 ms, errors),
and the CPU each part used, since the load generator, gunicorn and PostgreSQL share the two
cores. An error is any answer but 200 (a redirect would mean a lost session). Exits 1 when
there were errors. Always stops gunicorn and the worker, drops the scratch database and removes
the collected static files, also on Ctrl-C.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on the path and bench/queue.py would shadow the
# standard `queue` that psycopg imports: the project root takes its place.
sys.path[0] = str(ROOT)

BIN = ROOT / ".venv" / "bin"
BENCH_DB = "factcheck_bench_load"
CELERY_QUEUE = "bench-load"
STATIC_ROOT = ROOT / "staticfiles"  # settings.STATIC_ROOT
MAX_DURATION = 600
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def positive_int(maximum: int):
    def parse(text: str) -> int:
        value = int(text)
        if not 1 <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be between 1 and {maximum}")
        return value

    return parse


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration",
        type=positive_int(MAX_DURATION),
        default=60,
        help=f"seconds of load (at most {MAX_DURATION}; default 60)",
    )
    parser.add_argument("--users", type=positive_int(200), default=20, help="default 20")
    parser.add_argument("--workers", type=positive_int(16), default=3, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=positive_int(32), default=1, help="threads per worker (>1: gthread)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a reviewer waits between requests (default 0: closed loop)",
    )
    return parser.parse_args()


# --- Database -------------------------------------------------------------------------------


def database_urls() -> tuple[str, str]:
    """(the server's maintenance database, the scratch database) URLs."""
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point to PostgreSQL: the load test runs as production does.")
    return base, urlunsplit(urlsplit(base)._replace(path=f"/{BENCH_DB}"))


def recreate_database(base: str, *, create: bool) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if create:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")


def app_environment(database_url: str) -> dict:
    """The production settings, pointed at the scratch database and a queue of our own."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from the caller's shell may change how the app is configured here.
        if key not in ("SQLITE_PATH", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "EMAIL_HOST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="factcheck.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        TRUSTED_PROXY_COUNT="0",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        CELERY_QUEUE=CELERY_QUEUE,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


# --- Processes ------------------------------------------------------------------------------


class Services:
    """gunicorn and the Celery worker, each in its own process group, stopped in any case."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs = env, logs
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # A group of its own: Ctrl-C reaches only this script, which stops it in order.
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        for name, process in reversed(self.processes.items()):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    print(f"  {name} did not stop in 15 s; killing its process group")
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str, log: Path) -> None:
    with log.open("ab") as out:
        subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )


# --- HTTP ------------------------------------------------------------------------------------


def request(port, method, path, *, cookies=None, body=None, headers=None, timeout=30):
    """(status, headers, body, cookies set) of one request to the app."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = dict(headers or {})
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        set_cookies = {}
        for value in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            set_cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response.status, response.headers, data, set_cookies
    finally:
        conn.close()


def wait_for_health(port: int, services: Services, timeout: float = 60) -> None:
    """Until /healthz answers 200 and the worker says it is ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.check_alive()
        try:
            status = request(port, "GET", "/healthz", timeout=5)[0]
        except OSError:
            status = None
        if status == 200 and " ready." in services.tail("celery", 200):
            return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn or the worker did not come up in {timeout:.0f} s")


def log_in(port: int, username: str, password: str) -> dict:
    """Log in through the form, as a browser does; returns the session's cookies."""
    status, _, page, cookies = request(port, "GET", "/accounts/login/")
    token = CSRF_FIELD.search(page.decode())
    if status != 200 or not token or "csrftoken" not in cookies:
        raise RuntimeError(f"login page for {username}: status {status}, no CSRF token")
    form = urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1),
            "next": "",
        }
    )
    status, _, _, set_cookies = request(
        port,
        "POST",
        "/accounts/login/",
        cookies=cookies,
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    # One failure only: retrying a wrong password would walk into django-axes' lock-out.
    if status != 302 or "sessionid" not in set_cookies:
        raise RuntimeError(f"login as {username} failed: status {status}")
    cookies.update(set_cookies)  # the CSRF token is rotated at login
    return {"sessionid": cookies["sessionid"], "csrftoken": cookies["csrftoken"]}


def log_in_all(port: int, accounts: list[dict], password: str) -> None:
    """Log every account in, a few at a time (each log-in is a deliberately slow hash)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = pool.map(lambda a: log_in(port, a["username"], password), accounts)
        for account, cookies in zip(accounts, sessions, strict=True):
            account["cookies"] = cookies


def warm_up(port: int, plan: dict, concurrency: int) -> None:
    """Each page a few times per worker, so no measured request pays for a cold worker
    (template loading, the first database connection, the static files manifest)."""
    from concurrent.futures import ThreadPoolExecutor

    slug, accounts = plan["slug"], plan["users"]
    pages = [
        f"/w/{slug}/queue/",
        f"/w/{slug}/queue/?q={plan['words'][0]}",
        f"/w/{slug}/mine/",
        f"/w/{slug}/claims/{accounts[0]['working'][0]}/",
        "/notifications/",
    ]

    def fetch(n: int) -> None:
        cookies = accounts[n % len(accounts)]["cookies"]
        for page in pages:
            status = request(port, "GET", page, cookies=cookies)[0]
            if status != 200:
                raise RuntimeError(f"warm-up: {page} answered {status}")

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(fetch, range(3 * concurrency)))


def find_export(port: int, plan: dict, cookies: dict) -> tuple[str | None, str]:
    """The first export URL of the app that answers a reviewer with CSV, and what was tried."""
    if not plan["exports"]:
        return None, "no URL name containing 'export' in factcheck/urls.py"
    tried = []
    for export in plan["exports"]:
        if not export["url"]:
            tried.append(f"{export['name']} (could not build its URL)")
            continue
        query = (
            {"assignee": "me"} if export["format_in_path"] else {"format": "csv", "assignee": "me"}
        )
        url = f"{export['url']}?{urlencode(query)}"
        status, headers, _, _ = request(port, "GET", url, cookies=cookies, timeout=120)
        kind = headers.get("Content-Type", "")
        if status == 200 and kind.startswith("text/csv"):
            return url, f"{export['name']}: {url}"
        tried.append(f"{export['name']}: {url} -> {status} {kind}")
    return None, "no export URL answered with CSV: " + "; ".join(tried)


# --- CPU --------------------------------------------------------------------------------------


def processes() -> dict[int, tuple[str, int, float]]:
    """pid -> (name, parent pid, CPU seconds used so far), for every process.

    The name is the command name, except for PostgreSQL, whose processes say in their
    command line which database they serve.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            if name.startswith("postgres"):
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                name = f"postgres {command.decode(errors='replace')}"
        except OSError:
            continue  # the process has just ended
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return found


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_by_part(before, after, roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds each part of the test used between two samples of processes().

    A part is a process tree we started, PostgreSQL (its server processes and the backends
    serving the scratch database) or Redis. Other databases' backends belong to whoever else
    uses this machine.
    """

    def part(pid):
        seen = pid
        while seen > 1:
            for name, root in roots.items():
                if seen == root:
                    return name
            seen = after.get(seen, before.get(seen, ("", 0, 0)))[1]
        name = after.get(pid, before.get(pid))[0]
        if name.startswith("postgres"):
            serves_a_client = re.search(r"\(\d+\)|\[local\]", name)
            return "postgresql" if BENCH_DB in name or not serves_a_client else None
        if name.startswith("redis"):
            return "redis"
        return None

    used: dict[str, float] = dict.fromkeys([*roots, "postgresql", "redis"], 0.0)
    for pid, (_, _, seconds) in after.items():
        name = part(pid)
        if name:
            used[name] += max(seconds - (before[pid][2] if pid in before else 0.0), 0.0)
    return used


# --- The run ----------------------------------------------------------------------------------


def run_locust(args, port: int, plan_path: Path, work: Path, services: Services):
    marks = {name: work / name for name in ("results.json", "started", "stopping")}
    env = {
        **os.environ,
        "BENCH_LOAD_PLAN": str(plan_path),
        "BENCH_LOAD_RESULTS": str(marks["results.json"]),
        "BENCH_LOAD_STARTED": str(marks["started"]),
        "BENCH_LOAD_STOPPING": str(marks["stopping"]),
    }
    command = [
        str(BIN / "locust"),
        *("-f", str(ROOT / "bench" / "locustfile.py")),
        "--headless",
        "--only-summary",
        # The reviewers and one health probe.
        *("--users", str(args.users + 1), "--spawn-rate", str(args.users + 1)),
        *("--run-time", f"{args.duration}s", "--stop-timeout", "0"),
        *("--host", f"http://127.0.0.1:{port}", "--loglevel", "WARNING"),
    ]
    log_path = work / "locust.log"
    with log_path.open("wb") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_for(mark: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not marks[mark].exists():
            if locust.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"locust never reached '{mark}':\n{log_path.read_text()}")
            time.sleep(0.05)

    try:
        wait_for("started", 60)
        roots = {
            "gunicorn": services.processes["gunicorn"].pid,
            "celery worker": services.processes["celery"].pid,
            "locust (load generator)": locust.pid,
        }
        before, busy_before = processes(), machine_busy()
        wait_for("stopping", args.duration + 60)
        # Sampled while locust still runs, so its own CPU time is counted.
        after, busy_after = processes(), machine_busy()
        locust.wait(timeout=60)
    finally:
        if locust.poll() is None:
            locust.terminate()
            locust.wait()
    if not marks["results.json"].exists():
        raise RuntimeError(f"locust wrote no results:\n{log_path.read_text()}")
    results = json.loads(marks["results.json"].read_text())
    cpu = cpu_by_part(before, after, roots)
    # Everything else, including processes that started and ended during the run.
    cpu["other processes (not this test)"] = max(busy_after - busy_before - sum(cpu.values()), 0)
    cpu["whole machine"] = busy_after - busy_before
    return results, cpu


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def report(results: dict, cpu: dict) -> int:
    """Print the figures; returns the number of errors."""
    seconds = results["stopped"] - results["started"]
    latencies, errors = results["latencies"], results["errors"]
    total = sum(len(v) for v in latencies.values())
    error_count = sum(len(v) for v in errors.values())
    print(f"\n{total:,} requests in {seconds:.1f} s: {total / seconds:.1f} requests/s")
    print(
        f"\n  {'endpoint':28} {'requests':>9} {'req/s':>7} {'median ms':>10} {'p95 ms':>8} errors"
    )
    for name in sorted(latencies, key=lambda n: -len(latencies[n])):
        times = latencies[name]
        print(
            f"  {name:28} {len(times):9,} {len(times) / seconds:7.1f}"
            f" {statistics.median(times):10.0f} {percentile(times, 0.95):8.0f}"
            f" {len(errors.get(name, [])):6}"
        )
    cores = os.cpu_count() or 1
    print(f"\nCPU used during the run ({cores} cores = {cores * seconds:.0f} CPU-seconds):")
    for name, used in cpu.items():
        print(f"  {name:32} {used:6.1f} s  {used / seconds:5.2f} cores")
    web, database = cpu["gunicorn"], cpu["postgresql"]
    print(
        f"  per request: {1000 * web / total:.0f} ms in gunicorn,"
        f" {1000 * database / total:.0f} ms in PostgreSQL"
    )
    other = cpu["other processes (not this test)"] / seconds
    if other > 0.2:
        print(
            f"\nNote: processes outside this test used {other:.2f} cores meanwhile; the figures"
            " are for a shared machine, not for the app alone."
        )
    if error_count:
        print(f"\n{error_count} errors; the first of each endpoint:")
        for name, samples in errors.items():
            print(f"  {name}: {samples[0]}")
    return error_count


def interrupted(signum, frame):
    """`kill` (SIGTERM) cleans up as Ctrl-C does."""
    raise KeyboardInterrupt


def main() -> int:
    args = parse_args()
    if not (BIN / "locust").exists():
        sys.exit("locust is missing: .venv/bin/pip install locust==2.47.0")
    signal.signal(signal.SIGTERM, interrupted)
    base_url, bench_url = database_urls()
    env = app_environment(bench_url)
    static_existed = STATIC_ROOT.exists()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    services = Services(env, work)
    failed = False
    try:
        started = time.perf_counter()
        recreate_database(base_url, create=True)
        manage(env, "migrate", "--noinput", log=work / "setup.log")
        print(f"Scratch database {BENCH_DB} migrated in {time.perf_counter() - started:.1f} s")

        plan_path = work / "plan.json"
        members = max(20, args.users)
        started = time.perf_counter()
        seed = [str(BIN / "python"), "bench/load_seed.py", "--plan", str(plan_path)]
        subprocess.run([*seed, "--members", str(members)], cwd=ROOT, env=env, check=True)
        plan = json.loads(plan_path.read_text())
        counts = ", ".join(f"{n:,} {what}" for what, n in plan["counts"].items())
        print(f"Seeded in {time.perf_counter() - started:.1f} s: {counts}")

        # Collected last, just before gunicorn starts: tests run meanwhile by others behave
        # differently while staticfiles/ exists, so it is there for as short a time as can be.
        started = time.perf_counter()
        manage(env, "collectstatic", "--noinput", log=work / "setup.log")
        print(f"Static files collected in {time.perf_counter() - started:.1f} s")

        port = free_port()
        gunicorn = [str(BIN / "gunicorn"), "factcheck.wsgi:application"]
        gunicorn += ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        if args.threads > 1:
            gunicorn += ["--worker-class", "gthread", "--threads", str(args.threads)]
        gunicorn += ["--timeout", "60"]
        services.start("gunicorn", gunicorn)
        worker = [str(BIN / "python"), "-m", "celery", "-A", "factcheck", "worker"]
        worker += ["-Q", CELERY_QUEUE, "--concurrency=1", "-n", f"bench-load-{os.getpid()}@%h"]
        worker += ["--loglevel=INFO", "--without-heartbeat", "--without-mingle", "--without-gossip"]
        services.start("celery", worker)
        started = time.perf_counter()
        wait_for_health(port, services)
        kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
        print(
            f"gunicorn ({args.workers} {kind} workers) on 127.0.0.1:{port} and a Celery worker"
            f" (queue {CELERY_QUEUE}) up in {time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        accounts = plan["users"][: args.users]
        log_in_all(port, accounts, plan["password"])
        print(
            f"{len(accounts)} reviewers logged in through the form in "
            f"{time.perf_counter() - started:.1f} s"
        )
        plan["users"] = accounts
        plan["export_url"], export_note = find_export(port, plan, accounts[0]["cookies"])
        print(f"CSV export: {export_note}")
        plan["think_seconds"] = args.think
        plan_path.write_text(json.dumps(plan))

        started = time.perf_counter()
        warm_up(port, plan, args.workers * args.threads)
        print(f"Warmed up every worker in {time.perf_counter() - started:.1f} s")

        print(f"Running {args.users} reviewers for {args.duration} s ...")
        results, cpu = run_locust(args, port, plan_path, work, services)
        errors = report(results, cpu)
        failed = errors > 0
        if "Traceback" in services.tail("gunicorn", 10_000):
            print("\ngunicorn logged errors; its log ends:\n" + services.tail("gunicorn"))
            failed = True
    except KeyboardInterrupt:
        print("\nInterrupted.")
        failed = True
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"\nFailed: {exc}")
        for name in ("setup", "gunicorn", "celery"):
            if (work / f"{name}.log").exists():
                print(f"--- {name}.log (end) ---\n{services.tail(name)}")
        failed = True
    finally:
        # Cleaning up must not be cut short by a second Ctrl-C.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("Cleaning up: stopping gunicorn and the worker, dropping the scratch database.")
        services.stop()
        recreate_database(base_url, create=False)
        if not static_existed:
            shutil.rmtree(STATIC_ROOT, ignore_errors=True)
        else:
            print(f"  {STATIC_ROOT} existed before the run and is left in place.")
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
