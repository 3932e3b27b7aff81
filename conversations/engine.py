"""The conversation engine: (session, worker action) -> (new session, replies, effect).

It does no I/O. When it needs the database (is this NIK registered? store this registration)
its outcome carries an `Effect` (conversations.effects); the host performs it and continues
the conversation with `Engine.resume(session, effect, result)`.

A turn is the flow interpreter (conversations.interpreter) plus the app's screens
(conversations.screens); commands and callback prefixes are tables (conversations.commands);
what follows an effect is a table too (conversations.continuations).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from conversations.builders import BUILDERS
from conversations.checking import DERIVERS
from conversations.checks import CHECKS
from conversations.commands import ACTIONS, CALLBACKS, COMMANDS, FLOW_ACTIONS
from conversations.context import Context
from conversations.continuations import CONTINUATIONS
from conversations.effects import Effect, LinkOfficial
from conversations.flow import Flow, load_shipped_flows
from conversations.interpreter import KINDS, Interpreter
from conversations.messages import Incoming, Reply
from conversations.packs import FlowPack, load_flow_pack
from conversations.screens import Screens
from conversations.session import Session
from domain.errors import FlowDefinitionError

__all__ = ["KINDS", "Engine", "Outcome", "Turn", "load_pack", "shipped_flows"]


@dataclass
class Outcome:
    """The result of one turn: the session to store, replies to send, an effect to perform."""

    session: Session
    replies: list[Reply] = field(default_factory=list)
    effect: Effect | None = None


class Engine:
    """Runs flows defined as data against a worker's session."""

    def __init__(
        self, ctx: Context, flows: dict[str, Flow] | None = None, *, start: str | None = None
    ) -> None:
        self.ctx = ctx
        self.flows: Mapping[str, Flow] = flows or shipped_flows()
        # The flow `/start` enters directly (a flow pack's), instead of the menu.
        if start is not None and start not in self.flows:
            raise KeyError(start)
        self.start = start
        _check_names(self.flows)

    @classmethod
    def with_pack(cls, ctx: Context, pack: FlowPack) -> Engine:
        """The shipped flows plus a pack's flow, its texts added to the catalogue."""
        flows = {**shipped_flows(), pack.flow.id: pack.flow}
        ctx = replace(ctx, catalog=ctx.catalog.with_texts(pack.texts))
        return cls(ctx, flows, start=pack.flow.id if pack.start else None)

    # -- entry points ------------------------------------------------------------------

    def handle(self, session: Session, incoming: Incoming, today: date | None = None) -> Outcome:
        """One worker action."""
        turn = Turn(self, _copy(session), today)
        turn.dispatch(incoming)
        return turn.outcome()

    def resume(
        self, session: Session, effect: Effect, result: Any, today: date | None = None
    ) -> Outcome:
        """Continue after the host performed `effect`, with its typed result (or None)."""
        turn = Turn(self, _copy(session), today)
        CONTINUATIONS[type(effect)](turn, effect, result)
        return turn.outcome()

    def menu(self, session: Session, today: date | None = None) -> Outcome:
        turn = Turn(self, _copy(session), today)
        turn.menu()
        return turn.outcome()


def shipped_flows() -> dict[str, Flow]:
    return load_shipped_flows(frozenset(KINDS))


def load_pack(path: Path) -> FlowPack:
    """A flow pack file, checked against the shipped flows (see conversations.packs)."""
    return load_flow_pack(path, known_flows=shipped_flows())


def _check_names(flows: Mapping[str, Flow]) -> None:
    """Every name a flow uses is registered: builders, checks, derivers, flows it starts."""
    for flow in flows.values():
        if flow.derive is not None and flow.derive not in DERIVERS:
            raise FlowDefinitionError(f"{flow.id}: derive: no deriver `{flow.derive}`")
        for step in flow.steps:
            where = f"{flow.id}: {step.id}"
            for name in (step.query, step.before):
                if name is not None and name not in BUILDERS:
                    raise FlowDefinitionError(f"{where}: no effect builder `{name}`")
            for name in step.check:
                if name not in CHECKS:
                    raise FlowDefinitionError(f"{where}.check: no check `{name}`")
            for target in step.goto.values():
                if target not in flows:
                    raise FlowDefinitionError(f"{where}.goto: no flow `{target}`")


# An official linking their console account to this chat: `/start link-…` (the deep link the
# console gives; the code's format is `storage.repos.official_telegram`'s).
OFFICIAL_LINK_PREFIX = "link-"


def _official_link(incoming: Incoming) -> bool:
    payload = incoming.data.strip().lower()
    return incoming.text.lower() == "start" and payload.startswith(OFFICIAL_LINK_PREFIX)


def _copy(session: Session) -> Session:
    return Session.from_dict(session.to_dict())


class Turn(Interpreter, Screens):
    """One call's work: the interpreter and the screens over one copy of the session."""

    engine: Engine

    def outcome(self) -> Outcome:
        return Outcome(self.s, self.replies, self.effect)

    def dispatch(self, incoming: Incoming) -> None:
        if incoming.kind == "command" and _official_link(incoming):
            self.effect = LinkOfficial(code=incoming.data.strip())
        elif incoming.kind == "command" and self.engine.start and incoming.text.lower() == "start":
            self.start_flow(self.engine.start)
        elif incoming.kind == "command":
            self.act(COMMANDS.get(incoming.text.lower(), ""))
        elif incoming.kind == "callback":
            self.callback(incoming.data)
        elif incoming.kind == "edited":
            self.note_and_reask("err.input.edited")
        elif incoming.kind == "unsupported" and self.step is None:
            self.say("err.input.unsupported_idle", self.menu_button())
        elif incoming.kind == "text" and self._nav_action(incoming.text):
            self.act(self._nav_action(incoming.text))
        elif self.step is not None:
            self.answer(incoming)
        elif incoming.kind == "text" and incoming.text.strip():
            self.faq(incoming.text.strip())
        else:
            self.say("menu.not_understood", self.menu_button())

    def _nav_action(self, text: str) -> str:
        """Reply-keyboard buttons send their label as text: map it back to the action."""
        label = text.strip()
        if label == self.t("button.back"):
            return "back"
        if label == self.t("button.cancel"):
            return "cancel"
        return ""

    def act(self, action: str) -> None:
        starts = FLOW_ACTIONS.get(action)
        if starts is not None:
            if starts.resumes and self.s.flow == starts.flow and self.step is not None:
                self.ask(prefix=self.t("flow.continuing"))
            else:
                self.start_flow(starts.flow)
            return
        handler = ACTIONS.get(action)
        if handler is None:
            self.note_and_reask("err.input.unknown_command")
            return
        handler(self)

    def callback(self, data: str) -> None:
        self.pressed = data
        prefix, _, rest = data.partition(":")
        step = self.step
        handler = CALLBACKS.get(prefix)
        if step is not None and step.callback and prefix == step.callback:
            # A button with a literal prefix (a flow pack's) answers the step that declares it.
            self.answer(Incoming(kind="callback", data=rest))
        elif handler is not None:
            handler(self, rest)
        elif prefix.isdigit() and int(prefix) == self.s.seq and step is not None:
            if rest == "@back":
                self.back()
            elif rest == "@cancel":
                self.act("cancel")
            else:
                self.answer(Incoming(kind="callback", data=rest))
        elif step is None and self.s.receipt and self.s.receipt.get("button") == data:
            # The button that just completed a submission, pressed again: same answer.
            self.replies.append(Reply(str(self.s.receipt.get("text", ""))))
        else:
            self.note_and_reask("err.input.stale_button")
