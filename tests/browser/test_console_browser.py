"""An official works through the console in a real chromium: keyboard review, decisions, export.

Each test logs in afresh; a screenshot of every page lands in artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import Console

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}


def login(page: Page, console: Console, role: str = "reviewer") -> None:
    username, password = console.accounts[role]
    page.goto(console.url + "/admin/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    if role == "admin":
        expect(page.get_by_role("heading", name="Kode verifikasi")).to_be_visible()
        page.get_by_label("Kode").fill(console.recovery.pop())
        page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Antrean pendaftaran")).to_be_visible()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="id-ID", accept_downloads=True)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    opened.on("dialog", lambda dialog: dialog.accept())
    try:
        yield opened
    finally:
        context.close()


def test_the_login_page_refuses_a_wrong_password(
    page: Page, console: Console, screenshots: Path
) -> None:
    page.goto(console.url + "/admin")
    page.get_by_label("Nama pengguna").fill(console.accounts["reviewer"][0])
    page.get_by_label("Kata sandi").fill("salah")
    page.get_by_role("button", name="Masuk").click()

    expect(page.get_by_role("alert")).to_have_text("Nama pengguna atau kata sandi salah.")
    page.screenshot(path=screenshots / "login.png", full_page=True)


def test_a_reviewer_moves_through_the_queue_with_the_keyboard_and_approves(
    page: Page, console: Console, screenshots: Path
) -> None:
    login(page, console)
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(50)
    expect(page.get_by_text("dari 2")).to_be_visible()  # about 267 of 300 are Kabupaten Serang
    page.screenshot(path=screenshots / "queue.png", full_page=False)

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_class(re.compile("current"))
    reference = rows.nth(1).get_attribute("data-ref")
    page.keyboard.press("a")

    expect(page.get_by_role("status").first).to_contain_text("disetujui")
    expect(page.locator(f"tr[data-ref='{reference}']")).to_have_count(0)

    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/registrations/\d+$"))
    expect(page.get_by_role("button", name="Setujui")).to_be_visible()
    page.screenshot(path=screenshots / "detail.png", full_page=True)


def test_a_reviewer_rejects_with_a_common_reason_and_opens_the_next(
    page: Page, console: Console, screenshots: Path
) -> None:
    login(page, console)
    page.locator("table.queue tbody tr").nth(4).locator("a").click()
    heading = page.get_by_role("heading", level=1).inner_text()

    page.get_by_label("Alasan penolakan (dikirim ke pekerja)").select_option(
        label="Bukan warga daerah program"
    )
    page.get_by_role("button", name="Tolak").click()

    expect(page.get_by_role("status").first).to_contain_text("ditolak")
    expect(page.locator(".badge")).to_have_text("Ditolak")
    expect(page.get_by_text("Bukan warga daerah program")).to_be_visible()
    page.screenshot(path=screenshots / "detail-rejected.png", full_page=True)
    page.keyboard.press("n")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(heading)


def test_show_nik_reveals_the_whole_number(page: Page, console: Console, screenshots: Path) -> None:
    login(page, console)
    page.locator("table.queue tbody tr").first.locator("a").click()
    masked = page.locator("#nik").inner_text()

    page.get_by_label("Alasan melihat NIK").fill("Cek KTP di kantor desa")
    page.get_by_role("button", name="Tampilkan NIK").click()

    expect(page.locator("#nik")).to_have_text(re.compile(r"^\d{16}$"))
    assert "•" in masked
    expect(page.get_by_text("NIK lengkap ditampilkan")).to_be_visible()
    page.screenshot(path=screenshots / "detail-nik.png", full_page=True)


def test_the_csv_export_downloads(page: Page, console: Console, tmp_path: Path) -> None:
    login(page, console, "admin")
    page.get_by_label("Status yang diekspor").select_option("all")
    page.get_by_label("Alasan ekspor").fill("Unggah massal BPJS")

    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    lines = saved.read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("NIK,NAMA_LENGKAP,TANGGAL_LAHIR")
    assert len(lines) == 301
    assert saved.suffix == ".csv"


def test_the_other_pages_render(page: Page, console: Console, screenshots: Path) -> None:
    login(page, console, "admin")
    for path, name, heading in (
        ("/admin/programs", "programs", "Program dan kuota"),
        ("/admin/stats", "stats", "Statistik"),
        ("/admin/audit", "audit", "Log audit"),
        ("/admin/data-requests", "data-requests", "Permintaan penghapusan data"),
    ):
        page.goto(console.url + path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)


def test_an_admin_sees_their_account_and_the_officials(
    page: Page, console: Console, screenshots: Path
) -> None:
    login(page, console, "admin")
    page.get_by_role("link", name="Akun saya").click()
    expect(page.get_by_text("Verifikasi dua langkah aktif.")).to_be_visible()
    page.screenshot(path=screenshots / "account.png", full_page=True)
    page.get_by_role("link", name="Petugas", exact=True).click()
    expect(page.get_by_role("cell", name="reviewer.uji")).to_be_visible()
    page.screenshot(path=screenshots / "officials.png", full_page=True)


def test_on_a_phone_the_queue_becomes_cards(
    browser: Browser, console: Console, screenshots: Path
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID")
    page = context.new_page()
    try:
        login(page, console)
        expect(page.locator("table.queue thead")).to_be_hidden()
        card = page.locator("table.queue tbody tr").first
        box = card.bounding_box()
        assert box is not None
        assert box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=screenshots / "phone-queue.png", full_page=False)

        card.locator("a").click()
        expect(page.get_by_role("button", name="Setujui")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=screenshots / "phone-detail.png", full_page=True)

        page.goto(console.url + "/admin/stats")
        page.screenshot(path=screenshots / "phone-stats.png", full_page=True)
    finally:
        context.close()
