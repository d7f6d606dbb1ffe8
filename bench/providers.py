"""The real diaries' cost of reading (not a test): a week and a report card from each
provider's recording, against our own client reading our own server's answer.

Each provider is signed in on its recording (examples/NAME), then its week and
report card are read `--rounds` times: the recorded answers come from an
httpx MockTransport, so what is timed is the client's side only (HTTP in
process, parsing the service's answer into its models, mapping onto ours).
The baseline, in the same run: `DiaryClient` reading the very same week and
report card, as our server's JSON, through a MockTransport too. Runs are
interleaved (baseline, mos, dnevnik, eljur, baseline...) so all see the same
noisy machine.

    python bench/providers.py --rounds 200
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import time
from collections.abc import Awaitable
from pathlib import Path

import httpx

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.providers import provider_class
from ediary_tui.client.providers.base import ProviderClient
from ediary_tui.client.providers.replay import Recording

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NAMES = ("mos", "dnevnik", "eljur")


async def signed_in(name: str) -> tuple[ProviderClient, str]:
    recording = Recording.load(EXAMPLES / name)
    day = recording.today

    def clock() -> dt.datetime:
        return dt.datetime.combine(day, dt.time(18, 0)).astimezone()

    client = provider_class(name)(
        transport=recording.transport(),
        devkey=recording.devkey,
        vendor=recording.vendor,
        clock=clock,
    )
    await client.login(recording.login, "demo")
    user = await client.me()
    return client, user.children[0].id


def ours_for(week_json: bytes, card_json: bytes) -> DiaryClient:
    """Our client, answered our server's JSON of the same week and report card."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = week_json if "/week" in request.url.path else card_json
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return DiaryClient("http://school", transport=httpx.MockTransport(answer), token="t")


async def timed(call: Awaitable[object]) -> float:
    """Milliseconds to await `call` (a coroutine does its work only when awaited)."""
    started = time.perf_counter()
    await call
    return (time.perf_counter() - started) * 1000


async def main(rounds: int) -> None:
    monday = dt.date(2026, 12, 7)
    clients = {name: await signed_in(name) for name in NAMES}
    mos, mos_child = clients["mos"]
    week = await mos.week(mos_child, monday)
    card = await mos.report_card(mos_child)
    ours = ours_for(week.model_dump_json().encode(), card.model_dump_json().encode())
    rows: dict[str, dict[str, list[float]]] = {
        name: {"week": [], "report card": []} for name in ("ours (baseline)", *NAMES)
    }
    for _ in range(rounds):
        row = rows["ours (baseline)"]
        row["week"].append(await timed(ours.week(mos_child, monday)))
        row["report card"].append(await timed(ours.report_card(mos_child)))
        for name in NAMES:
            client, child = clients[name]
            rows[name]["week"].append(await timed(client.week(child, monday)))
            rows[name]["report card"].append(await timed(client.report_card(child)))
    print(f"{rounds} rounds, interleaved; milliseconds per read (client side, in process)")
    print("| client | week p50 | week p95 | vs ours | report card p50 | p95 | vs ours |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    base = {kind: statistics.median(times) for kind, times in rows["ours (baseline)"].items()}
    for name, kinds in rows.items():
        cells = []
        for kind in ("week", "report card"):
            times = sorted(kinds[kind])
            p50 = statistics.median(times)
            p95 = times[int(len(times) * 0.95) - 1]
            cells += [f"{p50:.2f}", f"{p95:.2f}", f"{p50 / base[kind]:.1f}x"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for client, _child in clients.values():
        await client.aclose()
    await ours.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    asyncio.run(main(parser.parse_args().rounds))
