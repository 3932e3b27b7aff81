"""An erased worker's personal data is nowhere afterwards: not in any table, not in the SQLite
files (nor their write-ahead logs), not in Redis; broadcasts stop as soon as they ask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from redis.asyncio import Redis
from sqlalchemy import select

from console.erasure import complete_erasure
from storage.infra.db import sqlite_file
from storage.infra.state import codec
from storage.models import metadata
from storage.repos.broadcasts import Broadcasts
from storage.repos.data_rights import DataRights
from tests.e2e.harness import BotHarness, Worker, sql
from tests.e2e.test_registration import register_until_summary
from tests.services import REDIS_URL
from tests.walks import NIK

QUESTION = "Apakah anak saya Budi Santoso bisa ikut juga?"
KPJ = "24117766554"
REASON = "Foto KTP tidak terbaca, nama ibu Siti Aminah tidak cocok"


async def ask_for_erasure(w: Worker) -> None:
    await w.command("/data")
    await w.press("Hapus data saya")
    await w.press("Ya, hapus data saya")
    assert "paling lambat" in w.last


async def worker_with_everything(bot: BotHarness) -> tuple[Worker, list[str]]:
    """A worker with two registrations (the older rejected with a reason, the newer active with
    a KPJ), a question, a broadcast received; returns the references they were given."""
    w = bot.worker()
    await register_until_summary(w)
    await w.press("Kirim")
    await w.command("/tanya")
    await w.say(QUESTION)
    # A second registration from the same account, made after the first was rejected.
    columns = [c.name for c in metadata.tables["registrations"].columns if c.name != "id"]
    copied = {
        "reference": "'LDG-SECOND'",
        "nik_hash": "'second-hash'",
        "submission_key": "submission_key || '-again'",
        "status": "'active'",
        "kpj": f"'{KPJ}'",
    }
    async with bot.services.db.engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text(f"UPDATE registrations SET status='rejected', reason='{REASON}'"))
        await conn.execute(
            text(
                f"INSERT INTO registrations ({', '.join(columns)}) "
                f"SELECT {', '.join(copied.get(c, c) for c in columns)} FROM registrations"
            )
        )
    await bot.services.processor.chats.flush()  # the chat directory, written in the background
    broadcasts = Broadcasts(bot.services.db)
    sent = await broadcasts.create("Kabar untuk semua pekerja", {})
    await broadcasts.start_due()
    await bot.services.broadcast_jobs.deliver(sent)
    references = [r["reference"] for r in await sql(bot, "SELECT reference FROM registrations")]
    return w, references


def personal_values(w: Worker) -> dict[str, str]:
    return {
        "name": "Ahmad Fauzi",
        "NIK": NIK,
        "phone": "6281234567890",
        "heir": "Siti Aminah",
        "KPJ": KPJ,
        "chat id": str(w.user_id),
        "question": "Budi Santoso",
    }


async def database_rows(bot: BotHarness) -> list[str]:
    """Every row of every table, as text, with the encrypted texts decrypted."""
    cipher = bot.services.cipher
    found: list[str] = []
    async with bot.services.db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                found.append(f"{table.name}: {dict(row)}")
                for column, context in (
                    ("text_ciphertext", "question"),
                    ("answers_ciphertext", "flow_submission"),
                    ("nik_ciphertext", "nik"),
                ):
                    if row.get(column):
                        found.append(_decrypt(cipher, row[column], context))
    return found


def _decrypt(cipher: Any, value: str, context: str) -> str:
    try:
        return str(cipher.decrypt_text(value, context=context))
    except Exception:  # another context: still searched as stored
        return value


def sqlite_files(bot: BotHarness) -> list[Path]:
    settings = bot.services.settings
    database = sqlite_file(bot.services.db.url)
    files: list[Path] = []
    for path in (database, settings.state_path()):
        if path is not None:
            files += [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    return files


async def redis_values(bot: BotHarness) -> list[str]:
    """Every key under the prefix with its value (state documents decrypted); a key kept for
    less than a minute (send pacing, locks) is listed by its value only."""
    prefix = bot.services.settings.redis_prefix
    cipher = bot.services.cipher
    client = Redis.from_url(REDIS_URL)
    found: list[str] = []
    try:
        async for raw in client.scan_iter(match=f"{prefix}*"):
            key = raw.decode()
            kind = (await client.type(key)).decode()
            if kind == "string":
                value: Any = await client.get(key)
                if key.startswith(f"{prefix}state:"):
                    chat_id = int(key.rsplit(":", 1)[1])
                    value = orjson.dumps(codec.decode(cipher, chat_id, value))
            elif kind == "zset":
                value = await client.zrange(key, 0, -1, withscores=True)
            elif kind == "set":
                value = await client.smembers(key)
            elif kind == "hash":
                value = await client.hgetall(key)
            else:
                value = await client.lrange(key, 0, -1)
            if 0 <= await client.pttl(key) <= 60_000:
                found.append(repr(value))
            else:
                found.append(f"{key} = {value!r}")
    finally:
        await client.aclose()
    return found


async def test_an_erasure_leaves_none_of_the_workers_personal_data_anywhere(
    bot: BotHarness,
) -> None:
    w, references = await worker_with_everything(bot)
    values = personal_values(w)
    assert any(values["chat id"] in row for row in await database_rows(bot))  # the search works
    await ask_for_erasure(w)
    [request] = await DataRights(bot.services.db, bot.services.cipher).open_requests()
    assert request.id is not None
    await complete_erasure(bot.services, request.id, "official:1")

    rows = await database_rows(bot)
    for what, value in values.items():
        assert not [row for row in rows if value in row], f"the {what} is still in the database"
    assert not [row for row in rows if REASON in row], "the rejection reason is still stored"
    for path in sqlite_files(bot):
        content = path.read_bytes()
        for what, value in values.items():
            assert value.encode() not in content, f"the {what} is still in {path.name}"
    if bot.services.settings.redis_url:
        stored = await redis_values(bot)
        for what, value in values.items():
            assert not [v for v in stored if value in v], f"the {what} is still in Redis"

    # What stays: anonymous counts, and an audit trail that no longer names the worker.
    kept = await sql(bot, "SELECT status, occupation FROM registrations ORDER BY id")
    assert kept == [
        {"status": "rejected", "occupation": "guru_ngaji"},
        {"status": "active", "occupation": "guru_ngaji"},
    ]
    actors = [r["actor"] for r in await sql(bot, "SELECT actor FROM audit_log ORDER BY id")]
    assert f"erased:{request.id}" in actors
    assert "official:1" in actors
    progress = await Broadcasts(bot.services.db).progress(1)
    assert progress.sent == 1

    # The worker, writing again, is told nothing is stored; no old reference is shown.
    await w.command("/status")
    assert "belum punya pendaftaran" in w.last
    await w.command("/data")
    assert "tidak ada yang kami simpan" in w.last
    shown = " ".join(w.texts)
    later = shown[shown.rindex("paling lambat") :]
    assert not [ref for ref in references if ref in later]


async def test_asking_for_erasure_stops_broadcasts_to_the_worker_at_once(
    bot: BotHarness,
) -> None:
    w = bot.worker()
    await register_until_summary(w)
    await w.press("Kirim")
    other = bot.worker("Sari")
    await other.command("/start")
    await bot.services.processor.chats.flush()
    broadcasts = Broadcasts(bot.services.db)
    running = await broadcasts.create("Kabar pertama", {})
    await broadcasts.start_due()  # its recipients are fixed: both chats
    await ask_for_erasure(w)
    later = await broadcasts.create("Kabar kedua", {})
    await broadcasts.start_due()
    for broadcast in (running, later):
        await bot.services.broadcast_jobs.deliver(broadcast)
    to_worker = [m.get("text", "") for m in bot.tg.sent if m["chat"]["id"] == w.user_id]
    to_other = [m.get("text", "") for m in bot.tg.sent if m["chat"]["id"] == other.user_id]
    assert not [text for text in to_worker if text.startswith("Kabar")]
    assert {"Kabar pertama", "Kabar kedua"} <= set(to_other)
