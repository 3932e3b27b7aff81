"""A worker registers through the real webhook, against the fake Telegram, on every backend.

The wiring of the path: what is stored, update parsing, duplicates, groups, the directory. The
conversation's own rules (re-asks, back, cancel, edits, languages) are the golden transcripts' in
`tests/golden/`."""

from __future__ import annotations

from tests.e2e.harness import BotHarness, Worker, sql
from tests.walks import NIK, registration_until_summary


async def register_until_summary(w: Worker, nik: str = NIK) -> None:
    """The shared registration walk (tests/walks.py) through the webhook."""
    await w.replay(registration_until_summary(nik))


async def test_a_worker_registers_and_gets_a_reference_number(bot: BotHarness) -> None:
    w = bot.worker()
    await register_until_summary(w)
    summary = w.last
    assert "Ahmad Fauzi" in summary
    assert "3604••••••••0001" in summary
    assert NIK not in summary
    assert "12 Mei 1980" in summary
    assert "+62 812-3456-7890" in summary
    assert "Bakung, Cikande, Kab. Serang" in summary
    assert "Rp1.500.000" in summary
    assert "Siti Aminah (Suami/istri)" in summary
    await w.press("Kirim")
    assert "Pendaftaran Bapak sudah kami terima dengan nomor" in w.last
    assert "LND-" in w.last

    await w.command("/status")
    assert "sedang diperiksa" in w.last


async def test_the_registration_is_stored_once_with_an_encrypted_nik(bot: BotHarness) -> None:
    w = bot.worker()
    await register_until_summary(w)
    await w.press("Kirim")
    rows = await sql(bot, "SELECT * FROM registrations")
    consents = await sql(bot, "SELECT * FROM consents")
    assert len(rows) == 1
    row = rows[0]
    assert NIK not in " ".join(str(v) for v in row.values())
    assert row["status"] == "pending"
    assert row["occupation"] == "guru_ngaji"
    assert row["region"].startswith("36.04.15.")
    assert row["phone"] == "+6281234567890"
    assert row["monthly_income"] == 1_500_000
    assert len(consents) == 1
    assert consents[0]["text_version"]


async def test_a_registered_nik_shows_its_status_only_to_the_chat_that_registered_it(
    bot: BotHarness,
) -> None:
    first = bot.worker()
    await register_until_summary(first)
    await first.press("Kirim")
    reference = first.last.split("nomor ")[1].split(".")[0].strip("<b>/ ")

    second = bot.worker("Budi")  # someone else who knows (or guessed) the NIK
    await second.command("/daftar")
    await second.say("Budi Santoso")
    await second.say(NIK)
    assert "sudah terdaftar" in second.last
    assert "akun Telegram lain" in second.last
    assert "sedang diperiksa" not in second.last
    assert reference not in second.last
    assert any("Tanya petugas" in label for label in second.buttons())

    await first.command("/daftar")  # the worker themself, trying again
    await first.say("Ahmad Fauzi")
    await first.say(NIK)
    assert "sedang diperiksa" in first.last
    count = (await sql(bot, "SELECT count(*) AS n FROM registrations"))[0]["n"]
    assert count == 1


async def test_unknown_callback_data_changes_nothing(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/daftar")
    response = await bot.post(bot.updates.callback(w.user_id, "x" * 64))
    assert response.status_code == 200
    assert "pesan sebelumnya" in w.last
    await w.say("Ahmad Fauzi")
    assert "NIK" in w.last


async def test_photos_stickers_voice_and_long_messages_get_a_polite_answer(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/daftar")
    for update in (
        bot.updates.photo(w.user_id),
        bot.updates.sticker(w.user_id),
        bot.updates.voice(w.user_id),
    ):
        response = await bot.post(update)
        assert response.status_code == 200
        assert "belum bisa membaca foto" in w.last
    await w.say("a" * 5000)
    assert "terlalu panjang" in w.last
    await w.say("😀😀😀")
    assert "Nama" in w.last
    await w.say("Ahmad Fauzi")
    assert "NIK" in w.last


async def test_an_edited_message_is_not_taken_as_an_answer(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/daftar")
    await bot.post(bot.updates.edited_message(w.user_id, "Ahmad Fauzi"))
    assert "diubah" in w.last
    await w.say("Ahmad Fauzi")
    assert "NIK" in w.last


async def test_the_bot_answers_in_groups_only_to_commands_and_points_to_a_private_chat(
    bot: BotHarness,
) -> None:
    group = -100123
    await bot.post(bot.updates.group_message(11, group, "halo semua"))
    assert bot.tg.messages(group) == []
    await bot.post(bot.updates.group_message(11, group, "/daftar"))
    assert "chat pribadi" in bot.tg.messages(group)[-1]
    response = await bot.post(bot.updates.channel_post(-100999, "info"))
    assert response.status_code == 200
    assert bot.tg.messages(-100999) == []


async def test_the_same_update_delivered_twice_is_handled_once(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/daftar")
    update = bot.updates.message(w.user_id, "Ahmad Fauzi")
    await bot.post(update)
    sent = len(w.texts)
    await bot.post(update)
    assert len(w.texts) == sent
    assert "NIK" in w.last


async def test_a_double_tap_on_send_stores_one_registration(bot: BotHarness) -> None:
    w = bot.worker()
    await register_until_summary(w)
    message, data = w.button("Kirim")
    await bot.post(bot.updates.callback(w.user_id, data, message["message_id"]))
    await bot.post(bot.updates.callback(w.user_id, data, message["message_id"]))
    count = (await sql(bot, "SELECT count(*) AS n FROM registrations"))[0]["n"]
    assert count == 1
    assert sum("sudah kami terima" in t for t in w.texts) == 1


async def test_broadcasts_can_be_stopped_and_resumed(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/berhenti")
    assert "tidak akan menerima" in w.last
    await w.command("/mulai")
    assert "akan menerima pesan pengumuman lagi" in w.last
