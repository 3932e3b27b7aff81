"""How a conversation goes on once the host performed an effect: one function per effect type.

`continues(EffectType)` registers a function `(turn, effect, result)`; `Engine.resume` looks
the effect's type up in `CONTINUATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from conversations.effects import (
    AskOfficial,
    Correct,
    Corrected,
    DataRecord,
    Effect,
    Erase,
    ErasureRequested,
    FlowReceipt,
    FlowSubmit,
    LinkOfficial,
    MyData,
    MyStatus,
    NikStatus,
    OfficialLinked,
    QuestionSent,
    Quotas,
    QuotasLeft,
    RegistrationStatus,
    Submit,
    Submitted,
)
from conversations.messages import Button, Reply
from domain.i18n import escape, format_day

if TYPE_CHECKING:
    from conversations.engine import Turn

E = TypeVar("E", bound=Effect)
Continuation = Callable[["Turn", Any, Any], None]
CONTINUATIONS: dict[type[Effect], Continuation] = {}


def continues(effect_type: type[E]) -> Callable[[Continuation], Continuation]:
    """Register the function that goes on after `effect_type` was performed."""

    def register(fn: Continuation) -> Continuation:
        CONTINUATIONS[effect_type] = fn
        return fn

    return register


def _registered_already(turn: Turn, result: RegistrationStatus) -> None:
    """Its reference, date and status only to the chat that registered it; to anyone else
    only that the NIK is taken, and the way to an official who can check."""
    if result.own:
        turn.end_with("reg.nik_exists", **turn.status_params(result))
        return
    rows = ((Button(turn.t("menu.talk"), "m:talk"), Button(turn.t("button.menu"), "m:menu")),)
    turn.end_with("reg.nik_taken", rows)


@continues(NikStatus)
def nik_checked(turn: Turn, effect: NikStatus, result: RegistrationStatus | None) -> None:
    """A NIK registered already ends the flow: with its status when this chat registered it."""
    if result is not None:
        _registered_already(turn, result)
        return
    step = turn.step
    assert step is not None
    turn.advance(step, None)


@continues(Submit)
def registered(turn: Turn, effect: Submit, result: Submitted) -> None:
    if result.outcome == "duplicate_nik":
        _registered_already(turn, result)
        return
    name = escape(effect.full_name.split(" ")[0])
    turn.say("reg.sent", turn.status_buttons(), first_name=name, reference=result.reference)
    turn.end_flow()


@continues(FlowSubmit)
def flow_submitted(turn: Turn, effect: FlowSubmit, result: FlowReceipt) -> None:
    """The end step's text with the reference; a second tap on the button repeats it."""
    step = turn.step
    assert step is not None
    params = {**turn.answer_params(), "reference": escape(result.reference)}
    text = turn.t(step.ask, **params)
    turn.replies.append(Reply(text))
    turn.end_flow()
    turn.s.receipt = {"button": effect.button, "text": text} if effect.button else None


@continues(Quotas)
def quotas_known(turn: Turn, effect: Quotas, result: QuotasLeft | None) -> None:
    turn.s.answers["_quota_left"] = dict(result.places) if result is not None else {}
    turn.derive()
    turn.ask()


@continues(AskOfficial)
def question_sent(turn: Turn, effect: AskOfficial, result: QuestionSent) -> None:
    turn.end_flow()
    turn.s.question = None
    turn.say("faq.sent", turn.menu_button(), reference=result.reference)


@continues(MyData)
def data_shown(turn: Turn, effect: MyData, result: DataRecord | None) -> None:
    turn.show_data(result)


@continues(MyStatus)
def status_shown(turn: Turn, effect: MyStatus, result: RegistrationStatus | None) -> None:
    turn.show_status(result)


@continues(Correct)
def corrected(turn: Turn, effect: Correct, result: Corrected) -> None:
    key = "data.corrected_review" if result.back_to_review else "data.corrected"
    turn.end_with(key, reference=result.reference)


@continues(Erase)
def erasure_requested(turn: Turn, effect: Erase, result: ErasureRequested | None) -> None:
    if result is None:
        turn.say("data.none", turn.menu_button())
        return
    due = datetime.fromisoformat(result.due_at)
    turn.end_with("data.erase_requested", due=format_day(due.date(), turn.s.lang))


@continues(LinkOfficial)
def official_linked(turn: Turn, effect: LinkOfficial, result: OfficialLinked | None) -> None:
    name = escape(result.name) if result is not None else ""
    key = "official.linked" if result is not None else "official.link_invalid"
    turn.say(key, turn.menu_button(), name=name)
