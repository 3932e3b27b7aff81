"""The questions inbox in the officials' API: who sees which question, and answering one once."""

from __future__ import annotations

import pytest

from storage.repos.questions import Questions
from tests.integration.api_harness import (
    OTHER_REGION,
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
)

ENDPOINTS = [
    ("GET", "/questions", None),
    ("GET", "/questions/{id}", None),
    ("POST", "/questions/{id}/reply", {"text": "Iurannya Rp16.800 sebulan."}),
]


async def _ask(api: Api, registration: int | None = None, text: str = "Berapa iurannya?") -> int:
    """A question from the worker of `registration`, or from one who never registered."""
    user = 7_100_000_000
    if registration is not None:
        row = await api.services.registrations.get(registration)
        user = row.telegram_user_id
    questions = Questions(api.services.db, api.services.cipher)
    return (await questions.ask(user, user, "id", text, "iuran")).id


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_a_request_without_a_token_is_refused(
    api: Api, method: str, path: str, body: object
) -> None:
    question = await _ask(api)

    response = await api.call(method, path.format(id=question), None, json=body)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS[1:])
async def test_a_reviewer_gets_the_same_404_for_another_regions_question_as_for_none(
    api: Api, method: str, path: str, body: object
) -> None:
    reviewer = await api.official("reviewer", "36.04")
    elsewhere = await _ask(api, await api.registration(**OTHER_REGION))

    response = await api.call(method, path.format(id=elsewhere), reviewer, json=body)
    unknown = await api.call(method, path.format(id=elsewhere + 1000), reviewer, json=body)

    assert response.status_code == unknown.status_code == 404
    assert response.json() == unknown.json()
    assert (await api.audit("question.answered")) == []


async def test_an_official_lists_open_questions_with_their_text(api: Api) -> None:
    admin = await api.official()
    question = await _ask(api, text="klo kecelakaan pas narik ojek gimana klaimnya?")

    body = (await api.get("/questions", admin)).json()

    assert body["total"] == 1
    (item,) = body["items"]
    assert item["id"] == question
    assert item["text"] == "klo kecelakaan pas narik ojek gimana klaimnya?"
    assert item["reference"].startswith("T-")
    assert (item["state"], item["answer"], item["region"]) == ("open", None, None)


async def test_a_reviewer_sees_their_region_and_unregistered_workers(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.04")
    mine = await _ask(api, await api.registration())
    await _ask(api, await api.registration(**OTHER_REGION))
    unregistered = await _ask(api)

    body = (await api.get("/questions", reviewer, state="all")).json()

    assert body["total"] == 2
    assert {item["id"] for item in body["items"]} == {mine, unregistered}


async def test_a_reviewer_without_a_region_sees_no_question(api: Api) -> None:
    reviewer = await api.official("reviewer")
    question = await _ask(api)

    listed = await api.get("/questions", reviewer)
    shown = await api.get(f"/questions/{question}", reviewer)

    assert listed.json() == {"items": [], "total": 0}
    assert shown.status_code == 404


async def test_a_reply_is_accepted_once_and_a_second_one_conflicts(api: Api) -> None:
    reviewer = await api.official("reviewer", "36.04")
    question = await _ask(api, await api.registration())

    first = await api.post(f"/questions/{question}/reply", reviewer, {"text": "  Rp16.800.  "})
    second = await api.post(f"/questions/{question}/reply", reviewer, {"text": "Lagi."})

    assert first.status_code == 200
    assert (first.json()["state"], first.json()["answer"]) == ("answered", "Rp16.800.")
    assert first.json()["delivery"] == "pending"
    assert second.status_code == 409
    assert len(await api.audit("question.answered")) == 1
    shown = (await api.get(f"/questions/{question}", reviewer)).json()
    assert shown["answer"] == "Rp16.800."


async def test_answered_questions_leave_the_open_list(api: Api) -> None:
    admin = await api.official()
    question = await _ask(api)
    await api.post(f"/questions/{question}/reply", admin, {"text": "Sudah dijawab."})

    still_open = (await api.get("/questions", admin)).json()
    answered = (await api.get("/questions", admin, state="answered")).json()

    assert still_open["total"] == 0
    assert [item["id"] for item in answered["items"]] == [question]


@pytest.mark.parametrize("answer", ["", "   ", "x" * 2001, "tab\x00null"])
async def test_an_empty_or_too_long_answer_is_refused(api: Api, answer: str) -> None:
    admin = await api.official()
    question = await _ask(api)

    response = await api.post(f"/questions/{question}/reply", admin, {"text": answer})

    assert response.status_code == 422
    assert (await api.get(f"/questions/{question}", admin)).json()["state"] == "open"


async def test_a_missing_question_is_not_found(api: Api) -> None:
    admin = await api.official()

    shown = await api.get("/questions/424242", admin)
    answered = await api.post("/questions/424242/reply", admin, {"text": "Halo"})

    assert (shown.status_code, answered.status_code) == (404, 404)


async def test_an_unknown_state_filter_is_refused(api: Api) -> None:
    admin = await api.official()

    response = await api.get("/questions", admin, state="closed")

    assert response.status_code == 422
