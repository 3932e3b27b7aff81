"""Replay a golden transcript against the engine and write what it answered, as YAML.

A transcript is a fixed context, the worker's actions (one per turn) and, per turn, the host's
answers to the effects the engine asks for. `run` replays it and returns the same document
with every turn's `expect` filled in; `dump` writes that document in the one canonical layout
(fixed key order, button rows on one line, multi-line texts as block scalars), so that
regenerating an unchanged transcript gives the same bytes. See tests/golden/README.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from tests.golden import adapter

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "# Golden transcript (tests/golden/README.md). `expect` is written by\n"
    "# `pytest tests/golden --update-golden`; edit the context and the turns only.\n"
)
INPUTS = ("text", "command", "press", "callback", "contact", "unsupported", "edited")
# A turn's keys in the order they are written; `expect` last.
TURN_KEYS = ("note", *INPUTS, "from_turn", "own", "result", "expect")
CONTEXT_KEYS = ("today", "lang", "pack", "data")
# The clock time of every turn: 10:00 in Jakarta on the context's day.
CLOCK = time(3, 0, tzinfo=UTC)


class TranscriptError(Exception):
    """A transcript that cannot be replayed as written (says which turn and why)."""


@dataclass
class _Replay:
    """The state of one replay: the session, every turn's replies, the clock."""

    engine: Any
    session: Any
    now: datetime
    show_data: bool
    replies_by_turn: list[list[dict[str, Any]]] = field(default_factory=list)


def load(path: Path) -> dict[str, Any]:
    doc = parse(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("turns"), list):
        raise TranscriptError(f"{path.name}: needs `context` and a list of `turns`")
    return doc


def run(doc: dict[str, Any]) -> dict[str, Any]:
    """The transcript with every turn's `expect` replaced by what the engine does now."""
    ctx = doc.get("context") or {}
    unknown = set(ctx) - set(CONTEXT_KEYS)
    if unknown:
        raise TranscriptError(f"context: unknown key(s) {sorted(unknown)}")
    today = ctx.get("today")
    if not isinstance(today, date):
        raise TranscriptError("context.today: needs a date (2026-12-04)")
    pack = ROOT / ctx["pack"] if ctx.get("pack") else None
    replay = _Replay(
        engine=adapter.engine(pack),
        session=adapter.new_session(str(ctx.get("lang", "id"))),
        now=datetime.combine(today, CLOCK),
        show_data=bool(ctx.get("data", False)),
    )
    turns = []
    for number, turn in enumerate(doc["turns"], start=1):
        try:
            turns.append(_turn(replay, turn))
        except TranscriptError as exc:
            raise TranscriptError(f"turn {number} ({_describe(turn)}): {exc}") from None
    out: dict[str, Any] = {}
    if "about" in doc:
        out["about"] = doc["about"]
    out["context"] = {k: ctx[k] for k in CONTEXT_KEYS if k in ctx}
    out["turns"] = turns
    return out


def _describe(turn: Any) -> str:
    if not isinstance(turn, dict):
        return repr(turn)
    return ", ".join(f"{k}: {turn[k]!r}" for k in INPUTS if k in turn) or "no input"


def _turn(replay: _Replay, turn: Any) -> dict[str, Any]:
    if not isinstance(turn, dict):
        raise TranscriptError("a turn must be a mapping")
    unknown = set(turn) - set(TURN_KEYS)
    if unknown:
        raise TranscriptError(f"unknown key(s) {sorted(unknown)}")
    given = [k for k in INPUTS if k in turn]
    if len(given) != 1:
        raise TranscriptError(f"needs exactly one of {', '.join(INPUTS)}")
    incoming = _incoming(replay, turn, given[0])
    results = _results(turn)
    before = adapter.shown(replay.session)
    outcome = adapter.handle(replay.engine, replay.session, incoming, replay.now)
    effects: list[dict[str, Any]] = []
    replies: list[dict[str, Any]] = []
    while (effect := adapter.effect_of(outcome)) is not None:
        kind, params = effect
        if adapter.replies_of(outcome):
            # The host sends only the replies of the last call (handlers/processor.py).
            raise TranscriptError(f"replies before the effect `{kind}` would be lost")
        effects.append({"effect": kind, "params": _sorted(params)})
        if not results:
            raise TranscriptError(
                f"the engine asks for the effect `{kind}` {params!r}: give the host's answer "
                "as `result:` (a list when there are several)"
            )
        outcome = adapter.resume(replay.engine, outcome, results.pop(0), replay.now)
    if results:
        raise TranscriptError(f"{len(results)} `result` left over (no effect asked for them)")
    replies = adapter.replies_of(outcome)
    replay.session = adapter.session_of(outcome)
    replay.replies_by_turn.append(replies)
    after = adapter.shown(replay.session)
    out = {k: turn[k] for k in TURN_KEYS if k in turn and k != "expect"}
    expect: dict[str, Any] = {}
    if effects:
        expect["effects"] = effects
    expect["replies"] = [_shown_reply(r, replay.show_data) for r in replies]
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        expect["session"] = changed
    out["expect"] = expect
    return out


