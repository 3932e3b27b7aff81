"""The console's navigation shows the open questions on every page, counted in one query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from storage.repos.questions import Questions
from tests.integration.api_harness import OTHER_REGION, api_fixture  # noqa: F401 - `api`
from tests.integration.web_harness import Web, web_fixture  # noqa: F401 - the `web` fixture

PAGES = (
    "/admin",
    "/admin/programs",
    "/admin/stats",
    "/admin/questions",
    "/admin/data-requests",
    "/admin/broadcasts",
    "/admin/audit",
)


def badge(count: int) -> str:
    return f'<span class="count" aria-label="{count} pertanyaan terbuka">{count}</span>'


async def ask(web: Web, registration: int | None = None, text: str = "Berapa iurannya?") -> int:
    """A question from the worker of `registration`, or from one who never registered."""
    user = 7_200_000_000
    if registration is not None:
        row = await web.services.registrations.get(registration)
        user = row.telegram_user_id
    return (await Questions(web.services.db, web.services.cipher).ask(user, user, "id", text)).id


@contextmanager
def statements(web: Web) -> Iterator[list[str]]:
    """The SQL statements the app runs meanwhile."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    engine = web.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_every_console_page_shows_the_open_questions(web: Web) -> None:
    registration = await web.api.registration()
    await ask(web, registration)
    await ask(web)
    browser = await web.signed_in()

    for path in (*PAGES, f"/admin/registrations/{registration}"):
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert badge(2) in page.text, path


async def test_a_page_counts_the_open_questions_with_one_count_query(web: Web) -> None:
    await ask(web)
    browser = await web.signed_in()

    with statements(web) as seen:
        page = await browser.get("/admin/programs")

    assert badge(1) in page.text
    on_questions = [s for s in seen if "FROM questions" in s]
    assert len(on_questions) == 1
    assert on_questions[0].startswith("SELECT count(*)")


async def test_a_reviewer_counts_only_the_questions_they_may_answer(web: Web) -> None:
    await ask(web, await web.api.registration(), text="Pertanyaan dari Kabupaten Serang")
    await ask(web, await web.api.registration(**OTHER_REGION), text="Pertanyaan dari Kota Serang")
    await ask(web, text="Pertanyaan dari pekerja yang belum mendaftar")
    reviewer = await web.signed_in("reviewer", "36.04")

    page = (await reviewer.get("/admin/stats")).text
    refused = await reviewer.get("/admin/audit")  # for admins only: still a console page

    assert badge(2) in page
    assert refused.status_code == 403
    assert badge(2) in refused.text


async def test_an_answered_question_leaves_the_count_and_none_left_shows_no_badge(web: Web) -> None:
    question = await ask(web)
    browser = await web.signed_in()
    assert badge(1) in (await browser.get("/admin/stats")).text

    await browser.get("/admin/questions")
    await browser.post(f"/admin/questions/{question}/reply", {"text": "Rp16.800 sebulan."})
    page = (await browser.get("/admin/stats")).text

    assert 'class="count"' not in page
    assert 'href="/admin/questions"' in page


async def test_the_login_page_shows_no_navigation(web: Web) -> None:
    await ask(web)

    page = await web.browser().get("/admin/login")

    assert page.status_code == 200
    assert 'class="count"' not in page.text
