"""Server load benchmark (not a test): a district over real HTTP on loopback.

Builds (once, cached in --workdir) a district-sized demo school database,
starts `ediary serve` on a loopback port, and drives the week, journal and
mark-write endpoints with concurrent clients, side by side with /healthz in
the same run, so the figures compare against a baseline on the same noisy
machine. Prints a Markdown table; `--write` puts it in bench/RESULTS.md.

    python bench/server.py --schools 20 --clients 50 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

TODAY = dt.date(2026, 11, 25)
HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    name: str
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_district(db: Path, schools: int, classes_per_grade: int, students: int) -> None:
    if db.exists():
        print(f"reusing {db}", file=sys.stderr)
        return
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable, "-m", "ediary_tui.cli", "demo", "--db", str(db), "--today", TODAY.isoformat(),
            "--schools", str(schools), "--classes-per-grade", str(classes_per_grade),
            "--students-per-class", str(students),
        ],
        check=True,
    )
    print(f"built the district in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def logins(db: Path, role: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "ediary_tui.cli", "admin", "--db", str(db), "list-users", "--role", role],
        check=True, capture_output=True, text=True,
    ).stdout
    return [line.split("\t")[0] for line in out.splitlines()]


async def drive(
    name: str, base: str, clients: int, seconds: float, make: Callable[[int], Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]]
) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:

        async def worker(i: int) -> None:
            nonlocal errors
            call = make(i)
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                r = await call(http)
                latencies.append(time.perf_counter() - t0)
                if r.status_code >= 400:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    return Result(name, clients, len(latencies), errors, elapsed, latencies)


async def token(http: httpx.AsyncClient, login: str) -> dict[str, str]:
    r = await http.post("/api/v1/auth/login", json={"login": login, "password": "demo"})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def scenario(base: str, db: Path, clients: int, seconds: float) -> list[Result]:
    rng = random.Random(7)
    parents = rng.sample(logins(db, "parent"), clients)
    teachers = rng.sample(logins(db, "teacher"), min(clients, 40))
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        parent_auth = [await token(http, p) for p in parents]
        children = []
        for headers in parent_auth:
            me = (await http.get("/api/v1/me", headers=headers)).json()
            children.append([c["id"] for c in me["children"]])
        teacher_auth = [await token(http, t) for t in teachers]
        journals = []
        for headers in teacher_auth:
            me = (await http.get("/api/v1/me", headers=headers)).json()
            pairs = [(t["class_id"], t["subject_id"]) for t in me["teaching"]]
            journals.append(pairs)
        # Lessons and students a teacher may write marks for.
        writable: list[tuple[dict[str, str], list[str], list[str]]] = []
        for headers, pairs in zip(teacher_auth, journals, strict=True):
            class_id, subject_id = pairs[0]
            j = (await http.get("/api/v1/journal", params={"class_id": class_id, "subject_id": subject_id}, headers=headers)).json()
            lessons = [le["id"] for le in j["lessons"] if le["date"] <= TODAY.isoformat()]
            writable.append((headers, lessons, [s["id"] for s in j["students"]]))

    weeks = [TODAY - dt.timedelta(weeks=w) for w in range(8)]

    def healthz(_i: int) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
        return lambda http: http.get("/healthz")

    def week(i: int) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
        headers, kids, r = parent_auth[i], children[i], random.Random(i)
        return lambda http: http.get(
            f"/api/v1/students/{r.choice(kids)}/week", params={"start": r.choice(weeks).isoformat()}, headers=headers
        )

    def journal(i: int) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
        headers, pairs, r = teacher_auth[i % len(teacher_auth)], journals[i % len(journals)], random.Random(i)

        def call(http: httpx.AsyncClient) -> Awaitable[httpx.Response]:
            class_id, subject_id = r.choice(pairs)
            return http.get("/api/v1/journal", params={"class_id": class_id, "subject_id": subject_id}, headers=headers)

        return call

    def mark(i: int) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
        headers, lessons, students = writable[i % len(writable)]
        r = random.Random(i)
        return lambda http: http.post(
            "/api/v1/marks",
            json={"student_id": r.choice(students), "lesson_id": r.choice(lessons), "value": r.randint(2, 5)},
            headers={**headers, "Idempotency-Key": f"bench-{i}-{r.random()}"},
        )

    results = []
    for name, make, n in (
        ("GET /healthz", healthz, clients),
        ("GET week", week, clients),
        ("GET journal", journal, min(clients, len(teacher_auth))),
        ("POST mark", mark, min(clients, len(writable))),
        ("GET /healthz (again)", healthz, clients),
    ):
        results.append(await drive(name, base, n, seconds, make))
        print(f"  {name}: {results[-1].rps:.0f} req/s", file=sys.stderr)
    return results


def table(results: list[Result], note: str) -> str:
    base = statistics.mean(r.rps for r in results if "healthz" in r.name)
    lines = [
        note,
        "",
        "| endpoint | clients | requests | errors | req/s | vs /healthz | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.clients} | {r.requests} | {r.errors} | {r.rps:.0f} | {r.rps / base:.2f} | {r.pct(50):.1f} | {r.pct(99):.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--classes-per-grade", type=int, default=1)
    parser.add_argument("--students-per-class", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", help="a postgresql:// URL instead of the SQLite file in --workdir")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ediary-bench"))
    parser.add_argument("--write", action="store_true", help="write the table to bench/RESULTS.md")
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / f"district-{args.schools}x{args.classes_per_grade}x{args.students_per_class}.db"
    build_district(db, args.schools, args.classes_per_grade, args.students_per_class)
    work_db = args.workdir / "run.db"
    subprocess.run(["cp", str(db), str(work_db)], check=True)  # mark writes must not grow the cached district

    port = free_port()
    env = {**os.environ, "EDIARY_HOME": str(args.workdir / "home")}
    server = subprocess.Popen(
        [sys.executable, "-m", "ediary_tui.cli", "serve", "--db", str(work_db), "--port", str(port),
         "--workers", str(args.workers), "--log-level", "warning"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        results = asyncio.run(scenario(base, work_db, args.clients, args.seconds))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    note = (
        f"SQLite, {args.schools} schools x {11 * args.classes_per_grade} classes x {args.students_per_class} students, "
        f"{args.workers} server process(es), load generator in one Python process on the same 2-core machine, "
        f"{args.seconds:.0f} s per row, measured {dt.date.today().isoformat()}."
    )
    out = table(results, note)
    print(out)
    if args.write:
        (HERE / "RESULTS.md").write_text("# Benchmark results\n\n## bench/server.py\n\n" + out + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
