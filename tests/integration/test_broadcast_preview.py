"""Officials link their own Telegram chat with a one-time code sent to the bot, and send a
broadcast to themselves first (API and console), exactly as recipients get it; reviewers cancel
only broadcasts within their region."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from storage.models import utcnow
from storage.repos.broadcasts import Broadcasts
from storage.repos.official_telegram import CODE_TTL, OfficialTelegram
from tests.fakebot import FakeTelegram
from tests.integration.api_harness import (  # noqa: F401 - fixtures `api`, `api_tg`, `tg`
    Api,
    api_fixture,
    api_tg_fixture,
    tg_fixture,
)
from tests.integration.web_harness import Web

OFFICIAL_CHAT = 555_000_111
BODY: dict[str, Any] = {
    "text": "<b>Pendaftaran gratis</b> untuk nelayan sampai 31 Januari.",
    "segment": {"occupation": "nelayan"},
    "photo_url": "https://lindungi.example.go.id/poster.jpg",
    "button": {"text": "Daftar sekarang", "url": "https://lindungi.example.go.id/daftar"},
}


async def send_to_bot(api: Api, tg: FakeTelegram, chat: int, text: str) -> str:
    """`text` from a private chat through the server's update processing; the bot's answer."""
    await api.services.processor.process(tg.factory().command(chat, text))
    return tg.messages(chat)[-1]


async def linked_official(api: Api, tg: FakeTelegram, chat: int = OFFICIAL_CHAT, **kw: Any) -> str:
    token = await api.official(**kw)
    code = (await api.post("/me/telegram/link", token)).json()["code"]
    await send_to_bot(api, tg, chat, f"/start {code}")
    return token


async def test_an_official_links_a_chat_with_a_code_and_gets_the_broadcast_as_sent(
    api_tg: Api, tg: FakeTelegram
) -> None:
    token = await api_tg.official("reviewer", "36.04")
    before = await api_tg.post("/broadcasts/test", token, BODY)
    issued = await api_tg.post("/me/telegram/link", token)
    code = issued.json()["code"]

    answer = await send_to_bot(api_tg, tg, OFFICIAL_CHAT, f"/start {code}")
    status = await api_tg.get("/me/telegram", token)
    sent = await api_tg.post("/broadcasts/test", token, BODY)

    assert before.status_code == 409
    assert "POST /api/v1/me/telegram/link" in before.json()["detail"]
    assert issued.status_code == 201
    assert issued.json()["command"] == f"/start {code}"
    assert issued.json()["deep_link"] == f"https://t.me/lindungi_test_bot?start={code}"
    assert "sudah terhubung" in answer and "Petugas Uji" in answer
    assert status.json()["linked"] is True
    assert sent.status_code == 200, sent.text
    message = tg.last_message(OFFICIAL_CHAT)
    assert message is not None
    assert message["caption"] == "Pendaftaran gratis untuk nelayan sampai 31 Januari."
    assert message["photo"]
    (row,) = message["reply_markup"]["inline_keyboard"]
    assert row == [{"text": "Daftar sekarang", "url": "https://lindungi.example.go.id/daftar"}]
    assert [a.actor for a in await api_tg.audit("official.telegram_linked")] == [
        f"official:{(await api_tg.services.officials.authenticate_token(token)).id}"
    ]
    assert await Broadcasts(api_tg.services.db).running() == []  # nothing stored or scheduled


async def test_a_code_works_once_and_a_wrong_one_is_answered_kindly(
    api_tg: Api, tg: FakeTelegram
) -> None:
    token = await api_tg.official()
    code = (await api_tg.post("/me/telegram/link", token)).json()["code"]

    first = await send_to_bot(api_tg, tg, OFFICIAL_CHAT, f"/start {code.lower()}")
    again = await send_to_bot(api_tg, tg, OFFICIAL_CHAT + 1, f"/start {code}")
    wrong = await send_to_bot(api_tg, tg, OFFICIAL_CHAT + 2, "/start link-AAAAAAAAAA")
    await api_tg.post("/broadcasts/test", token, {"text": "Percobaan"})
    unlinked = await api_tg.call("DELETE", "/me/telegram", token)
    after = await api_tg.post("/broadcasts/test", token, {"text": "Percobaan"})

    assert "sudah terhubung" in first
    assert "tidak berlaku" in again and "tidak berlaku" in wrong
    assert tg.messages(OFFICIAL_CHAT)[-1] == "Percobaan"
    assert tg.messages(OFFICIAL_CHAT + 1) == [again]
    assert unlinked.json() == {"linked": False, "linked_at": None}
    assert after.status_code == 409


async def test_an_expired_code_links_nothing(api: Api) -> None:
    token = await api.official()
    official = await api.services.officials.authenticate_token(token)
    links = OfficialTelegram(api.services.db)
    issued = await links.new_code(official.id, now=utcnow() - CODE_TTL - timedelta(seconds=1))
    replaced = await links.new_code(official.id)
    newest = await links.new_code(official.id)

    assert await links.link(issued.code, OFFICIAL_CHAT) is None
    assert await links.link(replaced.code, OFFICIAL_CHAT) is None  # a new code replaces it
    assert (await links.link(newest.code, OFFICIAL_CHAT)) is not None
    assert (await links.linked(official.id)).chat_id == OFFICIAL_CHAT  # type: ignore[union-attr]
    assert await links.unlink(official.id) is True
    assert await links.linked(official.id) is None
    assert len(await api.audit("official.telegram_unlinked")) == 1


async def test_a_test_send_to_a_chat_that_blocked_the_bot_asks_to_link_again(
    api_tg: Api, tg: FakeTelegram
) -> None:
    token = await linked_official(api_tg, tg)
    tg.block(OFFICIAL_CHAT)

    refused = await api_tg.post("/broadcasts/test", token, {"text": "Percobaan"})

    assert refused.status_code == 409
    assert "link it again" in refused.json()["detail"]


async def test_a_test_send_is_checked_like_a_broadcast(api_tg: Api, tg: FakeTelegram) -> None:
    token = await linked_official(api_tg, tg, role="reviewer", region="36.04")
    calls = tg.count("sendMessage") + tg.count("sendPhoto")

    outside = await api_tg.post(
        "/broadcasts/test", token, {"text": "Info", "segment": {"region": "36.73"}}
    )
    bad_link = await api_tg.post(
        "/broadcasts/test", token, {"text": "Info", "button": {"text": "A", "url": "ftp://x"}}
    )

    assert outside.status_code == 403
    assert bad_link.status_code == 422
    assert tg.count("sendMessage") + tg.count("sendPhoto") == calls


async def test_without_telegram_a_linked_official_is_told_it_is_off(api: Api) -> None:
    token = await api.official()
    official = await api.services.officials.authenticate_token(token)
    links = OfficialTelegram(api.services.db)
    await links.link((await links.new_code(official.id)).code, OFFICIAL_CHAT)

    off = await api.post("/broadcasts/test", token, {"text": "Percobaan"})
    issued = await api.post("/me/telegram/link", token)

    assert off.status_code == 503
    assert issued.json()["deep_link"] is None  # no bot to link to: the command only
    assert issued.json()["command"].startswith("/start link-")


async def test_reviewers_cancel_only_broadcasts_within_their_region_others_are_not_found(
    api: Api,
) -> None:
    admin = await api.official("admin")
    reviewer = await api.official("reviewer", "36.04")
    broadcasts = Broadcasts(api.services.db)
    elsewhere = await broadcasts.create("Info", {"region": ["36.73"]}, draft=True)
    everyone = await broadcasts.create("Info", {}, draft=True)
    own = await broadcasts.create("Info", {"region": ["36.04.01"]}, draft=True)

    refused = [await api.post(f"/broadcasts/{b}/cancel", reviewer) for b in (elsewhere, everyone)]
    unknown = await api.post(f"/broadcasts/{own + 1000}/cancel", reviewer)
    allowed = await api.post(f"/broadcasts/{own}/cancel", reviewer)
    by_admin = await api.post(f"/broadcasts/{elsewhere}/cancel", admin)

    assert [r.status_code for r in refused] == [404, 404] == [unknown.status_code] * 2
    assert refused[0].json() == refused[1].json() == unknown.json()
    assert allowed.status_code == 200 and allowed.json()["status"] == "cancelled"
    assert by_admin.status_code == 200 and by_admin.json()["status"] == "cancelled"
    assert (await broadcasts.get(everyone)).status == "draft"


async def test_reviewers_see_the_progress_only_of_broadcasts_within_their_region(
    api: Api,
) -> None:
    """Another region's broadcast is not found, exactly like one that does not exist."""
    reviewer = await api.official("reviewer", "36.04")
    broadcasts = Broadcasts(api.services.db)
    elsewhere = await broadcasts.create("Info", {"region": ["36.73"]}, draft=True)
    own = await broadcasts.create("Info", {"region": ["36.04"]}, draft=True)

    refused = await api.get(f"/broadcasts/{elsewhere}", reviewer)
    unknown = await api.get(f"/broadcasts/{own + 1000}", reviewer)
    shown = await api.get(f"/broadcasts/{own}", reviewer)

    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()
    assert shown.status_code == 200 and shown.json()["status"] == "draft"