def _results(turn: dict[str, Any]) -> list[dict[str, Any] | None]:
    if "result" not in turn:
        return []
    value = turn["result"]
    answers = value if isinstance(value, list) else [value]
    for answer in answers:
        if answer is not None and not isinstance(answer, dict):
            raise TranscriptError(f"`result` must be a mapping or null, not {answer!r}")
    return list(answers)


def _incoming(replay: _Replay, turn: dict[str, Any], kind: str) -> Any:
    return _INCOMING[kind](replay, turn, str(turn[kind]))


def _command(value: str) -> Any:
    name, _, args = value.strip().removeprefix("/").partition(" ")
    return adapter.command(name.lower(), args.strip())


# What each kind of turn sends the engine: (replay, turn, the turn's value as text).
_INCOMING: dict[str, Callable[[_Replay, dict[str, Any], str], Any]] = {
    "text": lambda _replay, _turn, value: adapter.text(value),
    "command": lambda _replay, _turn, value: _command(value),
    "press": lambda replay, turn, value: adapter.callback(
        _button_data(replay, value, turn.get("from_turn"))
    ),
    "callback": lambda _replay, _turn, value: adapter.callback(value),
    "contact": lambda _replay, turn, value: adapter.contact(value, bool(turn.get("own", True))),
    "unsupported": lambda _replay, _turn, _value: adapter.unsupported(),
    "edited": lambda _replay, _turn, value: adapter.edited(value),
}


def _button_data(replay: _Replay, label: str, from_turn: Any) -> str:
    """The callback data of the button labelled `label` on the latest message with buttons."""
    if from_turn is not None:
        if not isinstance(from_turn, int) or not 1 <= from_turn <= len(replay.replies_by_turn):
            raise TranscriptError(f"from_turn: no earlier turn {from_turn!r}")
        pool = replay.replies_by_turn[from_turn - 1]
    else:
        pool = [r for replies in replay.replies_by_turn for r in replies]
    with_buttons = [r for r in pool if r["buttons"]]
    if not with_buttons:
        raise TranscriptError("no earlier reply has buttons")
    buttons = [b for row in with_buttons[-1]["buttons"] for b in row]
    exact = [data for text, data in buttons if text == label]
    near = [data for text, data in buttons if label.lower() in text.lower()]
    found = exact or near
    if len(found) != 1:
        problem = "no button" if not found else "more than one button"
        labels = [text for text, _ in buttons]
        raise TranscriptError(f"{problem} {label!r} on the latest buttons {labels}")
    return str(found[0])


def _shown_reply(reply: dict[str, Any], show_data: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"text": reply["text"]}
    if reply["buttons"]:
        out["buttons"] = [
            _Row(f"{text} → {data}" if show_data else text for text, data in row)
            for row in reply["buttons"]
        ]
    if reply["share_contact"] is not None:
        out["share_contact"] = reply["share_contact"]
    if reply["remove_keyboard"]:
        out["remove_keyboard"] = True
    return out


def _sorted(value: Any) -> Any:
    """Effect parameters with their keys sorted (their order is no conversation rule)."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


# -- the canonical layout ------------------------------------------------------------------


class _Row(list[str]):
    """A row of buttons: written on one line."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _row(dumper: yaml.SafeDumper, value: _Row) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Row, _row)


def parse(text: str) -> Any:
    """YAML text as data (with libyaml's parser when it is there: five times faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def dump(doc: dict[str, Any]) -> str:
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
    return HEADER + body
