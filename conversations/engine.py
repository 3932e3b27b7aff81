"""The conversation engine: (session, worker action) -> (new session, replies, query).

It does no I/O. When it needs the database (is this NIK registered? store this registration)
it returns a `Query`; the host answers it with `Engine.resume`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from conversations import checking
from conversations.context import Context
from conversations.flow import Flow, Step, load_shipped_flows
from conversations.inputs import INPUTS, InputKind, Parsed, Prompt
from conversations.messages import Button, Incoming, Query, Reply
from conversations.packs import FlowPack, load_flow_pack
from conversations.session import Session
from domain.errors import InputError
from domain.faq import Topic, load_topics, topic_message, topic_params
from domain.i18n import LANGUAGES, escape, format_day
from domain.nik import check_agreement, parse_nik

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


KINDS: dict[str, Callable[[], InputKind]] = {**INPUTS, **checking.INPUTS}
# Flows whose `when:` conditions read answers derived from the others.
DERIVED = {"eligibility": checking.derive}


@dataclass
class Outcome:
    """The result of one turn: the session to store, replies to send, a query to answer."""

    session: Session
    replies: list[Reply] = field(default_factory=list)
    query: Query | None = None


class Engine:
    """Runs flows defined as data against a worker's session."""

    def __init__(
        self, ctx: Context, flows: dict[str, Flow] | None = None, *, start: str | None = None
    ) -> None:
        self.ctx = ctx
        self.flows = flows or load_shipped_flows(frozenset(KINDS))
        # The flow `/start` enters directly (a flow pack's), instead of the menu.
        if start is not None and start not in self.flows:
            raise KeyError(start)
        self.start = start

    @classmethod
    def with_pack(cls, ctx: Context, pack: FlowPack) -> Engine:
        """The shipped flows plus a pack's flow, its texts added to the catalogue."""
        flows = {**shipped_flows(), pack.flow.id: pack.flow}
        ctx = replace(ctx, catalog=ctx.catalog.with_texts(pack.texts))
        return cls(ctx, flows, start=pack.flow.id if pack.start else None)

    # -- entry points ------------------------------------------------------------------

    def handle(self, session: Session, incoming: Incoming, today: date | None = None) -> Outcome:
        """One worker action."""
        turn = _Turn(self, _copy(session), today)
        turn.dispatch(incoming)
        return turn.outcome()

    def resume(
        self,
        session: Session,
        query: Query,
        result: dict[str, Any] | None,
        today: date | None = None,
    ) -> Outcome:
        """Continue after the host answered `query` with `result`."""
        turn = _Turn(self, _copy(session), today)
        turn.resumed(query, result)
        return turn.outcome()

    def menu(self, session: Session, today: date | None = None) -> Outcome:
        turn = _Turn(self, _copy(session), today)
        turn.menu()
        return turn.outcome()


def shipped_flows() -> dict[str, Flow]:
    return load_shipped_flows(frozenset(KINDS))


def load_pack(path: Path) -> FlowPack:
    """A flow pack file, checked against the shipped flows (see conversations.packs)."""
    return load_flow_pack(path, known_flows=shipped_flows())


# An official linking their console account to this chat: `/start link-…` (the deep link the
# console gives; the code's format is `storage.repos.official_telegram`'s).
OFFICIAL_LINK_PREFIX = "link-"


def _official_link(incoming: Incoming) -> bool:
    payload = incoming.data.strip().lower()
    return incoming.text.lower() == "start" and payload.startswith(OFFICIAL_LINK_PREFIX)


def _copy(session: Session) -> Session:
    return Session.from_dict(session.to_dict())


