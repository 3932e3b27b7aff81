"""Commands as data: command words, the actions they name, and the callback prefixes.

`/daftar`, `/register` and the menu's `m:register` button all name the action `register`;
`ACTIONS` says what each action does, `FLOW_ACTIONS` which actions start a flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conversations.effects import Erase, MyData, MyStatus

if TYPE_CHECKING:
    from conversations.engine import Turn

# Command word (without the slash) -> action.
COMMANDS = {
    "start": "menu",
    "menu": "menu",
    "help": "menu",
    "bantuan": "menu",
    "daftar": "register",
    "register": "register",
    "cek": "check",
    "check": "check",
    "info": "info",
    "status": "status",
    "data": "data",
    "mydata": "data",
    "bahasa": "language",
    "language": "language",
    "lang": "language",
    "batal": "cancel",
    "cancel": "cancel",
    "kembali": "back",
    "back": "back",
    "berhenti": "stop",
    "stop": "stop",
    "mulai": "resume",
    "resume": "resume",
    "tanya": "talk",
    "ask": "talk",
}


@dataclass(frozen=True)
class StartFlow:
    """An action that starts a flow; `resumes`: asked again while in it, it goes on instead."""

    flow: str
    resumes: bool = False


FLOW_ACTIONS = {
    "register": StartFlow("registration", resumes=True),
    "check": StartFlow("eligibility"),
    "talk": StartFlow("question"),
    "correct": StartFlow("correction"),
}

Action = Callable[["Turn"], None]


def _effect(turn: Turn, effect: MyStatus | MyData | Erase) -> None:
    turn.effect = effect


ACTIONS: dict[str, Action] = {
    "menu": lambda turn: turn.menu(),
    "continue": lambda turn: turn.note_and_reask("flow.continuing"),
    "info": lambda turn: turn.info_menu(),
    "status": lambda turn: _effect(turn, MyStatus()),
    "data": lambda turn: _effect(turn, MyData()),
    "language": lambda turn: turn.languages(),
    "cancel": lambda turn: turn.cancel(),
    "back": lambda turn: turn.back(),
    "stop": lambda turn: turn.broadcasts(opted_out=True),
    "resume": lambda turn: turn.broadcasts(opted_out=False),
    "erase": lambda turn: turn.confirm_erase(),
    "erase_yes": lambda turn: _effect(turn, Erase()),
    "erase_no": lambda turn: turn.say("data.erase_cancelled", turn.menu_button()),
}

# Callback data `<prefix>:<rest>` of the app's own buttons -> what handles `rest`.
CALLBACKS: dict[str, Callable[[Turn, str], None]] = {
    "m": lambda turn, rest: turn.act(rest),
    "t": lambda turn, rest: turn.show_topic(rest),
    "q": lambda turn, rest: turn.question_action(rest),
    "l": lambda turn, rest: turn.choose_language(rest),
}
