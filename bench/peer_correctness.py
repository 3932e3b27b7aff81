"""The peers benchmark's three correctness probes, run against Lindungi (not a benchmark).

    PEERS=/path/to/peers .venv/bin/python bench/peer_correctness.py

`PEERS` is the peers benchmark folder: its orchestrator starts Redis, its own PostgreSQL
cluster and the fake Bot API, and its probes' load generator and texts are reused, so the
numbers compare with its `correctness.py` table. Lindungi is started from `bench/peers.json`
(`lindungi`, `lindungi-2proc`), its rows are counted in `flow_submissions`.

 1. restart:   /start + name, restart the server(s), then the NIK: is the phone asked next?
 2. order:     in "ask name", the name and the NIK of one chat posted 0.5 ms apart: are the
               replies [ask NIK, ask phone]?
 3. doubletap: in "confirm", two `confirm:yes` of one chat posted together: rows per user,
               and whether both taps were answered with the same reference.

Variants: SQLite with embedded state (no Redis), PostgreSQL + Redis, and two processes sharing
the port on PostgreSQL + Redis. Prints one JSON line per variant and a Markdown table; writes
nothing in the peers folder except its git-ignored `.run/`.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
PEERS = os.environ.get("PEERS")
if not PEERS or not (Path(PEERS) / "bench.py").is_file():
    raise SystemExit("set PEERS to the peers benchmark folder (the one holding bench.py)")
sys.path.insert(0, PEERS)
os.environ["EXTRA_CONFIGS"] = str(HERE / "peers.json")
os.environ.pop("LINDUNGI_REDIS_URL", None)

import correctness  # noqa: E402
from loadgen import Gen  # noqa: E402
from peers_common.texts import T_ASK_PHONE, T_DONE  # noqa: E402

# The peers' orchestrator, bench.py in PEERS: imported by name at run time, since this folder
# is called bench too (its attributes are untyped).
bench = importlib.import_module("bench")

N = correctness.N
DONE_PREFIX = T_DONE.split("{", 1)[0]
TAP_BASE = 30_000_000_000
RESTART_USER = 40_000_000_000
# (label, config in peers.json, database, use Redis)
VARIANTS = [
    ("lindungi, SQLite + embedded state", "lindungi", "sqlite", False),
    ("lindungi, PostgreSQL + Redis", "lindungi", "pg", True),
    ("lindungi-2proc, PostgreSQL + Redis", "lindungi-2proc", "pg", True),
]


def config(name: str, redis: bool) -> dict[str, Any]:
    cfg: dict[str, Any] = copy.deepcopy(bench.CONFIGS[name])
    if not redis:
        cfg["env"].pop("LINDUNGI_REDIS_URL", None)
    return cfg


def webhook(cfg: dict[str, Any]) -> str:
    return f"http://127.0.0.1:{cfg['port']}{cfg.get('webhook', '/webhook')}"


def stop(procs: list[Any]) -> None:
    for p in procs:
        bench.stop(p)
        bench.started.remove(p)


async def probe_doubletap(
    http: aiohttp.ClientSession, gen: Gen, url: str, db: str
) -> dict[str, Any]:
    for i in range(N):
        for _step, update in gen.conversation(TAP_BASE + i, 1)[:-1]:
            await correctness.post(http, gen, url, update)

    async def tap2(uid: int) -> None:
        await asyncio.gather(
            correctness.post(http, gen, url, gen.callback(uid, "confirm:yes")),
            correctness.post(http, gen, url, gen.callback(uid, "confirm:yes")),
        )

    await asyncio.gather(*(tap2(TAP_BASE + i) for i in range(N)))
    await asyncio.sleep(1.0)
    per_user = (
        "select count(*) from (select telegram_user_id from flow_submissions "
        f"where telegram_user_id >= {TAP_BASE} group by telegram_user_id having count(*) {{}}) t"
    )
    one = bench.count_rows(db, per_user.format("= 1"))
    more = bench.count_rows(db, per_user.format("> 1"))
    same = 0
    for i in range(N):
        last = (await correctness.texts(http, TAP_BASE + i))[-2:]
        same += len(last) == 2 and last[0] == last[1] and last[0].startswith(DONE_PREFIX)
    return {
        "users": N,
        "users_with_1_row": one,
        "users_with_2_rows": more,
        "users_with_0_rows": N - one - more,
        "both_taps_same_reference": same,
    }


async def probe_restart(cfg: dict[str, Any], db: str) -> dict[str, Any]:
    gen, url, uid = Gen("", ""), webhook(cfg), RESTART_USER
    bench.fresh_state(db)
    procs = bench.start_bot(cfg, db, tag="lindungi-restart-a")
    async with aiohttp.ClientSession() as http:
        await correctness.post(http, gen, url, gen.message(uid, "/start"))
        await correctness.post(http, gen, url, gen.message(uid, "Agus Salim"))
    stop(procs)
    again = {k: v for k, v in cfg.items() if k != "reset_cmd"}  # keep the stored state
    procs = bench.start_bot(again, db, tag="lindungi-restart-b")
    try:
        async with aiohttp.ClientSession() as http:
            before = len(await correctness.texts(http, uid))
            status = await correctness.post(http, gen, url, gen.message(uid, "3201234567890123"))
            after = await correctness.texts(http, uid)
    finally:
        stop(procs)
    new = after[before:]
    return {
        "http_status": status,
        "reply_after_restart": new[0] if new else None,
        "conversation_survived": bool(new) and new[0] == T_ASK_PHONE,
    }


async def run_variant(name: str, db: str, redis: bool) -> dict[str, Any]:
    cfg = config(name, redis)
    url = webhook(cfg)
    bench.fresh_state(db)
    procs = bench.start_bot(cfg, db, tag=f"{name}-{db}-probes")
    try:
        async with aiohttp.ClientSession() as http:
            gen = Gen(url, "peer-secret")
            result = {
                "order": await correctness.probe_order(http, gen, url, False),
                "doubletap": await probe_doubletap(http, gen, url, db),
            }
    finally:
        stop(procs)
    result["restart"] = await probe_restart(cfg, db)
    return result


async def main() -> None:
    results: dict[str, dict[str, Any]] = {}
    bench.start_infra(True)
    try:
        for label, name, db, redis in VARIANTS:
            results[label] = await run_variant(name, db, redis)
            print(label, json.dumps(results[label]), flush=True)
    finally:
        for p in list(bench.started):
            bench.stop(p)
        bench.started.clear()
        bench.stop_infra(True)
    print(
        "\n| variant | same-chat pair in order | double-tap confirm: 1 row / 2 rows "
        "| both taps got the same reference | survives restart |"
    )
    print("|---|---:|---:|---:|---|")
    for label, r in results.items():
        rs, tap = r["restart"], r["doubletap"]
        survived = (
            "yes"
            if rs["conversation_survived"]
            else f"no (NIK after restart got reply: {rs['reply_after_restart']!r})"
        )
        print(
            f"| {label} | {r['order']['in_order']}/{N} | {tap['users_with_1_row']} / "
            f"{tap['users_with_2_rows']} | {tap['both_taps_same_reference']}/{N} | {survived} |"
        )


if __name__ == "__main__":
    asyncio.run(main())
