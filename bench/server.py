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
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
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
    rps: float
    p50: float
    p99: float

    @classmethod
    def from_wrk(cls, name: str, clients: int, out: str) -> Result:
        def ms(text: str) -> float:
            value = float(re.sub(r"[a-z]+$", "", text))
            return (
                value / 1000
                if text.endswith("us")
                else value * 1000
                if text.endswith("s") and not text.endswith("ms")
                else value
            )

        requests = int(re.search(r"(\d+) requests in", out).group(1))
        errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
        p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
        return cls(name, clients, requests, errors, rps, p50, p99)


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
            sys.executable,
            "-m",
            "ediary_tui.cli",
            "demo",
            "--db",
            str(db),
            "--today",
            TODAY.isoformat(),
            "--schools",
            str(schools),
            "--classes-per-grade",
            str(classes_per_grade),
            "--students-per-class",
            str(students),
        ],
        check=True,
    )
    print(f"built the district in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def logins(db: Path, role: str) -> list[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ediary_tui.cli",
            "admin",
            "--db",
            str(db),
            "list-users",
            "--role",
            role,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split("\t")[0] for line in out.splitlines()]


LUA = """
local requests = {%s}
local counter = 0
request = function()
  local r = requests[math.random(#requests)]
  local headers = {}
  for k, v in pairs(r.headers) do headers[k] = v end
  if r.method == "POST" then
    counter = counter + 1
    headers["Idempotency-Key"] = "bench-" .. tostring(math.random(1e9)) .. "-" .. counter
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(r.method, r.path, headers, r.body)
end
"""


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None

    def lua(self) -> str:
        headers = ", ".join(f'["{k}"] = "{v}"' for k, v in self.headers.items())
        body = "nil" if self.body is None else "[[" + self.body + "]]"
        return f'{{method = "{self.method}", path = "{self.path}", headers = {{{headers}}}, body = {body}}}'


def drive(
    name: str, base: str, clients: int, seconds: float, calls: list[Call], workdir: Path
) -> Result:
    """Run wrk (a C load generator, so the client is not the bottleneck) over `calls`."""
    script = workdir / "calls.lua"
    script.write_text(LUA % ",\n".join(c.lua() for c in calls))
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{seconds:.0f}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Result.from_wrk(name, clients, out)


async def token(http: httpx.AsyncClient, login: str) -> dict[str, str]:
    r = await http.post("/api/v1/auth/login", json={"login": login, "password": "demo"})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def prepare(base: str, db: Path, clients: int) -> dict[str, list[Call]]:
    """Log real users in and list the requests each scenario picks from at random."""
    rng = random.Random(7)
    parents = rng.sample(logins(db, "parent"), clients)
    teachers = rng.sample(logins(db, "teacher"), min(clients, 40))
    weeks = [(TODAY - dt.timedelta(weeks=w)).isoformat() for w in range(8)]
    calls: dict[str, list[Call]] = {
        "healthz": [Call("GET", "/healthz", {})],
        "week": [],
        "journal": [],
        "mark": [],
    }
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for login in parents:
            headers = await token(http, login)
            me = (await http.get("/api/v1/me", headers=headers)).json()
            for child in me["children"]:
                for monday in weeks:
                    calls["week"].append(
                        Call("GET", f"/api/v1/students/{child['id']}/week?start={monday}", headers)
                    )
        for login in teachers:
            headers = await token(http, login)
            me = (await http.get("/api/v1/me", headers=headers)).json()
            for pair in me["teaching"]:
                path = (
                    f"/api/v1/journal?class_id={pair['class_id']}&subject_id={pair['subject_id']}"
                )
                calls["journal"].append(Call("GET", path, headers))
            pair = me["teaching"][0]
            journal = (
                await http.get(
                    "/api/v1/journal",
                    params={"class_id": pair["class_id"], "subject_id": pair["subject_id"]},
                    headers=headers,
                )
            ).json()
            lessons = [le["id"] for le in journal["lessons"] if le["date"] <= TODAY.isoformat()][
                -10:
            ]
            for lesson in lessons:
                for student in journal["students"][:10]:
                    body = json.dumps(
                        {
                            "student_id": student["id"],
                            "lesson_id": lesson,
                            "value": rng.randint(2, 5),
                        }
                    )
                    calls["mark"].append(Call("POST", "/api/v1/marks", headers, body))
    return calls


def scenario(base: str, db: Path, clients: int, seconds: float, workdir: Path) -> list[Result]:
    calls = asyncio.run(prepare(base, db, clients))
    results = []
    for name, key in (
        ("GET /healthz", "healthz"),
        ("GET week", "week"),
        ("GET journal", "journal"),
        ("POST mark", "mark"),
        ("GET /healthz (again)", "healthz"),
    ):
        results.append(drive(name, base, clients, seconds, calls[key], workdir))
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
            f"| {r.name} | {r.clients} | {r.requests} | {r.errors} | {r.rps:.0f} | {r.rps / base:.2f} | {r.p50:.1f} | {r.p99:.1f} |"
        )
    return "\n".join(lines)


def write_section(path: Path, name: str, body: str) -> None:
    """Replace this benchmark's section of RESULTS.md, keeping the others."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    head, *sections = text.split("\n## ")
    sections = [s for s in sections if not s.startswith(name)] + [f"{name}\n\n{body}\n"]
    path.write_text("\n## ".join([head.rstrip() + "\n", *sections]))


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
    if shutil.which("wrk") is None:
        parser.error("needs wrk, a C load generator: apt-get install wrk")

    args.workdir.mkdir(parents=True, exist_ok=True)
    db = (
        args.workdir
        / f"district-{args.schools}x{args.classes_per_grade}x{args.students_per_class}.db"
    )
    build_district(db, args.schools, args.classes_per_grade, args.students_per_class)
    # A fresh copy of its own for each run: mark writes must not grow the cached district,
    # and a server of an earlier run still shutting down must not write into this one's file.
    work_db = args.workdir / f"run-{os.getpid()}.db"
    shutil.copyfile(db, work_db)

    port = free_port()
    env = {**os.environ, "EDIARY_HOME": str(args.workdir / "home")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ediary_tui.cli",
            "serve",
            "--db",
            str(work_db),
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
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
        results = scenario(base, work_db, args.clients, args.seconds, args.workdir)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work_db}{suffix}").unlink(missing_ok=True)
    note = (
        f"SQLite, {args.schools} schools x {11 * args.classes_per_grade} classes x {args.students_per_class} students, "
        f"{args.workers} server process(es), load generator wrk (2 threads) on the same 2-core machine, "
        f"{args.seconds:.0f} s per row, measured {dt.date.today().isoformat()}."
    )
    out = table(results, note)
    print(out)
    if args.write:
        write_section(HERE / "RESULTS.md", "bench/server.py", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