# -- the console -----------------------------------------------------------------------------


@pytest.fixture(name="web_tg")
async def web_tg_fixture(api_tg: Api) -> AsyncIterator[Web]:
    web = Web(api_tg)
    try:
        yield web
    finally:
        await web.close()


async def test_the_console_links_telegram_and_sends_a_test_to_the_official(
    web_tg: Web, tg: FakeTelegram
) -> None:
    browser = await web_tg.signed_in()
    await browser.get("/admin/broadcasts")
    fields = {
        "text": "Pendaftaran <b>gratis</b> dibuka.",
        "button_text": "Daftar",
        "button_url": "https://lindungi.example.go.id/daftar",
        "occupation": ["nelayan"],
    }

    not_linked = await browser.post("/admin/broadcasts", {**fields, "action": "test"})
    command = next(
        line.split(">")[-1] for line in not_linked.text.split("</code>") if "/start link-" in line
    )
    answer = await send_to_bot(web_tg.api, tg, OFFICIAL_CHAT, command)
    page = await browser.get("/admin/broadcasts")
    sent = await browser.post("/admin/broadcasts", {**fields, "action": "test"})

    assert not_linked.status_code == 409
    assert "belum terhubung" in not_linked.text
    assert "https://t.me/lindungi_test_bot?start=link-" in not_linked.text
    assert "sudah terhubung" in answer
    assert "Terhubung sejak" in page.text
    assert sent.status_code == 200
    assert "Pesan percobaan terkirim" in sent.text
    assert "Pendaftaran &lt;b&gt;gratis&lt;/b&gt; dibuka." in sent.text  # the form stays filled
    message = tg.last_message(OFFICIAL_CHAT)
    assert message is not None and message["text"] == "Pendaftaran gratis dibuka."
    assert message["reply_markup"]["inline_keyboard"][0][0]["text"] == "Daftar"
    assert await Broadcasts(web_tg.services.db).running() == []


