"""Broadcasts in the console: compose, count, send with the right segment, regions, cancel."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from storage.models import Broadcast
from storage.repos.broadcasts import Broadcasts
from storage.repos.chats import WorkerChats
from tests.integration.api_harness import OTHER_REGION, api_fixture  # noqa: F401 - `api`
from tests.integration.web_harness import Browser, Web, web_fixture  # noqa: F401 - `web`

MESSAGE = "Pendaftaran Program Uji Kuota dibuka sampai 31 Desember."


async def worker(web: Web, **overrides: Any) -> int:
    """A registered worker whose chat started the bot; returns the chat id."""
    registration = await web.api.registration(**overrides)
    row = await web.services.registrations.get(registration)
    await WorkerChats(web.services.db).upsert_seen(row.telegram_chat_id, row.telegram_user_id, "id")
    return int(row.telegram_chat_id)


async def broadcasts(web: Web) -> list[Broadcast]:
    async with web.services.db.session() as session:
        return list((await session.exec(select(Broadcast).order_by(col(Broadcast.id)))).all())


async def compose(browser: Browser, action: str, **fields: Any) -> Any:
    await browser.get("/admin/broadcasts")
    form = {"text": MESSAGE, "action": action, "reason": "Informasi program baru", **fields}
    return await browser.post("/admin/broadcasts", form)


async def test_compose_count_then_send_creates_a_broadcast_for_the_segment(web: Web) -> None:
    await worker(web, occupation="nelayan")
    await worker(web, occupation="petani")
    await worker(web, occupation="nelayan", **OTHER_REGION)
    browser = await web.signed_in()
    segment = {"occupation": ["nelayan"], "region": "36.04", "language": ["id"]}

    counted = await compose(browser, "count", **segment)
    after_count = await broadcasts(web)
    sent = await compose(browser, "send", **segment)

    assert counted.status_code == 200
    assert "akan diterima 1 pekerja" in counted.text
    assert MESSAGE in counted.text  # the form keeps what was typed
    assert after_count == []
    assert sent.status_code == 303
    (created,) = await broadcasts(web)
    assert created.segment == {"occupation": ["nelayan"], "region": ["36.04"], "language": ["id"]}
    assert created.status == "scheduled"
    assert created.text == MESSAGE
    page = (await browser.get("/admin/broadcasts")).text
    assert f"Siaran #{created.id} dijadwalkan" in page
    assert "Terjadwal" in page


async def test_the_api_rules_refuse_a_bad_broadcast_on_the_page(web: Web) -> None:
    browser = await web.signed_in()

    long = await compose(browser, "send", text="x" * 1025)
    half_button = await compose(browser, "send", button_text="Daftar")

    assert long.status_code == half_button.status_code == 422
    assert "Siaran tidak valid" in long.text
    assert await broadcasts(web) == []


async def test_a_reviewers_segment_is_forced_to_their_region(web: Web) -> None:
    await worker(web)
    await worker(web, **OTHER_REGION)
    browser = await web.signed_in("reviewer", "36.04")

    counted = await compose(browser, "count", region="36.73")
    sent = await compose(browser, "send", region="36.73", status=["pending"])

    assert "akan diterima 1 pekerja" in counted.text
    assert sent.status_code == 303
    (created,) = await broadcasts(web)
    assert created.segment == {"region": ["36.04"], "status": ["pending"]}


async def test_a_reviewer_sees_and_cancels_only_their_regions_broadcasts(web: Web) -> None:
    store = Broadcasts(web.services.db)
    ours = await store.create("Untuk Serang", {"region": ["36.04"]})
    national = await store.create("Untuk semua")
    browser = await web.signed_in("reviewer", "36.04")

    page = (await browser.get("/admin/broadcasts")).text
    refused = await browser.post(f"/admin/broadcasts/{national}/cancel")
    unknown = await browser.post(f"/admin/broadcasts/{ours + 1000}/cancel")

    assert "Untuk Serang" in page and "Untuk semua" not in page
    assert f"/admin/broadcasts/{ours}/cancel" in page
    assert refused.status_code == unknown.status_code == 404  # as if it did not exist
    assert refused.text == unknown.text
    assert (await store.get(national)).status == "scheduled"


async def test_cancel_stops_a_scheduled_broadcast(web: Web) -> None:
    store = Broadcasts(web.services.db)
    broadcast = await store.create(MESSAGE, {"region": ["36.04"]})
    browser = await web.signed_in()
    await browser.get("/admin/broadcasts")

    missing = await browser.post(f"/admin/broadcasts/{broadcast}/cancel", csrf="")
    cancelled = await browser.post(f"/admin/broadcasts/{broadcast}/cancel")
    again = await browser.post(f"/admin/broadcasts/{broadcast}/cancel")

    assert missing.status_code == 403
    assert cancelled.status_code == again.status_code == 303
    assert (await store.get(broadcast)).status == "cancelled"
    page = (await browser.get("/admin/broadcasts")).text
    assert "sudah selesai" in page
    assert "Dibatalkan" in page
    assert f"/admin/broadcasts/{broadcast}/cancel" not in page


async def test_sending_without_the_csrf_token_is_refused(web: Web) -> None:
    browser = await web.signed_in()

    response = await browser.post("/admin/broadcasts", {"text": MESSAGE, "action": "send"}, csrf="")

    assert response.status_code == 403
    assert await broadcasts(web) == []


async def test_a_running_broadcast_shows_its_progress(web: Web) -> None:
    for _ in range(2):
        await worker(web)
    store = Broadcasts(web.services.db)
    broadcast = await store.create(MESSAGE)
    await store.start_due()
    browser = await web.signed_in()

    page = (await browser.get("/admin/broadcasts")).text

    assert "Sedang dikirim" in page
    assert "0 terkirim, 0 gagal, 0 diblokir, 2 tersisa dari 2" in page
    assert f"/admin/broadcasts/{broadcast}/cancel" in page
