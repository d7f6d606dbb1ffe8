"""Login benchmark (not a test): throttling under a burst, /healthz while passwords are checked.

Builds (once, cached in --workdir) a small demo school, starts `ediary serve` on a
loopback port and measures, in one run so the figures compare on the same noisy
machine:

- /healthz latency alone (one client asking back to back);
- /healthz latency while 16 clients log in over and over (each a real user with
  the right password: every login is a full argon2 check);
- a burst of 50 wrong passwords for one login sent at once (how many 401, how
  many 429), and 50 made-up logins at once (the per-address limit).

Prints a Markdown table; `--write` puts it in bench/RESULTS.md. `--tree` runs the
server from another checkout (e.g. a `git worktree` of an older commit) to
compare before and after.

    python bench/logins.py --write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

TODAY = "2026-11-25"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ediary(tree: Path, *argv: str, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "ediary_tui.cli", *argv]
    # `python -m` looks in the current directory first: run in the tree.
    return subprocess.run(command, env=env, cwd=tree, text=True, **kw)  # type: ignore[call-overload]


def build_school(tree: Path, db: Path) -> None:
    if db.exists():
        return
    ediary(
        tree,
        "demo",
        "--db",
        str(db),
        "--today",
        TODAY,
        "--classes-per-grade",
        "1",
        "--students-per-class",
        "8",
        check=True,
        capture_output=True,
    )


def users(tree: Path, db: Path, count: int) -> list[str]:
    """`count` real logins, `teacher` first: the burst's login has logged in here before."""
    out = ediary(
        tree, "admin", "--db", str(db), "list-users", check=True, capture_output=True
    ).stdout
    others = [line.split("\t")[0] for line in out.splitlines() if not line.startswith("teacher\t")]
    return ["teacher", *others][:count]


async def healthz_latencies(base: str, seconds: float) -> list[float]:
    """One client asking /healthz back to back for `seconds`; each answer's time in ms."""
    times: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            started = time.perf_counter()
            r = await http.get("/healthz")
            r.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


async def while_logging_in(base: str, logins: list[str], seconds: float) -> tuple[list[float], int]:
    """/healthz latencies while each of `logins` logs in over and over; and the logins done."""
    stop = asyncio.Event()
    done = 0

    async def keep_logging_in(login: str) -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while not stop.is_set():
                r = await http.post("/api/v1/auth/login", json={"login": login, "password": "demo"})
                r.raise_for_status()
                done += 1

    workers = [asyncio.create_task(keep_logging_in(login)) for login in logins]
    await asyncio.sleep(0.5)  # every client has a login in flight
    times = await healthz_latencies(base, seconds)
    stop.set()
    await asyncio.gather(*workers)
    return times, done


async def burst(base: str, bodies: list[dict[str, str]]) -> Counter[int]:
    """Every body posted to the login at once, each on its own connection."""
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        answers = await asyncio.gather(*(http.post("/api/v1/auth/login", json=b) for b in bodies))
    return Counter(r.status_code for r in answers)


def median(times: list[float]) -> str:
    return f"{statistics.median(times):.1f}"


def mean(times: list[float]) -> str:
    return f"{statistics.fmean(times):.1f}"


def p90(times: list[float]) -> str:
    return f"{statistics.quantiles(times, n=10)[-1]:.1f}"


async def measure(base: str, logins: list[str], seconds: float) -> list[str]:
    alone = await healthz_latencies(base, seconds)
    busy, done = await while_logging_in(base, logins, seconds)
    again = await healthz_latencies(base, seconds)
    one_login = await burst(
        base, [{"login": "teacher", "password": f"guess-{i}"} for i in range(50)]
    )
    made_up = await burst(base, [{"login": f"made-up-{i}", "password": "x"} for i in range(50)])
    return [
        "| /healthz | requests | median ms | mean ms | p90 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| alone | {len(alone)} | {median(alone)} | {mean(alone)} | {p90(alone)} |",
        f"| while {len(logins)} clients log in ({done / seconds:.1f} logins/s) "
        f"| {len(busy)} | {median(busy)} | {mean(busy)} | {p90(busy)} |",
        f"| alone (again) | {len(again)} | {median(again)} | {mean(again)} | {p90(again)} |",
        "",
        "| burst of 50 at once | 401 | 429 | other |",
        "| --- | ---: | ---: | ---: |",
        f"| wrong passwords for one login | {one_login[401]} | {one_login[429]} "
        f"| {sum(one_login.values()) - one_login[401] - one_login[429]} |",
        f"| 50 made-up logins | {made_up[401]} | {made_up[429]} "
        f"| {sum(made_up.values()) - made_up[401] - made_up[429]} |",
    ]


def write_section(path: Path, name: str, body: str) -> None:
    """Replace this benchmark's section of RESULTS.md, keeping the others."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    head, *sections = text.split("\n## ")
    sections = [s for s in sections if not s.startswith(name)] + [f"{name}\n\n{body}\n"]
    path.write_text("\n## ".join([head.rstrip() + "\n", *sections]))


def run(tree: Path, workdir: Path, clients: int, seconds: float) -> list[str]:
    db = workdir / f"school-{tree.name}.db"
    build_school(tree, db)
    work_db = workdir / f"run-{os.getpid()}.db"  # fresh counts and tokens for every run
    shutil.copyfile(db, work_db)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(tree), "EDIARY_HOME": str(workdir / "home")}
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "ediary_tui.cli", "serve", "--db", str(work_db)),
            *("--port", str(port), "--log-level", "warning"),
        ],
        env=env,
        cwd=tree,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        return asyncio.run(measure(base, users(tree, work_db, clients), seconds))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work_db}{suffix}").unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="clients logging in at once")
    parser.add_argument("--seconds", type=float, default=5, help="each /healthz measurement")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to serve from")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ediary-bench-logins"))
    parser.add_argument("--write", action="store_true", help="write the table to bench/RESULTS.md")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = run(args.tree.resolve(), args.workdir, args.clients, args.seconds)
    commit = subprocess.run(
        ["git", "-C", str(args.tree), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(args.tree), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if dirty:
        commit = f"{commit[:50]}…, with uncommitted changes"
    load = os.getloadavg()[0]
    note = (
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, load average {load:.1f}; "
        f"server from `{commit[:60]}`, SQLite, one process, on loopback."
    )
    table = "\n".join([note, "", *rows])
    print(table)
    if args.write:
        write_section(HERE / "RESULTS.md", "bench/logins.py", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