class _Turn:
    """The work of one call: mutates its own copy of the session and collects replies."""

    def __init__(self, engine: Engine, session: Session, today: date | None) -> None:
        self.engine = engine
        # A datetime (not just a date) also timestamps the consent record.
        self.now = today if isinstance(today, datetime) else None
        day = today.date() if isinstance(today, datetime) else today
        self.ctx = engine.ctx.on(day) if day else engine.ctx
        self.s = session
        self.replies: list[Reply] = []
        self.query: Query | None = None
        # The callback data of the button this turn answers (kept with a submission).
        self.pressed = ""

    def outcome(self) -> Outcome:
        return Outcome(self.s, self.replies, self.query)

    # -- helpers -------------------------------------------------------------------------

    def t(self, key: str, **params: Any) -> str:
        return self.ctx.t(self.s, key, **params)

    def say(self, key: str, buttons: tuple[tuple[Button, ...], ...] = (), **params: Any) -> None:
        self.replies.append(Reply(self.t(key, **params), buttons))

    @property
    def flow(self) -> Flow | None:
        return self.engine.flows.get(self.s.flow) if self.s.flow else None

    @property
    def step(self) -> Step | None:
        flow = self.flow
        if flow is None or self.s.step is None or not flow.has(self.s.step):
            return None
        return flow.step(self.s.step)

    def _rows(self, step: Step, prompt: Prompt) -> tuple[tuple[Button, ...], ...]:
        seq = self.s.seq
        prefix = step.callback or seq
        buttons = [Button(label, f"{prefix}:{value}") for label, value in prompt.buttons]
        cols = max(1, prompt.columns)
        rows = [tuple(buttons[i : i + cols]) for i in range(0, len(buttons), cols)]
        if prompt.nav:
            rows.append(tuple(Button(label, f"{seq}:{value}") for label, value in prompt.nav))
        flow = self.flow
        if flow is None or flow.nav:
            nav = []
            if self.s.back:
                nav.append(Button(self.t("button.back"), f"{seq}:@back"))
            nav.append(Button(self.t("button.cancel"), f"{seq}:@cancel"))
            rows.append(tuple(nav))
        return tuple(rows)

    def _prompt(self, step: Step) -> Prompt:
        return KINDS[step.input]().prompt(self.ctx, step, self.s)

    def ask(self, prefix: str | None = None) -> None:
        """Send the current step's question (optionally after a one-line note)."""
        step = self.step
        if step is None:
            self.menu()
            return
        prompt = self._prompt(step)
        params = {**self._answer_params(), **self.s.answers.get("_params", {}), **prompt.params}
        text = self.t(step.ask, **params)
        if prefix:
            text = f"{prefix}\n\n{text}"
        if prompt.share_contact:
            self.replies.append(Reply(text, share_contact=self.t("button.share_phone")))
            return
        self.replies.append(Reply(text, self._rows(step, prompt)))

    def error(self, exc: InputError) -> None:
        """Say what was wrong and what to do, with the current question's buttons."""
        step = self.step
        if step is not None and step.error:
            text = self.t(step.error, **{**self._answer_params(), **exc.params})
        else:
            text = self.t(f"err.{exc.code}", **exc.params)
        if step is None:
            self.replies.append(Reply(text))
            return
        prompt = self._prompt(step)
        if prompt.share_contact:
            self.replies.append(Reply(text, share_contact=self.t("button.share_phone")))
        else:
            self.replies.append(Reply(text, self._rows(step, prompt)))

    def _answer_params(self) -> dict[str, Any]:
        """For flows whose texts name answers: each saved answer (a choice by its label)."""
        flow = self.flow
        if flow is None or not flow.answer_params:
            return {}
        params: dict[str, Any] = {}
        for step in flow.steps:
            if step.save is None:
                continue
            value = self.s.answers.get(step.save)
            if value is None:
                params.setdefault(step.save, "")
            elif step.input == "choice" and step.labels:
                params[step.save] = self.t(f"{step.labels}.{value}")
            else:
                params[step.save] = escape(value)
        return params

    def menu(self, continuing: bool = False) -> None:
        rows: list[tuple[Button, ...]] = []
        if self.s.flow:
            rows.append((Button(self.t("menu.continue"), "m:continue"),))
        rows += [
            (
                Button(self.t("menu.register"), "m:register"),
                Button(self.t("menu.check"), "m:check"),
            ),
            (Button(self.t("menu.info"), "m:info"), Button(self.t("menu.status"), "m:status")),
            (Button(self.t("menu.talk"), "m:talk"), Button(self.t("menu.language"), "m:language")),
        ]
        self.say("menu.greeting" if not continuing else "menu.again", tuple(rows))

    def end_flow(self) -> None:
        self.s.end()

    # -- dispatch ------------------------------------------------------------------------

    def dispatch(self, incoming: Incoming) -> None:
        if incoming.kind == "command" and _official_link(incoming):
            self.query = Query("link_official", {"code": incoming.data.strip()})
        elif incoming.kind == "command" and self.engine.start and incoming.text.lower() == "start":
            self.start_flow(self.engine.start)
        elif incoming.kind == "command":
            self.command(COMMANDS.get(incoming.text.lower(), ""))
        elif incoming.kind == "callback":
            self.callback(incoming.data)
        elif incoming.kind == "edited":
            self.note_and_reask("err.input.edited")
        elif incoming.kind == "unsupported" and self.step is None:
            self.say("err.input.unsupported_idle", self._menu_button())
        elif incoming.kind == "text" and self._is_nav_text(incoming.text):
            self.command(self._is_nav_text(incoming.text))
        elif self.step is not None:
            self.answer(incoming)
        elif incoming.kind == "text" and incoming.text.strip():
            self.faq(incoming.text.strip())
        else:
            self.say("menu.not_understood", self._menu_button())

    def _menu_button(self) -> tuple[tuple[Button, ...], ...]:
        return ((Button(self.t("button.menu"), "m:menu"),),)

    def _is_nav_text(self, text: str) -> str:
        """Reply-keyboard buttons send their label as text: map it back to the command."""
        label = text.strip()
        if label == self.t("button.back"):
            return "back"
        if label == self.t("button.cancel"):
            return "cancel"
        return ""

    def note_and_reask(self, key: str) -> None:
        if self.step is not None:
            self.ask(prefix=self.t(key))
        else:
            self.say(key, self._menu_button())

    def command(self, action: str) -> None:
        if action == "menu":
            self.menu()
        elif action == "register":
            self.register()
        elif action == "cancel":
            if self.s.flow:
                self.end_flow()
                self.say("flow.cancelled", self._menu_button())
            else:
                self.say("flow.nothing_to_cancel", self._menu_button())
        elif action == "back":
            self.back()
        elif action == "status":
            self.query = Query("my_status")
        elif action == "language":
            rows = tuple((Button(self.t(f"language.{lang}"), f"l:{lang}"),) for lang in LANGUAGES)
            self.say("language.ask", rows)
        elif action == "stop":
            self.s.opted_out = True
            self.say("broadcast.stopped", self._menu_button())
        elif action == "resume":
            self.s.opted_out = False
            self.say("broadcast.resumed", self._menu_button())
        elif action == "data":
            self.query = Query("my_data")
        elif action == "correct":
            self.start_flow("correction")
        elif action == "erase":
            confirm = (
                Button(self.t("data.button.erase_yes"), "m:erase_yes"),
                Button(self.t("data.button.erase_no"), "m:erase_no"),
            )
            self.say("data.erase_confirm", (confirm,))
        elif action == "erase_yes":
            self.query = Query("erase")
        elif action == "erase_no":
            self.say("data.erase_cancelled", self._menu_button())
        elif action == "check":
            self.start_flow("eligibility", intro="elig.intro")
        elif action == "talk":
            self.start_flow("question")
        elif action == "info":
            self.info_menu()
        else:
            self.note_and_reask("err.input.unknown_command")

    def register(self) -> None:
        if self.s.flow == "registration" and self.step is not None:
            self.ask(prefix=self.t("flow.continuing"))
            return
        self.start_flow("registration", intro="reg.intro")

    def start_flow(
        self, flow_id: str, intro: str | None = None, prefill: dict[str, Any] | None = None
    ) -> None:
        flow = self.engine.flows[flow_id]
        self.s.start(flow.id, flow.first.id)
        if prefill:
            self.s.answers.update(prefill)
            self.s.prefilled = sorted(prefill)
        if intro:
            self.say(intro)
        self.ask()

    def callback(self, data: str) -> None:
        self.pressed = data
        prefix, _, rest = data.partition(":")
        step = self.step
        if step is not None and step.callback and prefix == step.callback:
            # A button with a literal prefix (a flow pack's) answers the step that declares it.
            self.answer(Incoming(kind="callback", data=rest))
        elif prefix == "m":
            if rest == "continue":
                self.note_and_reask("flow.continuing")
            else:
                self.command(rest)
        elif prefix == "t":
            self.show_topic(rest)
        elif prefix == "q":
            self.question_action(rest)
        elif prefix == "l" and rest in LANGUAGES:
            self.s.lang, self.s.lang_chosen = rest, True
            self.note_and_reask("language.changed")
        elif prefix.isdigit() and int(prefix) == self.s.seq and self.step is not None:
            if rest == "@back":
                self.back()
            elif rest == "@cancel":
                self.command("cancel")
            else:
                self.answer(Incoming(kind="callback", data=rest))
        elif step is None and self.s.receipt and self.s.receipt.get("button") == data:
            # The button that just completed a submission, pressed again: same answer.
            self.replies.append(Reply(str(self.s.receipt.get("text", ""))))
        else:
            self.note_and_reask("err.input.stale_button")

    def back(self) -> None:
        flow = self.flow
        if flow is None:
            self.say("flow.nothing_to_cancel", self._menu_button())
            return
        while self.s.back:
            previous = self.s.back.pop()
            step = flow.step(previous)
            if KINDS[step.input]().skip(self.ctx, self.s) is None:
                self._move_to(previous)
                self.ask()
                return
        self.ask(prefix=self.t("flow.first_question"))

    def _move_to(self, step_id: str) -> None:
        self.s.step = step_id
        self.s.seq += 1
        self.s.page = 0

    # -- answering -----------------------------------------------------------------------

    def answer(self, incoming: Incoming) -> None:
        step = self.step
        assert step is not None
        try:
            parsed = KINDS[step.input]().read(self.ctx, step, self.s, incoming)
        except InputError as exc:
            self.error(exc)
            return
        if parsed.page is not None:
            self.s.page = parsed.page
            self.ask()
            return
        if parsed.choices is not None:
            self.replies.append(parsed.choices)
            return
        if parsed.ack is not None:
            self.replies.append(parsed.ack)
        self.accept(step, parsed)

    def accept(self, step: Step, parsed: Parsed) -> None:
        branch = parsed.branch
        if step.input == "summary":
            self.summary_action(str(parsed.value))
            return
        if step.input == "consent":
            if branch == "no":
                self.end_flow()
                self.say("consent.declined", self._menu_button())
                return
            parsed.value = self._consent_record()
        if step.input == "regency" and branch == "outside":
            if self.s.flow != "eligibility":
                self.end_flow()
                self.say("reg.outside", self._menu_button())
                return
            parsed.value, branch = None, None
        if step.input == "verdict":
            if branch == "register":
                prefill = checking.carried(self.s.answers)
                self.start_flow("registration", intro="reg.intro", prefill=prefill)
            else:
                self.start_flow("question")
            return
        if step.save and branch != "change":
            self.s.answers[step.save] = parsed.value
        self.s.answers.update(parsed.extra)
        if self.s.answers.get("gender"):
            self.s.gender = self.s.answers["gender"]
        answered = step.save is not None and self.s.answers.get(step.save) is not None
        for check in step.check if answered else ():
            if not self.run_check(check):
                return
        if step.query == "nik_status":
            self.query = Query("nik_status", {"nik": self.s.answers["nik"]})
            return
        if step.query == "ask_official":
            self.query = Query(
                "ask_official",
                {"text": self.s.answers["question"], "topic": None, "language": self.s.lang},
            )
            return
        if step.query == "correct":
            if branch == "no":
                self.end_flow()
                self.say("data.unchanged", self._menu_button())
            else:
                self.query = Query("correct", self._corrections())
            return
        if branch is None and isinstance(step.next, dict):
            branch = str(parsed.value)
        self.advance(step, branch)

    def _corrections(self) -> dict[str, Any]:
        changes = {
            k: v for k, v in self.s.answers.items() if k not in ("field", "district", "confirm")
        }
        if "occupation" in changes:
            changes.setdefault("occupation_other", None)
        if "heir_name" in changes:
            changes.setdefault("heir_relation", None)
        return changes

    def _consent_record(self) -> dict[str, str]:
        text = self.t("reg.consent", **self.ctx.consent_params(self.s))
        return {
            "version": self.ctx.consent_version,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "lang": self.s.lang,
            "purpose": "registration:" + (self._program_id() or "self"),
            "at": self.now.isoformat() if self.now else "",
        }

    def _program_id(self) -> str | None:
        program = self.ctx.program_of(self.s)
        return program[0] if program else None

    def run_check(self, check: str) -> bool:
        a = self.s.answers
        if check == "nik_agrees":
            try:
                nik = parse_nik(a["nik"], self.ctx.regions)
                check_agreement(nik, date.fromisoformat(a["birth_date"]), a["gender"])
            except InputError as exc:
                for key in ("nik", "birth_date", "gender"):
                    a.pop(key, None)
                self._move_to("nik")
                self.ask(prefix=self.t(f"err.{exc.code}"))
                return False
            return True
        if check == "age_limit":
            born = date.fromisoformat(a["birth_date"])
            today = self.ctx.today
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            if age >= self.ctx.max_age:
                self.end_flow()
                self.say("reg.too_old", self._menu_button(), age=age, limit=self.ctx.max_age)
                return False
            return True
        raise KeyError(check)

    def advance(self, step: Step, branch: str | None) -> None:
        flow = self.flow
        assert flow is not None
        target = self._next_of(flow, step, branch)
        self.s.back.append(step.id)
        derive = DERIVED.get(flow.id)
        if derive is not None:
            derive(self.ctx, self.s)
        while target is not None:
            if self.s.return_to and target == self.s.return_to:
                self.s.return_to = None
                target = "summary"
            candidate = flow.step(target)
            if not self._applies(candidate):
                if candidate.save:
                    self.s.answers.pop(candidate.save, None)
                target = self._next_of(flow, candidate, None)
                continue
            if candidate.save in self.s.prefilled and self.s.answers.get(candidate.save):
                if candidate.query == "nik_status":
                    # A NIK carried over is still checked against earlier registrations.
                    self._move_to(candidate.id)
                    self.query = Query("nik_status", {"nik": self.s.answers["nik"]})
                    return
                self.s.back.append(candidate.id)
                target = self._next_of(flow, candidate, "confirmed")
                continue
            if candidate.input == "end":
                self._move_to(candidate.id)
                if candidate.query == "submit":
                    self.query = Query("flow_submit", self._flow_submission())
                    return
                self.say(candidate.ask, **self._answer_params())
                self.end_flow()
                return
            if candidate.query == "quotas" and "_quota_left" not in self.s.answers:
                self._move_to(target)
                self.query = Query("quotas", {"regency": self.s.answers.get("regency")})
                return
            auto = KINDS[candidate.input]().skip(self.ctx, self.s)
            if auto is not None:
                if candidate.save:
                    self.s.answers[candidate.save] = auto.value
                self.s.back.append(candidate.id)
                target = self._next_of(flow, candidate, auto.branch)
                continue
            self._move_to(target)
            self.ask()
            return
        self.end_flow()
        self.menu()

    def _applies(self, step: Step) -> bool:
        return all(self.s.answers.get(k) == v for k, v in step.when.items())

    @staticmethod
    def _next_of(flow: Flow, step: Step, branch: str | None) -> str | None:
        if isinstance(step.next, dict) and branch in step.next:
            return step.next[branch]
        if isinstance(step.next, str):
            return step.next
        following = flow.following(step.id)
        return following.id if following else None

    def summary_action(self, action: str) -> None:
        flow = self.flow
        assert flow is not None
        if action == "send":
            self.query = Query("submit", self.submission())
            return
        if action == "edit":
            rows = tuple(
                (Button(self.t(target.label), f"{self.s.seq}:f:{target.field}"),)
                for target in flow.edit
            )
            self.say("reg.edit_which", rows)
            return
        target = flow.edit_target(action.removeprefix("f:"))
        if target is None:
            self.error(InputError("input.stale_button"))
            return
        self.s.return_to = target.until
        self.s.back.append("summary")
        start = flow.step(target.start)
        if KINDS[start.input]().skip(self.ctx, self.s) is not None:
            self.advance(start, None)
            return
        self._move_to(target.start)
        self.ask()

    def _flow_submission(self) -> dict[str, Any]:
        """What a flow pack's `submit` stores: its answers (internal `_` fields left out)."""
        flow = self.flow
        assert flow is not None
        answers = {k: v for k, v in self.s.answers.items() if not k.startswith("_")}
        return {"flow": flow.id, "key": self.s.key, "answers": answers, "button": self.pressed}

    def submission(self) -> dict[str, Any]:
        a = dict(self.s.answers)
        a["program"] = self._program_id()
        a["key"] = self.s.key
        a["language"] = self.s.lang
        return a

    # -- after the host answered ---------------------------------------------------------

    def resumed(self, query: Query, result: dict[str, Any] | None) -> None:
        if query.kind == "nik_status":
            if result:
                self.end_flow()
                self.say("reg.nik_exists", self._menu_button(), **self._status_params(result))
                return
            step = self.step
            assert step is not None
            self.advance(step, None)
        elif query.kind == "submit":
            assert result is not None
            if result.get("outcome") == "duplicate_nik":
                self.end_flow()
                self.say("reg.nik_exists", self._menu_button(), **self._status_params(result))
                return
            name = escape(str(self.s.answers.get("full_name", "")).split(" ")[0])
            self.say(
                "reg.sent", self._status_buttons(), first_name=name, reference=result["reference"]
            )
            self.end_flow()
        elif query.kind == "flow_submit":
            assert result is not None
            step = self.step
            assert step is not None
            params = {**self._answer_params(), "reference": escape(result["reference"])}
            text = self.t(step.ask, **params)
            self.replies.append(Reply(text))
            self.end_flow()
            button = str(query.params.get("button") or "")
            self.s.receipt = {"button": button, "text": text} if button else None
        elif query.kind == "quotas":
            self.s.answers["_quota_left"] = dict(result or {})
            checking.derive(self.ctx, self.s)
            self.ask()
        elif query.kind == "ask_official":
            assert result is not None
            self.end_flow()
            self.s.question = None
            self.say("faq.sent", self._menu_button(), reference=result["reference"])
        elif query.kind == "my_data":
            self.show_data(result)
        elif query.kind == "correct":
            assert result is not None
            key = "data.corrected_review" if result.get("back_to_review") else "data.corrected"
            self.end_flow()
            self.say(key, self._menu_button(), reference=result["reference"])
        elif query.kind == "erase":
            if not result:
                self.say("data.none", self._menu_button())
                return
            due = datetime.fromisoformat(str(result["due_at"]))
            self.s.end()
            self.say(
                "data.erase_requested", self._menu_button(), due=format_day(due.date(), self.s.lang)
            )
        elif query.kind == "link_official":
            name = escape(str((result or {}).get("name", "")))
            key = "official.linked" if result else "official.link_invalid"
            self.say(key, self._menu_button(), name=name)
        elif query.kind == "my_status":
            if not result:
                rows = ((Button(self.t("menu.register"), "m:register"),),)
                self.say("status.none", rows)
                return
            self.say(
                f"status.{result['status']}", self._menu_button(), **self._status_params(result)
            )

    # -- program information and questions ---------------------------------------------------

    def info_menu(self, key: str = "info.menu") -> None:
        rows: list[tuple[Button, ...]] = [
            (Button(t.title(self.s.lang), f"t:{t.id}"),) for t in load_topics()
        ]
        rows.append(
            (
                Button(self.t("info.button.ask"), "q:ask"),
                Button(self.t("info.button.talk"), "m:talk"),
            )
        )
        self.say(key, tuple(rows))

    def show_topic(self, topic_id: str) -> None:
        topic = next((t for t in load_topics() if t.id == topic_id), None)
        if topic is None:
            self.note_and_reask("err.input.stale_button")
            return
        self.replies.append(Reply(self._topic_text(topic), self._after_answer()))

    def _topic_text(self, topic: Topic) -> str:
        assert self.ctx.rules is not None
        params = {
            **topic_params(self.ctx.rules, self.ctx.program_set, self.s.lang),
            **self.ctx.address(self.s),
        }
        return topic_message(topic, self.ctx.catalog, self.s.lang, params)

    def _after_answer(self) -> tuple[tuple[Button, ...], ...]:
        return (
            (
                Button(self.t("info.button.topics"), "m:info"),
                Button(self.t("info.button.talk"), "q:send"),
            ),
            (Button(self.t("button.menu"), "m:menu"),),
        )

    def faq(self, text: str) -> None:
        """A free-text question outside any flow: answer it, offer a choice, or an official."""
        if not any(ch.isalpha() for ch in text):
            # A number (a NIK typed after cancelling, say) is no question: show the menu.
            self.say("menu.not_understood", self._menu_button())
            return
        self.s.question = text[:1000]
        if self.ctx.faq is None:
            self.say("menu.not_understood", self._menu_button())
            return
        found = self.ctx.faq.answer(text, self.s.lang)
        if found.kind == "confident" and found.topic is not None:
            body = self._topic_text(found.topic) + "\n\n" + self.t("faq.answer_footer")
            self.replies.append(Reply(body, self._after_answer()))
        elif found.kind == "unsure":
            choices = [(Button(t.title(self.s.lang), f"t:{t.id}"),) for t, _ in found.candidates]
            choices.append((Button(self.t("faq.button.none_of_these"), "q:send"),))
            self.say("faq.did_you_mean", tuple(choices))
        else:
            rows: list[tuple[Button, ...]] = [
                (Button(self.t("faq.button.send"), "q:send"),),
                (
                    Button(self.t("faq.button.rephrase"), "q:ask"),
                    Button(self.t("faq.button.no_thanks"), "m:menu"),
                ),
            ]
            self.say("faq.none", tuple(rows))

    def question_action(self, action: str) -> None:
        if action == "ask":
            self.say("faq.ask")
        elif action == "send" and self.s.question:
            self.query = Query(
                "ask_official", {"text": self.s.question, "topic": None, "language": self.s.lang}
            )
        else:
            self.start_flow("question")

    def show_data(self, result: dict[str, Any] | None) -> None:
        if not result:
            self.say("data.none", self._menu_button())
            return
        shown = Session(lang=self.s.lang, answers=dict(result), gender=self.s.gender)
        params = self.ctx.summary_params(shown)
        consent = result.get("consent_at")
        params["consent"] = (
            format_day(date.fromisoformat(str(consent)[:10]), self.s.lang) if consent else "-"
        )
        params["reference"] = result["reference"]
        params["created"] = format_day(
            date.fromisoformat(str(result["created_at"])[:10]), self.s.lang
        )
        if result.get("erasure_requested"):
            self.say("data.show", self._menu_button(), **params)
            self.say("data.erasure_pending", self._menu_button())
            return
        rows = (
            (
                Button(self.t("data.button.correct"), "m:correct"),
                Button(self.t("data.button.erase"), "m:erase"),
            ),
            (Button(self.t("button.menu"), "m:menu"),),
        )
        self.say("data.show", rows, **params)

    def _status_buttons(self) -> tuple[tuple[Button, ...], ...]:
        return (
            (Button(self.t("menu.status"), "m:status"), Button(self.t("button.menu"), "m:menu")),
        )

    def _status_params(self, result: dict[str, Any]) -> dict[str, Any]:
        created = result.get("created_at")
        return {
            "reference": result.get("reference", ""),
            "status_text": self.t(f"status.name.{result.get('status', 'pending')}"),
            "program": escape(result.get("program_name") or self.t("status.no_program")),
            "kpj": escape(result.get("kpj") or ""),
            "reason": escape(result.get("reason") or ""),
            "created": format_day(date.fromisoformat(str(created)[:10]), self.s.lang)
            if created
            else "",
        }
