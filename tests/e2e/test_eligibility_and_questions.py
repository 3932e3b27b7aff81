"""/cek and questions for the officials, through the webhook: the path's wiring (quotas read
from the database, questions stored for the inbox). The verdicts, topics and FAQ answers
themselves are the golden transcripts' in `tests/golden/`."""

from __future__ import annotations

from tests.e2e.harness import BotHarness, sql


async def test_a_funded_guru_ngaji_in_kabupaten_serang_goes_straight_into_registration(
    bot: BotHarness,
) -> None:
    w = bot.worker()
    await w.command("/cek")
    await w.press("Guru ngaji")
    await w.press("1")
    await w.press("Kabupaten Serang")
    await w.say("3604011205800001")
    await w.press("Betul")
    verdict = w.last
    assert "ditanggung Pemerintah Kabupaten Serang sampai 31 Desember 2026" in verdict
    assert "Rp16.800 sebulan" in verdict
    await w.press("Daftar sekarang")
    assert "nama lengkap" in w.last
    await w.say("Ahmad Fauzi")
    # NIK, birth date, occupation and regency were answered in the check: not asked again.
    assert "nomor HP" in w.last
    await w.share_contact("6281234567890")
    assert "kecamatan" in w.last


async def test_a_question_nobody_answered_goes_to_the_officials_inbox(bot: BotHarness) -> None:
    w = bot.worker()
    await w.say("apakah kantor dinas buka hari sabtu besok pagi?")
    await w.press("petugas")
    assert "sudah dikirim ke petugas" in w.last
    rows = await sql(bot, "SELECT count(*) AS n FROM questions")
    assert rows[0]["n"] == 1
