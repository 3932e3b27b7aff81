"""The questions inbox: workers' questions of the official's scope, answered by form.

Who sees what is the rule of `storage.repos.questions` (admins all; reviewers their region and
questions of workers who never registered). The answer is audited and queued for Telegram by
`Questions.reply`; a question answered meanwhile (by a colleague, or a double submit) is said
so on the page (409).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response
from pydantic import ValidationError

from console.deps import ServicesDep
from console.question_schemas import ReplyIn
from console.web.navigation import count_open as count_open  # where broadcasts import it
from console.web.pages import Flash, WebRoute, redirect, render
from console.web.sessions import PostSessionDep, SessionDep, WebError, WebSession
from console.web.texts import TEXT
from console.web.views import when
from storage.errors import ConflictError, NotFoundError
from storage.repos.questions import Questions, QuestionView, StateFilter

PAGE_SIZE = 50
TABS: tuple[StateFilter, ...] = ("open", "answered")
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
QuestionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def questions_of(services: Any) -> Questions:
    return Questions(services.db, services.cipher)


router = APIRouter(route_class=WebRoute)


def _row(item: QuestionView) -> dict[str, Any]:
    return {
        "id": item.id,
        "reference": item.reference,
        "asked": when(item.created_at),
        "language": LANGUAGES.get(item.language, item.language),
        "lang": item.language,
        "text": item.text,
        "topic": item.topic,
        "answer": item.answer,
        "answered": when(item.answered_at),
        "answered_by": item.answered_by,
        "delivery": TEXT.get(f"delivery_{item.delivery}", "") if item.delivery else "",
    }


async def inbox_page(
    request: Request,
    services: Any,
    session: WebSession,
    state: str = "open",
    page: int = 1,
    *,
    status: int = 200,
    messages: Flash | None = None,
) -> Response:
    tab: StateFilter = "answered" if state == "answered" else "open"
    page = min(max(page, 1), 100_000)
    offset = (page - 1) * PAGE_SIZE
    items, total = await questions_of(services).list(
        session.official.scope, tab, limit=PAGE_SIZE, offset=offset
    )
    url = f"/admin/questions?state={tab}&page="
    context = {
        "tab": tab,
        "tabs": [(name, TEXT[f"inbox_tab_{name}"]) for name in TABS],
        "rows": [_row(item) for item in items],
        "total": total,
        "prev_url": url + str(page - 1) if page > 1 else None,
        "next_url": url + str(page + 1) if offset + len(items) < total else None,
    }
    return render(request, "inbox.html", context, status=status, messages=messages)


@router.get("/questions", include_in_schema=False)
async def inbox(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    state: str = "open",
    page: int = 1,
) -> Response:
    return await inbox_page(request, services, session, state, page)


@router.post("/questions/{question_id}/reply", include_in_schema=False)
async def reply(
    request: Request,
    session: PostSessionDep,
    services: ServicesDep,
    question_id: QuestionId,
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Answer once; a question answered meanwhile is shown again with a 409 and why."""
    questions = questions_of(services)
    found = await questions.get(question_id)
    if found is None or not found.visible_to(session.official.scope):
        raise WebError(404, TEXT["not_found"])
    try:
        answer = ReplyIn(text=text).text
    except ValidationError:
        why: Flash = [("error", TEXT["inbox_answer_invalid"])]
        return await inbox_page(request, services, session, status=422, messages=why)
    try:
        await questions.reply(question_id, session.official, answer)
    except ConflictError:
        why = [("error", TEXT["inbox_already_answered"].format(ref=found.reference))]
        return await inbox_page(request, services, session, status=409, messages=why)
    except NotFoundError:
        raise WebError(404, TEXT["not_found"]) from None
    done = TEXT["inbox_answered"].format(ref=found.reference)
    return redirect(request, "/admin/questions", [("ok", done)])
