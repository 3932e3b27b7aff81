"""/cek, /info and free-text questions, through the webhook."""

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


async def test_someone_living_outside_every_program_region_can_still_join_self_paying(
    bot: BotHarness,
) -> None:
    w = bot.worker()
    await w.command("/cek")
    await w.press("Pedagang")
    await w.press("1")
    await w.press("daerah lain")
    await w.say("12-05-1980")
    await w.press("Rp1.000.000")
    verdict = w.last
    assert "peserta mandiri" in verdict
    assert "JMO" in verdict


async def test_a_worker_of_65_is_not_eligible_and_told_why(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/cek")
    await w.press("Nelayan")
    await w.press("1")
    await w.press("Kabupaten Serang")
    await w.say("01-01-1950")
    assert "65" in w.last
    assert "Daftar sekarang" not in " ".join(w.buttons())


async def test_kota_serang_asks_about_civil_servants_and_excludes_them(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/cek")
    await w.press("Marbot")
    await w.press("1")
    await w.press("Kota Serang")
    await w.say("3673011205800001")
    await w.press("Betul")
    assert "ASN, TNI, atau Polri" in w.last
    await w.press("Ya")
    assert "ditanggung Pemerintah" not in w.last


async def test_a_kota_serang_worker_hears_what_the_city_covers_until_the_end_of_2026(
    bot: BotHarness,
) -> None:
    w = bot.worker()
    await w.command("/cek")
    await w.press("Marbot")
    await w.press("1")
    await w.press("Kota Serang")
    await w.say("3673011205800001")
    await w.press("Betul")
    await w.press("Tidak")  # not a civil servant
    await w.press("Ya")  # a Kota Serang KTP
    verdict = w.last
    assert "ditanggung Pemerintah Kota Serang sampai 31 Desember 2026" in verdict
    assert "Rp16.800 sebulan, senilai Rp" in verdict
    assert "per peserta" in verdict


async def test_program_information_is_browsable_by_topic(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/info")
    topics = w.buttons()
    assert len(topics) >= 5
    await w.press(topics[0])
    assert len(w.last) > 40
    assert "Topik lain" in " ".join(w.buttons())


async def test_an_informal_question_gets_an_answer_or_a_choice(bot: BotHarness) -> None:
    w = bot.worker()
    await w.say("klo kecelakaan pas narik ojek gimana klaimnya?")
    reply = w.last
    buttons = " ".join(w.buttons())
    assert "klaim" in (reply + buttons).lower()


async def test_a_question_nobody_answered_goes_to_the_officials_inbox(bot: BotHarness) -> None:
    w = bot.worker()
    await w.say("apakah kantor dinas buka hari sabtu besok pagi?")
    await w.press("petugas")
    assert "sudah dikirim ke petugas" in w.last
    rows = await sql(bot, "SELECT count(*) AS n FROM questions")
    assert rows[0]["n"] == 1


async def test_ask_an_official_from_the_menu(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/tanya")
    await w.say("oke")
    assert "terlalu pendek" in w.last
    await w.say("Saya sudah daftar 2 minggu lalu tapi belum ada kabar, bagaimana ya?")
    assert "sudah dikirim ke petugas" in w.last
