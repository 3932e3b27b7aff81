"""The questions inbox in the console: answering by form once, CSRF, regions, the nav count."""

from __future__ import annotations

import asyncio

from storage.repos.questions import Questions
from tests.integration.api_harness import OTHER_REGION, api_fixture  # noqa: F401 - `api`
from tests.integration.web_harness import Web, web_fixture  # noqa: F401 - the `web` fixture

ANSWER = "Iurannya Rp16.800 sebulan."


def questions(web: Web) -> Questions:
    return Questions(web.services.db, web.services.cipher)


async def ask(web: Web, registration: int | None = None, text: str = "Berapa iurannya?") -> int:
    """A question from the worker of `registration`, or from one who never registered."""
    user = 7_100_000_000
    if registration is not None:
        row = await web.services.registrations.get(registration)
        user = row.telegram_user_id
    return (await questions(web).ask(user, user, "id", text, "iuran")).id


async def test_the_inbox_lists_open_questions_oldest_first_with_the_count_in_the_nav(
    web: Web,
) -> None:
    first = await ask(web, text="klo kecelakaan pas narik ojek gimana klaimnya?")
    await ask(web, text="Apakah istri saya bisa ikut?")
    browser = await web.signed_in()

    page = (await browser.get("/admin/questions")).text
    queue = (await browser.get("/admin")).text

    assert page.index("klaimnya?") < page.index("istri saya")
    assert f'action="/admin/questions/{first}/reply"' in page
    assert "Bahasa Indonesia" in page
    assert '<span class="count" aria-label="2 pertanyaan terbuka">2</span>' in page
    assert 'href="/admin/questions"' in queue


async def test_replying_by_form_answers_once_and_a_second_reply_says_so(web: Web) -> None:
    question = await ask(web)
    browser = await web.signed_in()
    await browser.get("/admin/questions")
    path = f"/admin/questions/{question}/reply"

    first = await browser.post(path, {"text": ANSWER})
    second = await browser.post(path, {"text": "Jawaban kedua"})

    assert first.status_code == 303
    shown = await browser.get(first.headers["location"])
    assert "dikirim ke pekerja" in shown.text
    assert second.status_code == 409
    assert "sudah dijawab sebelumnya" in second.text
    assert 'class="flash flash-error"' in second.text
    stored = await questions(web).get(question)
    assert stored is not None
    assert (stored.state, stored.answer) == ("answered", ANSWER)
    assert len(await web.api.audit("question.answered")) == 1
    answered = (await browser.get("/admin/questions", state="answered")).text
    assert ANSWER in answered


async def test_a_double_submitted_reply_answers_only_once(web: Web) -> None:
    question = await ask(web)
    browser = await web.signed_in()
    path = f"/admin/questions/{question}/reply"

    first, second = await asyncio.gather(
        browser.post(path, {"text": ANSWER}), browser.post(path, {"text": ANSWER})
    )

    assert sorted([first.status_code, second.status_code]) == [303, 409]
    assert len(await web.api.audit("question.answered")) == 1


async def test_a_blank_reply_is_refused_on_the_page(web: Web) -> None:
    question = await ask(web)
    browser = await web.signed_in()

    response = await browser.post(f"/admin/questions/{question}/reply", {"text": "   "})

    assert response.status_code == 422
    assert "Tulis jawaban" in response.text
    stored = await questions(web).get(question)
    assert stored is not None and stored.state == "open"


async def test_a_reply_without_the_csrf_token_is_refused(web: Web) -> None:
    question = await ask(web)
    browser = await web.signed_in()

    missing = await browser.post(f"/admin/questions/{question}/reply", {"text": ANSWER}, csrf="")
    forged = await browser.post(
        f"/admin/questions/{question}/reply", {"text": ANSWER}, csrf="0" * 64
    )

    assert missing.status_code == forged.status_code == 403
    assert "token keamanan" in missing.text
    assert await web.api.audit("question.answered") == []


async def test_a_reviewer_neither_sees_nor_answers_another_regions_question(web: Web) -> None:
    ours = await ask(web, await web.api.registration(), text="Pertanyaan dari Serang")
    theirs = await ask(
        web, await web.api.registration(**OTHER_REGION), text="Pertanyaan dari Kota Serang"
    )
    browser = await web.signed_in("reviewer", "36.04")

    page = (await browser.get("/admin/questions")).text
    refused = await browser.post(f"/admin/questions/{theirs}/reply", {"text": ANSWER})
    unknown = await browser.post(f"/admin/questions/{theirs + 1000}/reply", {"text": ANSWER})

    assert "Pertanyaan dari Serang" in page
    assert f"/admin/questions/{ours}/reply" in page
    assert "Pertanyaan dari Kota Serang" not in page
    assert refused.status_code == unknown.status_code == 404  # as if it did not exist
    assert refused.text == unknown.text
    stored = await questions(web).get(theirs)
    assert stored is not None and stored.state == "open"
    assert await web.api.audit("question.answered") == []


async def test_the_inbox_needs_a_session(web: Web) -> None:
    response = await web.browser().get("/admin/questions")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")
