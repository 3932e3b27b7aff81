"""/data: a worker sees, corrects and deletes their data; officials complete the deletion."""

from __future__ import annotations

from storage.repos.data_rights import DataRights
from tests.e2e.harness import BotHarness, sql
from tests.e2e.test_registration import register_until_summary
from tests.walks import NIK


async def registered(bot: BotHarness):  # type: ignore[no-untyped-def]
    w = bot.worker()
    await register_until_summary(w)
    await w.press("Kirim")
    return w


async def test_a_worker_sees_everything_stored_with_the_nik_masked(bot: BotHarness) -> None:
    w = await registered(bot)
    await w.command("/data")
    shown = w.last
    assert "Ahmad Fauzi" in shown
    assert "3604••••••••0001" in shown
    assert NIK not in shown
    assert "+62 812-3456-7890" in shown
    assert "Siti Aminah" in shown
    assert "Persetujuan diberikan" in shown


async def test_a_worker_without_a_registration_is_told_nothing_is_stored(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/data")
    assert "tidak ada yang kami simpan" in w.last


async def test_a_worker_corrects_their_phone_number(bot: BotHarness) -> None:
    w = await registered(bot)
    await w.command("/data")
    await w.press("Ubah data")
    await w.press("Nomor HP")
    await w.say("0813 1111 2222")
    assert "+62 813-1111-2222" in w.last
    await w.press("Ya, simpan")
    assert "sudah diubah" in w.last
    rows = await sql(bot, "SELECT phone, status FROM registrations")
    assert rows == [{"phone": "+6281311112222", "status": "pending"}]


async def test_a_correction_of_an_approved_registration_goes_back_to_review(
    bot: BotHarness,
) -> None:
    w = await registered(bot)
    async with bot.services.db.engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text("UPDATE registrations SET status = 'approved'"))
    await w.command("/data")
    await w.press("Ubah data")
    await w.press("Penghasilan")
    await w.press("Rp2.000.000")
    await w.press("Ya, simpan")
    assert "memeriksanya lagi" in w.last
    rows = await sql(bot, "SELECT monthly_income, status FROM registrations")
    assert rows == [{"monthly_income": 2_000_000, "status": "pending"}]


async def test_declining_a_correction_changes_nothing(bot: BotHarness) -> None:
    w = await registered(bot)
    await w.command("/data")
    await w.press("Ubah data")
    await w.press("Nama")
    await w.say("Ahmad Fauzan")
    await w.press("Tidak jadi")
    assert "tidak diubah" in w.last
    assert (await sql(bot, "SELECT full_name FROM registrations"))[0]["full_name"] == "Ahmad Fauzi"


async def test_deletion_withdraws_consent_now_and_an_official_erases_the_data(
    bot: BotHarness,
) -> None:
    w = await registered(bot)
    await w.command("/tanya")
    await w.say("Nomor saya 081234567890, kapan kartu saya jadi?")
    await w.command("/data")
    await w.press("Hapus data saya")
    await w.press("Ya, hapus data saya")
    assert "paling lambat" in w.last
    consent = await sql(bot, "SELECT withdrawn_at FROM consents")
    assert consent[0]["withdrawn_at"] is not None
    rights = DataRights(bot.services.db, bot.services.cipher)
    [request] = await rights.open_requests()
    assert request.id is not None
    await rights.complete_erasure(request.id, "official:1")
    row = (await sql(bot, "SELECT * FROM registrations"))[0]
    assert row["full_name"] == "[dihapus]"
    assert row["phone"] == ""
    assert row["heir_name"] is None
    assert row["occupation"] == "guru_ngaji"
    assert row["status"] == "pending"
    question = (await sql(bot, "SELECT * FROM questions"))[0]
    assert question["telegram_user_id"] == 0
    assert question["chat_id"] == 0
    actions = {r["action"] for r in await sql(bot, "SELECT action FROM audit_log")}
    assert {"consent.withdrawn", "registration.erased"} <= actions
    await w.command("/data")
    assert "tidak ada yang kami simpan" in w.last
