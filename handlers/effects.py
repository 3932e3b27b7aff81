"""The host's side of the engine's effects: which coroutine performs each effect type.

A performer is a method decorated with `@performs(EffectType)`; `perform(owner, effect, env)`
looks the effect's type up and awaits the method. A performer marked `needs_chat` answers
None when the update has no user or chat (a channel post, say).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from conversations.effects import Effect
from handlers.updates import Envelope

E = TypeVar("E", bound=Effect)
Performer = Callable[[Any, Any, Envelope], Awaitable[Any]]
PERFORMERS: dict[type[Effect], Performer] = {}


def performs(effect_type: type[E], *, needs_chat: bool = False) -> Callable[[Performer], Performer]:
    """Register the decorated method as the performer of `effect_type`."""

    def register(fn: Performer) -> Performer:
        if needs_chat:
            inner = fn

            async def fn(owner: Any, effect: Any, env: Envelope) -> Any:
                if env.user_id is None or env.chat_id is None:
                    return None
                return await inner(owner, effect, env)

        PERFORMERS[effect_type] = fn
        return fn

    return register


async def perform(owner: object, effect: Effect, env: Envelope) -> Any:
    """Perform `effect` with the performers `owner` provides; returns the typed result."""
    performer = PERFORMERS.get(type(effect))
    if performer is None:
        raise ValueError(f"no performer for effect {effect.kind}")
    return await performer(owner, effect, env)
