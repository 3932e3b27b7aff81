"""What the navigation shows on every console page: the number of open questions in scope.

`web_router` runs `count_open` before each page of a signed-in official (one COUNT query);
the base template reads `request.state.open_questions`.
"""

from __future__ import annotations

from fastapi import Request

from console.deps import ServicesDep
from console.web.sessions import SessionDep
from storage.repos.questions import Questions


async def count_open(request: Request, session: SessionDep, services: ServicesDep) -> None:
    """Put the number of open questions in scope where the navigation shows it."""
    questions = Questions(services.db, services.cipher)
    request.state.open_questions = await questions.count_open(session.official.scope)