async def test_the_console_gives_a_code_on_request_and_unlinks(
    web_tg: Web, tg: FakeTelegram
) -> None:
    browser = await web_tg.signed_in()
    await browser.get("/admin/broadcasts")

    issued = await browser.post("/admin/broadcasts/telegram/link")
    command = issued.text.split('<code class="mono">')[1].split("</code>")[0]
    await send_to_bot(web_tg.api, tg, OFFICIAL_CHAT, command)
    await browser.get("/admin/broadcasts")
    unlinked = await browser.post("/admin/broadcasts/telegram/unlink")
    after = await browser.get("/admin/broadcasts")

    assert issued.status_code == 200
    assert "hanya bisa dipakai sekali" in issued.text
    assert unlinked.status_code == 303
    assert "Telegram diputuskan" in after.text
    assert "Belum terhubung" in after.text


@pytest.mark.parametrize("path", ["/broadcasts/audience", "/broadcasts"])
async def test_a_reviewer_cannot_address_or_count_workers_who_never_registered(
    api: Api, path: str
) -> None:
    """They have no region: a regional reviewer would reach (and count) chats anywhere."""
    reviewer = await api.official("reviewer", "36.04")
    body = {
        "text": "Info",
        "segment": {"status": ["unregistered"], "region": "36.04"},
        "reason": "Info program baru",
    }
    refused = await api.post(path, reviewer, body)
    assert refused.status_code == 403
    assert "only an admin" in refused.json()["detail"]
    admin = await api.official("admin")
    assert (await api.post("/broadcasts/audience", admin, body)).status_code == 200
