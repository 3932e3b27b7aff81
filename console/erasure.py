"""Completing a worker's erasure request: the database, and the conversation state besides.

The state store is not in the database, so the erasure is completed here, where both are at
hand: the worker's chats are held (no update of theirs runs meanwhile), their state documents
are forgotten, and the database erasure runs before the chats are let go.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

from console.services import ConsoleServices
from storage.repos.data_rights import DataRights


async def complete_erasure(services: ConsoleServices, request_id: int, actor: str) -> None:
    """Erase what the request covers (docs/erasure.md); raises NotFoundError, ConflictError."""
    rights = DataRights(services.db, services.cipher)
    chats = await rights.erasure_chats(request_id)
    async with AsyncExitStack() as held:
        for chat_id in sorted(chats):  # one order for everyone: no two holders deadlock
            await held.enter_async_context(services.state.lock(chat_id))
        for chat_id in chats:
            await services.state.delete(chat_id)
        erased = await rights.complete_erasure(request_id, actor)
    # A chat first seen while the erasure ran (it is erased now): its state goes too.
    for chat_id in erased - chats:
        async with services.state.lock(chat_id):
            await services.state.delete(chat_id)
