"""The questions inbox: workers' questions for the officials, and answering one.

Admins see every question; reviewers those of their region and those of workers who have not
registered (no region); the answer reaches the worker on Telegram through the outbox.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status

from console.api.responses import described
from console.deps import CurrentOfficial, ServicesDep
from console.question_schemas import QuestionOut, QuestionPage, ReplyIn
from storage.errors import ConflictError, NotFoundError
from storage.repos.questions import Questions, QuestionView, StateFilter

router = APIRouter(prefix="/questions", tags=["questions"])

_ERRORS: dict[int, str] = {
    400: "The body is not valid JSON.",
    401: "No API token, or one that is not valid.",
    404: "No question has this id that the official may see.",
    409: "The question has been answered already.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for FastAPI: the given status codes with their meaning for questions."""
    return described(_ERRORS, *codes)


def get_questions(services: ServicesDep) -> Questions:
    return Questions(services.db, services.cipher)


QuestionsDep = Annotated[Questions, Depends(get_questions)]


async def question_in_scope(
    question_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The question's id.")],
    official: CurrentOfficial,
    questions: QuestionsDep,
) -> QuestionView:
    """The question, if the official may see it; else the same 404 as for an unknown id."""
    found = await questions.get(question_id)
    if found is None or not found.visible_to(official.scope):
        raise HTTPException(status.HTTP_404_NOT_FOUND, _ERRORS[404])
    return found


ScopedQuestion = Annotated[QuestionView, Depends(question_in_scope)]


@router.get("", response_model=QuestionPage, responses=errors(401), summary="List questions")
async def list_questions(
    official: CurrentOfficial,
    questions: QuestionsDep,
    state: Annotated[StateFilter, Query(description="open (default), answered or all.")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> QuestionPage:
    """Questions the official may answer: open ones oldest first, answered ones newest first.

    Admins see all; reviewers those of their region and those of workers with no registration.
    """
    items, total = await questions.list(official.scope, state, limit=limit, offset=offset)
    return QuestionPage(items=[QuestionOut.model_validate(item) for item in items], total=total)


@router.get(
    "/{question_id}",
    response_model=QuestionOut,
    responses=errors(401, 404),
    summary="One question",
)
async def get_question(question: ScopedQuestion) -> QuestionOut:
    """One question with its answer, if any, and whether the answer was delivered."""
    return QuestionOut.model_validate(question)


@router.post(
    "/{question_id}/reply",
    response_model=QuestionOut,
    responses=errors(400, 401, 404, 409),
    summary="Answer a question",
)
async def reply_to_question(
    body: ReplyIn, question: ScopedQuestion, official: CurrentOfficial, questions: QuestionsDep
) -> QuestionOut:
    """Answer an open question once; the answer is sent to the worker on Telegram."""
    try:
        answered = await questions.reply(question.id, official, body.text)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _ERRORS[404]) from exc
    except ConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, _ERRORS[409]) from exc
    return QuestionOut.model_validate(answered)
