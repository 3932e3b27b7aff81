"""Tests for the fake Telegram Bot API server (tests/fakebot) driven by a real PTB 22 Bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import http.server
import io
import re
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    Update,
)
from telegram import ReplyKeyboardMarkup as ReplyKeyboard
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tests/unit is not a package: make ``tests.fakebot`` importable
    sys.path.insert(0, str(ROOT))

from tests.fakebot import FakeTelegram, UpdateFactory, UploadedFile  # noqa: E402
from tests.fakebot.remote import RemoteFakeTelegram  # noqa: E402
from tests.fakebot.text import EntityParseError, render  # noqa: E402

TOKEN = "123456:TEST"


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error here) whenever RetryAfter is built unless timedeltas are opted in.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN) as fake:
        yield fake


@pytest.fixture
def tg(server: FakeTelegram) -> FakeTelegram:
    server.reset()
    return server


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
async def client(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=tg.url, trust_env=False) as http:
        yield http


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


# --------------------------------------------------------------------------- PTB end to end


async def test_ptb_initialize_calls_get_me(tg: FakeTelegram, bot: Bot) -> None:
    assert bot.username == "lindungi_test_bot"
    assert bot.id == 123456
    assert bot.base_url == f"{tg.url}/bot{TOKEN}"
    me = tg.calls_to("getMe")[0]
    assert me.ok
    assert me.response["result"]["can_join_groups"] is True


async def test_send_message_with_inline_keyboard(tg: FakeTelegram, bot: Bot) -> None:
    first = await bot.send_message(42, "Halo", reply_markup=keyboard("yes", "no"))
    second = await bot.send_message(42, "Lagi")
    other = await bot.send_message(7, "Untuk chat lain")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == 42
    assert first.chat.type == "private"
    assert first.from_user is not None
    assert first.from_user.is_bot
    assert first.reply_markup == keyboard("yes", "no")
    assert isinstance(first.date, dtm.datetime)
    assert tg.messages(42) == ["Halo", "Lagi"]
    last = tg.last_message(42)
    assert last is not None
    assert last["text"] == "Lagi"
    first_stored = tg.find_message(42, 1)
    assert first_stored is not None
    assert first_stored["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "no"
    # PTB sends form-encoded strings; the fake decodes them back to JSON values.
    call = tg.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == 42
    assert isinstance(call.params["reply_markup"], dict)
    assert tg.count("sendMessage") == 3
    assert tg.count_per_chat() == {42: 2, 7: 1}


async def test_reply_keyboard_kept_for_tests_but_not_echoed(tg: FakeTelegram, bot: Bot) -> None:
    markup = ReplyKeyboard([[KeyboardButton("Kirim nomor HP", request_contact=True)]])
    message = await bot.send_message(5, "Nomor HP?", reply_markup=markup)
    assert message.reply_markup is None  # Telegram only echoes inline keyboards
    last = tg.last_message(5)
    assert last is not None
    assert last["reply_markup"]["keyboard"][0][0]["request_contact"] is True


async def test_html_is_rendered_to_text_and_entities(tg: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_message(1, "Nomor <b>LND-1</b> &amp; <i>ok</i>", parse_mode="HTML")
    assert message.text == "Nomor LND-1 & ok"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 6, 5),
        ("italic", 14, 2),
    ]
    assert tg.messages(1) == ["Nomor LND-1 & ok"]
    assert tg.calls[-1].params["text"] == "Nomor <b>LND-1</b> &amp; <i>ok</i>"


async def test_blocked_chat_is_forbidden(tg: FakeTelegram, bot: Bot) -> None:
    tg.block(99)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(99, "Halo")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(99, "typing")
    await bot.send_message(100, "Halo")  # other chats still work
    assert tg.messages(99) == []
    assert tg.calls_to("sendMessage")[0].status == 403
    tg.unblock(99)
    await bot.send_message(99, "Halo lagi")
    assert tg.messages(99) == ["Halo lagi"]


async def test_group_block_says_kicked(tg: FakeTelegram, bot: Bot) -> None:
    tg.block(-100123)
    with pytest.raises(Forbidden, match="kicked from the group chat"):
        await bot.send_message(-100123, "Halo")


async def test_fail_next_429_raises_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next(1, 429, 3)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(42, "Halo")
    assert info.value.retry_after == dtm.timedelta(seconds=3)
    failed = tg.calls[-1]
    assert failed.status == 429
    assert failed.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    await bot.send_message(42, "Halo")  # only one failure was queued
    assert tg.messages(42) == ["Halo"]


async def test_fail_next_server_errors(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next(2, code=500)
    tg.fail_next(1, code=502)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(1, "x")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(1, "x")
    assert await bot.get_me()  # getMe is not a sending call: never failed
    await bot.send_message(1, "x")
    assert [c.status for c in tg.calls_to("sendMessage")] == [500, 500, 502, 200]


@pytest.mark.parametrize(
    ("kwargs", "description"),
    [
        ({"text": ""}, "message text is empty"),
        ({"text": "   "}, "message text is empty"),
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "<b>tebal", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "<b>a</i>", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "a <br> b", "parse_mode": "HTML"}, "Unsupported start tag"),
        ({"text": "Selesai.", "parse_mode": "MarkdownV2"}, "Character '.' is reserved"),
        ({"text": "Halo", "reply_markup": keyboard("x" * 65)}, "BUTTON_DATA_INVALID"),
    ],
)
async def test_send_message_bad_requests(
    tg: FakeTelegram, bot: Bot, kwargs: dict[str, Any], description: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){re.escape(description)}"):
        await bot.send_message(42, **kwargs)
    assert tg.messages(42) == []
    assert tg.calls[-1].status == 400


async def test_long_text_counts_rendered_utf16(tg: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(1, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags don't count
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(1, "😀" * 2049)  # 4098 UTF-16 code units


async def test_missing_chat_id_and_unknown_method(
    tg: FakeTelegram, client: httpx.AsyncClient
) -> None:
    response = await client.post(f"/bot{TOKEN}/sendMessage", json={"text": "hi"})
    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: chat_id is empty"
    response = await client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": 5})
    assert response.json()["description"] == "Bad Request: message text is empty"
    response = await client.post(f"/bot{TOKEN}/noSuchMethod")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_wrong_token_is_unauthorized(tg: FakeTelegram, client: httpx.AsyncClient) -> None:
    response = await client.get("/bot999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=tg.base_url):
            pass


async def test_method_names_are_case_insensitive_and_get_works(
    tg: FakeTelegram, client: httpx.AsyncClient
) -> None:
    response = await client.get(f"/bot{TOKEN}/sendmessage", params={"chat_id": 3, "text": "q"})
    assert response.json()["result"]["text"] == "q"
    assert tg.calls[-1].method == "sendMessage"


async def test_json_bodies_are_accepted(tg: FakeTelegram, client: httpx.AsyncClient) -> None:
    markup = {"inline_keyboard": [[{"text": "Ya", "callback_data": "yes"}]]}
    for reply_markup in (markup, orjson.dumps(markup).decode()):
        response = await client.post(
            f"/bot{TOKEN}/sendMessage",
            json={"chat_id": "8", "text": "123", "reply_markup": reply_markup},
        )
        result = response.json()["result"]
        assert result["reply_markup"] == markup
        assert result["text"] == "123"  # text stays a string
        assert result["chat"]["id"] == 8


async def test_rate_limit_global(tg: FakeTelegram, client: httpx.AsyncClient) -> None:
    tg.set_rate_limit(per_second=30)

    async def send(i: int) -> httpx.Response:
        return await client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": i, "text": "x"})

    responses = await asyncio.gather(*(send(i) for i in range(1, 46)))
    statuses = [r.status_code for r in responses]
    limited = [r.json() for r in responses if r.status_code == 429]
    assert statuses.count(200) <= 30
    assert len(limited) >= 15
    assert limited[0]["parameters"]["retry_after"] >= 1
    assert limited[0]["description"].startswith("Too Many Requests: retry after ")
    assert tg.max_in_any_window(1.0) <= 30
    assert len(tg.sent) == statuses.count(200)


async def test_rate_limit_ptb_gets_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    tg.set_rate_limit(per_second=30)
    results = await asyncio.gather(
        *(bot.send_message(i, "x") for i in range(1, 41)), return_exceptions=True
    )
    assert sum(isinstance(r, RetryAfter) for r in results) >= 10
    assert tg.max_in_any_window() <= 30


async def test_rate_limit_per_chat(tg: FakeTelegram, bot: Bot) -> None:
    tg.set_rate_limit(per_second=None, per_chat_per_second=1.0)
    await bot.send_message(1, "a")
    with pytest.raises(RetryAfter):
        await bot.send_message(1, "b")
    await bot.send_message(2, "c")
    assert tg.messages(1) == ["a"]
    assert tg.messages(2) == ["c"]


async def test_get_updates_long_polls(tg: FakeTelegram, bot: Bot) -> None:
    factory = tg.factory()
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    tg.push_update(factory.command(42, "/start"))
    updates = await poll
    assert time.monotonic() - started < 3
    assert len(updates) == 1
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert updates[0].effective_user is not None
    assert updates[0].effective_user.id == 42

    tg.push_update(factory.message(42, "Ahmad Fauzi"))
    again = await bot.get_updates(offset=updates[0].update_id, timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id, updates[0].update_id + 1]
    confirmed = await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
    assert confirmed == ()


async def test_get_updates_times_out_empty(tg: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_get_updates_conflicts(tg: FakeTelegram, bot: Bot, client: httpx.AsyncClient) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    # A second poller (another bot instance) makes the first one fail, as on Telegram.
    second = await client.post(f"/bot{TOKEN}/getUpdates", data={"timeout": 0})
    assert second.json() == {"ok": True, "result": []}
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await first
    await bot.set_webhook("https://example.com/hook")
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()


async def test_reset_does_not_break_a_long_poll(tg: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.1)
    tg.reset()
    tg.push_update(UpdateFactory().message(1, "setelah reset"))
    updates = await poll
    assert [u.message.text for u in updates if u.message] == ["setelah reset"]


async def test_stop_answers_pending_long_polls_at_once() -> None:
    fake = FakeTelegram(TOKEN).start()
    async with httpx.AsyncClient(trust_env=False) as http_client:
        poll = asyncio.create_task(
            http_client.post(f"{fake.api_url}/getUpdates", data={"timeout": 30}, timeout=40)
        )
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await asyncio.to_thread(fake.stop)
        assert (await poll).json() == {"ok": True, "result": []}
        assert time.monotonic() - started < 3


def test_state_handle_without_http(tg: FakeTelegram) -> None:
    tg.push_update(UpdateFactory().message(1, "x"))
    status, body = tg.handle("getUpdates", {"timeout": 30})  # never blocks
    assert status == 200
    assert len(body["result"]) == 1
    assert tg.handle("sendMessage", {"chat_id": 0, "text": "x"})[0] == 400


async def test_unknown_paths_answer_like_telegram(client: httpx.AsyncClient) -> None:
    response = await client.get("/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_webhook_info(tg: FakeTelegram, bot: Bot) -> None:
    info = await bot.get_webhook_info()
    assert info.url == ""
    assert info.pending_update_count == 0
    assert await bot.set_webhook(
        "https://lindungi.example/telegram",
        secret_token="s3cr3t_token",
        allowed_updates=["message", "callback_query"],
    )
    info = await bot.get_webhook_info()
    assert info.url == "https://lindungi.example/telegram"
    assert info.has_custom_certificate is False
    assert info.allowed_updates == ("message", "callback_query")
    assert info.pending_update_count == 0
    assert "s3cr3t" not in orjson.dumps(tg.calls[-1].response).decode()
    assert tg.webhook["secret_token"] == "s3cr3t_token"
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("https://x.example/hook", secret_token="bad token!")


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str | None, dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            (self.headers.get("X-Telegram-Bot-Api-Secret-Token"), orjson.loads(body))
        )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_webhook_delivery_to_local_url(tg: FakeTelegram) -> None:
    _Receiver.received = []
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/telegram"
        with httpx.Client(trust_env=False) as http_client:
            http_client.post(f"{tg.api_url}/setWebhook", data={"url": url, "secret_token": "abc"})
        update_id = tg.push_update(UpdateFactory().message(7, "Halo"))
        tg.wait_for(lambda: _Receiver.received)
        assert _Receiver.received[0][0] == "abc"
        assert _Receiver.received[0][1]["update_id"] == update_id
        tg.wait_for(lambda: tg.deliveries)
        assert tg.deliveries[0].status == 200
    finally:
        receiver.shutdown()
        receiver.server_close()
        thread.join()


async def test_edit_delete_and_other_methods(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(3, "Pilih:", reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("Dipilih: a", chat_id=3, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert edited.text == "Dipilih: a"
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Dipilih: a", chat_id=3, message_id=sent.message_id)
    await bot.edit_message_reply_markup(3, sent.message_id, reply_markup=keyboard("b"))
    last = tg.last_message(3)
    assert last is not None
    assert last["text"] == "Dipilih: a"
    assert last["reply_markup"] == keyboard("b").to_dict()
    assert await bot.delete_message(3, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(3, sent.message_id)
    assert tg.chat_view(3) == []
    assert tg.messages(3) == ["Pilih:"]  # what was sent, not what is left

    query_id = tg.push_update(tg.factory().callback(3, "a"))
    assert len(tg.unanswered_callbacks()) == 1
    pending = tg.handle("getUpdates", {"offset": query_id})[1]["result"][0]
    assert await bot.answer_callback_query(pending["callback_query"]["id"], text="OK")
    assert tg.unanswered_callbacks() == []
    assert await bot.answer_callback_query("123", text="OK")
    assert await bot.send_chat_action(3, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(3, "dancing")
    assert await bot.set_my_commands([("start", "Mulai"), ("status", "Status saya")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "status"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Start-Now", "x")])
    assert await bot.log_out()
    assert await bot.close()


async def test_send_photo_multipart_and_download(tg: FakeTelegram, bot: Bot) -> None:
    data = b"\xff\xd8fake jpeg bytes\xff\xd9"
    message = await bot.send_photo(4, io.BytesIO(data), caption="<b>KTP</b>", parse_mode="HTML")
    assert message.caption == "KTP"
    assert len(message.photo) == 3
    assert tg.messages(4) == ["KTP"]
    upload = tg.calls_to("sendPhoto")[0].params["photo"]
    assert isinstance(upload, UploadedFile)
    assert upload.data == data
    file = await bot.get_file(message.photo[-1].file_id.rsplit("-", 1)[0])
    assert bytes(await file.download_as_bytearray()) == data
    # A file id the bot received in an update can be downloaded too.
    file = await bot.get_file("AgACAgUAAxkBAAIp000001-1280")
    assert await file.download_as_bytearray()
    with pytest.raises(BadRequest, match=r"(?i)there is no photo"):
        await bot.send_photo(4, "")


async def test_delay_adds_latency(tg: FakeTelegram, bot: Bot) -> None:
    tg.delay(0.3)
    started = time.monotonic()
    await bot.send_message(1, "lambat")
    assert time.monotonic() - started >= 0.3
    tg.delay(0)


async def test_recording_helpers(tg: FakeTelegram, bot: Bot) -> None:
    for chat, text in [(1, "a"), (1, "a"), (2, "a"), (1, "b"), (1, "a")]:
        await bot.send_message(chat, text)
    assert tg.duplicates() == {(1, "a"): 3}
    assert tg.count_per_chat() == {1: 4, 2: 1}
    assert tg.max_in_any_window(1.0) == 5
    assert tg.max_in_any_window(1.0, methods=["getMe"]) == 1
    assert [m["text"] for m in tg.sent] == ["a", "a", "a", "b", "a"]
    assert tg.count("sendmessage", ok=True) == 5
    tg.reset()
    assert tg.calls == []
    assert tg.messages(1) == []
    assert tg.last_message(1) is None


async def test_wait_for_async_and_sync(tg: FakeTelegram, bot: Bot) -> None:
    async def later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(9, "selesai")

    task = asyncio.create_task(later())
    assert await tg.wait_for_messages_async(9) == ["selesai"]
    await task
    with pytest.raises(TimeoutError, match="condition not met"):
        await tg.wait_for_async(lambda: tg.messages(10), timeout=0.05)

    def send_from_thread() -> None:
        time.sleep(0.1)
        httpx.post(f"{tg.api_url}/sendMessage", data={"chat_id": 11, "text": "t"}, trust_env=False)

    thread = threading.Thread(target=send_from_thread)
    thread.start()
    assert await asyncio.to_thread(tg.wait_for_messages, 11) == ["t"]
    thread.join()


async def test_control_endpoints(tg: FakeTelegram, client: httpx.AsyncClient) -> None:
    await client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 5, "text": "satu"})
    stats = (await client.get("/_stats")).json()
    assert stats["calls"] == {"sendMessage": 1}
    assert stats["sent"] == 1
    assert (await client.get("/_chat/5")).json()["texts"] == ["satu"]

    await client.post("/_block/5")
    response = await client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 5, "text": "dua"})
    assert response.status_code == 403
    await client.post("/_unblock/5")

    await client.post("/_fail", json={"n": 1, "code": 429, "retry_after": 2})
    response = await client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 5, "text": "tiga"})
    assert response.json()["parameters"] == {"retry_after": 2}

    await client.post("/_rate", json={"per_second": 1, "per_chat_per_second": None})
    assert tg.per_second == 1
    await client.post(
        "/_update",
        json={
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "x",
                "chat": {"id": 5, "type": "private"},
            }
        },
    )
    assert (await client.get("/_stats")).json()["pending_updates"] == 1

    await client.post("/_reset")
    assert (await client.get("/_stats")).json()["total"] == 0
    assert tg.per_second is None


def test_remote_client(tg: FakeTelegram) -> None:
    with RemoteFakeTelegram(tg.url) as remote:
        remote.block(77)
        remote.fail_next(1, 500)
        remote.set_rate_limit(10)
        remote.delay(0)
        remote.push_update(UpdateFactory().message(77, "hi"))
        assert remote.stats()["pending_updates"] == 1
        assert remote.messages(77) == []
        remote.unblock(77)
        remote.reset()
        assert remote.stats()["total"] == 0


async def test_handles_a_thousand_requests_over_keep_alive(
    tg: FakeTelegram, client: httpx.AsyncClient
) -> None:
    async def worker(k: int) -> list[int]:
        statuses = []
        async with httpx.AsyncClient(base_url=tg.url, trust_env=False) as own:  # keep-alive
            for i in range(50):
                response = await own.post(
                    f"/bot{TOKEN}/sendMessage",
                    data={"chat_id": k * 100 + i % 5 + 1, "text": str(i)},
                )
                statuses.append(response.status_code)
        return statuses

    started = time.monotonic()
    results = await asyncio.gather(*(worker(k) for k in range(20)))  # 20 concurrent connections
    elapsed = time.monotonic() - started
    assert all(status == 200 for statuses in results for status in statuses)
    assert len(tg.sent) == 1000
    assert len(tg.count_per_chat()) == 100
    assert elapsed < 10  # typically ~1 s, client included


# --------------------------------------------------------------------------- Update builders


async def test_update_factory_builds_updates_ptb_understands(bot: Bot) -> None:
    f = UpdateFactory()
    built = {
        "message": f.message(42, "Halo"),
        "command": f.command(42, "/start ref_1"),
        "callback": f.callback(42, "m:register", message_id=3),
        "contact": f.contact(42, "+6281234567890"),
        "photo": f.photo(42, caption="KTP"),
        "sticker": f.sticker(42),
        "voice": f.voice(42),
        "document": f.document(42),
        "location": f.location(42),
        "edited": f.edited_message(42, "Halo (edit)"),
        "group": f.group_message(42, -1001234567890, "Halo grup"),
        "channel": f.channel_post(-1009876543210, "Pengumuman"),
        "kicked": f.my_chat_member(42, status="kicked"),
    }
    ids = [u["update_id"] for u in built.values()]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = {name: Update.de_json(data, bot) for name, data in built.items()}

    message = parsed["command"].message
    assert message is not None
    assert message.text == "/start ref_1"
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/start")
    assert message.message_id > parsed["message"].message.message_id  # type: ignore[union-attr]
    query = parsed["callback"].callback_query
    assert query is not None
    assert query.data == "m:register"
    assert query.message is not None
    assert query.message.message_id == 3
    contact = parsed["contact"].message.contact  # type: ignore[union-attr]
    assert contact is not None
    assert contact.user_id == 42
    assert contact.phone_number == "+6281234567890"
    assert parsed["photo"].message.photo[-1].width == 1280  # type: ignore[union-attr]
    assert parsed["photo"].message.caption == "KTP"  # type: ignore[union-attr]
    assert parsed["sticker"].message.sticker is not None  # type: ignore[union-attr]
    assert parsed["voice"].message.voice is not None  # type: ignore[union-attr]
    assert parsed["document"].message.document is not None  # type: ignore[union-attr]
    assert parsed["location"].message.location is not None  # type: ignore[union-attr]
    edited = parsed["edited"].edited_message
    assert edited is not None
    assert edited.message_id == parsed["location"].message.message_id  # type: ignore[union-attr]
    assert parsed["group"].effective_chat.type == "supergroup"  # type: ignore[union-attr]
    assert parsed["group"].effective_user.id == 42  # type: ignore[union-attr]
    assert parsed["channel"].channel_post is not None
    assert parsed["channel"].effective_user is None
    member = parsed["kicked"].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == "kicked"
    assert member.old_chat_member.status == "member"
    assert f.contact(1, "+62811", with_user_id=False)["message"]["contact"].get("user_id") is None


async def test_bound_factory_clicks_the_last_bot_message(tg: FakeTelegram, bot: Bot) -> None:
    f = tg.factory()
    tg.push_update(f.command(42, "/start"))  # user message 1 in chat 42
    sent = await bot.send_message(42, "Daftar?", reply_markup=keyboard("ya"))
    assert sent.message_id == 2  # ids are shared between the user and the bot
    update = Update.de_json(f.callback(42, "ya"), bot)
    assert update.callback_query is not None
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    assert isinstance(update.callback_query.message, Message)
    assert update.callback_query.message.reply_markup == keyboard("ya")


# --------------------------------------------------------------------------- formatting


def test_render_html_entities_use_utf16_offsets() -> None:
    text, entities = render('👋 <b>Halo</b> <a href="https://x.id">link</a>', "HTML")
    assert text == "👋 Halo link"
    assert entities == [
        {"offset": 3, "length": 4, "type": "bold"},
        {"offset": 8, "length": 4, "type": "text_link", "url": "https://x.id"},
    ]
    text, entities = render('<pre><code class="language-python">x = 1</code></pre>', "html")
    assert entities == [{"offset": 0, "length": 5, "type": "pre", "language": "python"}]


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("<b>x", "HTML"),
        ("x</b>", "HTML"),
        ("<b><i>x</b></i>", "HTML"),
        ("a < b", "HTML"),
        ('<span class="x">y</span>', "HTML"),
        ("*tebal", "MarkdownV2"),
        ("1+1=2", "MarkdownV2"),
        ("`code", "Markdown"),
    ],
)
def test_render_rejects_bad_markup(text: str, mode: str) -> None:
    with pytest.raises(EntityParseError):
        render(text, mode)


def test_render_markdown_v2() -> None:
    text, entities = render(
        r"*Tebal* _miring_ __garis__ Rp1\.500\.000 [tautan](https://x.id)", "MarkdownV2"
    )
    assert text == "Tebal miring garis Rp1.500.000 tautan"
    assert [e["type"] for e in entities] == ["bold", "italic", "underline", "text_link"]
    assert render("a < b &amp; c", None) == ("a < b &amp; c", [])


# --------------------------------------------------------------------------- process


@pytest.mark.slow
def test_runs_as_a_process() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakebot", "--port", "0", "--rate-limit", "30"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(trust_env=False) as http_client:
            me = http_client.get(f"{url}/bot{TOKEN}/getMe").json()
            assert me["result"]["is_bot"] is True
            assert http_client.get(f"{url}/_stats").json()["total"] == 1
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        if process.stdout is not None:
            process.stdout.close()
