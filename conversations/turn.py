"""One turn of a conversation: the session being changed, the replies, the effect to perform.

`TurnBase` holds the state and the helpers both halves of a turn use: the flow interpreter
(`conversations.interpreter`) and the app's screens (`conversations.screens`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from conversations.context import Context
from conversations.effects import Effect
from conversations.flow import Flow, Step
from conversations.messages import Button, Reply
from conversations.session import Session

Rows = tuple[tuple[Button, ...], ...]


class Host(Protocol):
    """What a turn reads from the engine that runs it."""

    ctx: Context
    flows: Mapping[str, Flow]


class TurnBase:
    """The work of one call: mutates its own copy of the session and collects replies."""

    def __init__(self, engine: Host, session: Session, today: date | None) -> None:
        self.engine = engine
        # A datetime (not just a date) also timestamps the consent record.
        now = today if isinstance(today, datetime) else None
        day = today.date() if isinstance(today, datetime) else today
        self.ctx = engine.ctx.on(day, now) if day else engine.ctx
        self.s = session
        self.replies: list[Reply] = []
        self.effect: Effect | None = None
        # The callback data of the button this turn answers (kept with a submission).
        self.pressed = ""

    # -- what the two halves provide each other ------------------------------------------

    def ask(self, prefix: str | None = None) -> None:
        """Send the current step's question (the interpreter's)."""
        raise NotImplementedError

    def menu(self, continuing: bool = False) -> None:
        """Show the main menu (the screens')."""
        raise NotImplementedError

    def act(self, action: str) -> None:
        """Run a command action (see conversations.commands)."""
        raise NotImplementedError

    # -- helpers -------------------------------------------------------------------------

    def t(self, key: str, **params: Any) -> str:
        return self.ctx.t(self.s, key, **params)

    def say(self, key: str, buttons: Rows = (), **params: Any) -> None:
        self.replies.append(Reply(self.t(key, **params), buttons))

    def menu_button(self) -> Rows:
        return ((Button(self.t("button.menu"), "m:menu"),),)

    def end_with(self, key: str, buttons: Rows | None = None, **params: Any) -> None:
        """End the flow and say so (with the menu button unless told other buttons)."""
        self.end_flow()
        self.say(key, self.menu_button() if buttons is None else buttons, **params)

    @property
    def flow(self) -> Flow | None:
        return self.engine.flows.get(self.s.flow) if self.s.flow else None

    @property
    def step(self) -> Step | None:
        flow = self.flow
        if flow is None or self.s.step is None or not flow.has(self.s.step):
            return None
        return flow.step(self.s.step)

    def end_flow(self) -> None:
        self.s.end()

    def note_and_reask(self, key: str) -> None:
        if self.step is not None:
            self.ask(prefix=self.t(key))
        else:
            self.say(key, self.menu_button())
