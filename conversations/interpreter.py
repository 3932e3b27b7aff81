"""The flow interpreter: asks a flow's steps, reads and checks answers, advances, goes back,
edits from a summary. It is generic over flows: what a flow does besides asking is data in
its YAML (`ends`, `goto`, `query`, `before`, `check`, `derive`, `edit`) and hooks of the
input kinds (`on_answer`, `skip`).
"""

from __future__ import annotations

from typing import Any

from conversations import checking
from conversations.builders import BUILDERS
from conversations.checks import CHECKS
from conversations.flow import Flow, Step
from conversations.inputs import INPUTS, Enter, InputKind, Parsed, Prompt, Review
from conversations.messages import Button, Incoming, Reply
from conversations.turn import Rows, TurnBase
from domain.errors import InputError

# Every input kind a step may name, by name.
KINDS: dict[str, InputKind] = {**INPUTS, **checking.INPUTS}
# The branch a prefilled answer takes (as if the worker confirmed it).
PREFILLED = "confirmed"


class Interpreter(TurnBase):
    """The flow half of a turn."""

    # -- asking --------------------------------------------------------------------------

    def _rows(self, step: Step, prompt: Prompt) -> Rows:
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
        return KINDS[step.input].prompt(self.ctx, step, self.s)

    def ask(self, prefix: str | None = None) -> None:
        """Send the current step's question (optionally after a one-line note)."""
        step = self.step
        if step is None:
            self.menu()
            return
        prompt = self._prompt(step)
        params = {**self.answer_params(), **self.s.answers.get("_params", {}), **prompt.params}
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
            text = self.t(step.error, **{**self.answer_params(), **exc.params})
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

    def answer_params(self) -> dict[str, Any]:
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
            else:
                params[step.save] = KINDS[step.input].shown(self.ctx, step, self.s, value)
        return params

    # -- moving ----------------------------------------------------------------------------

    def start_flow(self, flow_id: str, prefill: dict[str, Any] | None = None) -> None:
        flow = self.engine.flows[flow_id]
        self.s.start(flow.id, flow.first.id)
        if prefill:
            self.s.answers.update(prefill)
            self.s.prefilled = sorted(prefill)
        if flow.intro:
            self.say(flow.intro)
        self.ask()

    def move_to(self, step_id: str) -> None:
        self.s.step = step_id
        self.s.seq += 1
        self.s.page = 0

    def back(self) -> None:
        flow = self.flow
        if flow is None:
            self.say("flow.nothing_to_cancel", self.menu_button())
            return
        while self.s.back:
            previous = self.s.back.pop()
            step = flow.step(previous)
            if KINDS[step.input].skip(self.ctx, self.s) is None:
                self.move_to(previous)
                self.ask()
                return
        self.ask(prefix=self.t("flow.first_question"))

    def build(self, name: str) -> bool:
        """Set the effect the builder `name` makes; False when there is nothing to ask."""
        flow = self.flow
        assert flow is not None
        self.effect = BUILDERS[name](self.ctx, self.s, flow, self.pressed)
        return self.effect is not None

    # -- answering -----------------------------------------------------------------------

    def answer(self, incoming: Incoming) -> None:
        step = self.step
        assert step is not None
        try:
            parsed = KINDS[step.input].read(self.ctx, step, self.s, incoming)
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
        if parsed.branch in step.ends:
            self.end_with(step.ends[str(parsed.branch)])
            return
        then = KINDS[step.input].on_answer(self.ctx, step, self.s, parsed)
        if isinstance(then, Review):
            self.review(step, then)
            return
        if isinstance(then, Enter):
            self.start_flow(then.flow, prefill=then.prefill)
            return
        parsed = then
        branch = parsed.branch
        if step.save and parsed.save:
            self.s.answers[step.save] = parsed.value
        self.s.answers.update(parsed.extra)
        if self.s.answers.get("gender"):
            # How the worker is addressed outlives the flow (see Context.address).
            self.s.gender = self.s.answers["gender"]
        answered = step.save is not None and self.s.answers.get(step.save) is not None
        if answered and not self._checks_pass(step):
            return
        if step.query is not None and self.build(step.query):
            return
        if branch is None and isinstance(step.next, dict):
            branch = str(parsed.value)
        self.advance(step, branch)

    def _checks_pass(self, step: Step) -> bool:
        """Run the step's checks; the first that fails says so and moves the flow."""
        for name in step.check:
            failed = CHECKS[name](self.ctx, self.s)
            if failed is None:
                continue
            if failed.again is None:
                self.end_with(failed.note, **failed.params)
                return False
            for key in failed.clear:
                self.s.answers.pop(key, None)
            self.move_to(failed.again)
            self.ask(prefix=self.t(failed.note, **failed.params))
            return False
        return True

    def derive(self) -> None:
        """Recompute the answers the flow's conditions read (its `derive:`)."""
        flow = self.flow
        if flow is not None and flow.derive is not None:
            checking.DERIVERS[flow.derive](self.ctx, self.s)

    def advance(self, step: Step, branch: str | None) -> None:
        flow = self.flow
        assert flow is not None
        target = _next_of(flow, step, branch)
        self.s.back.append(step.id)
        self.derive()
        while target is not None:
            candidate = flow.step(self._returning(flow, target))
            if not self._applies(candidate):
                if candidate.save:
                    self.s.answers.pop(candidate.save, None)
                target = _next_of(flow, candidate, None)
                continue
            if candidate.save in self.s.prefilled and self.s.answers.get(candidate.save):
                # An answer carried over still goes through its step's effect.
                if self._waits_for(candidate, candidate.query):
                    return
                self.s.back.append(candidate.id)
                target = _next_of(flow, candidate, PREFILLED)
                continue
            if KINDS[candidate.input].final:
                self._finish_at(candidate)
                return
            if self._waits_for(candidate, candidate.before):
                return
            auto = KINDS[candidate.input].skip(self.ctx, self.s)
            if auto is not None:
                if candidate.save:
                    self.s.answers[candidate.save] = auto.value
                self.s.back.append(candidate.id)
                target = _next_of(flow, candidate, auto.branch)
                continue
            self.move_to(candidate.id)
            self.ask()
            return
        self.end_flow()
        self.menu()

    def _returning(self, flow: Flow, target: str) -> str:
        """The step `target` names, unless it ends an edit from the summary: then the step
        the edited steps return to."""
        if self.s.return_to and target == self.s.return_to and flow.edit_returns_to:
            self.s.return_to = None
            return self._first_stale(flow) or flow.edit_returns_to
        return target

    def _first_stale(self, flow: Flow) -> str | None:
        """The first step whose saved answer no longer holds after the edit (its answer is
        dropped, so that it is asked again), or None."""
        for step in flow.steps:
            if step.save is None or self.s.answers.get(step.save) is None:
                continue
            value = self.s.answers[step.save]
            if not KINDS[step.input].still_holds(self.ctx, step, self.s, value):
                del self.s.answers[step.save]
                return step.id
        return None

    def _waits_for(self, step: Step, builder: str | None) -> bool:
        """Build the effect `builder` (if any) at `step`; True when it has something to ask,
        and the flow waits at `step` for its result."""
        if builder is None or not self.build(builder):
            return False
        self.move_to(step.id)
        return True

    def _finish_at(self, step: Step) -> None:
        """Reach a final step: its effect (`query`) if it has one, else say its text and end."""
        self.move_to(step.id)
        if step.query is not None and self.build(step.query):
            return
        self.say(step.ask, **self.answer_params())
        self.end_flow()

    def _applies(self, step: Step) -> bool:
        return all(self.s.answers.get(k) == v for k, v in step.when.items())

    # -- a summary -----------------------------------------------------------------------

    def review(self, step: Step, review: Review) -> None:
        """A summary's button: send (the step's `query`), pick a field, or change one."""
        flow = self.flow
        assert flow is not None
        if review.send:
            if step.query is not None:
                self.build(step.query)
            return
        if review.field is None and flow.edit_ask:
            rows = tuple(
                (Button(self.t(target.label), f"{self.s.seq}:f:{target.field}"),)
                for target in flow.edit
            )
            self.say(flow.edit_ask, rows)
            return
        target = flow.edit_target(review.field or "")
        if target is None:
            self.error(InputError("input.stale_button"))
            return
        self.s.return_to = target.until
        self.s.back.append(step.id)
        start = flow.step(target.start)
        if KINDS[start.input].skip(self.ctx, self.s) is not None:
            self.advance(start, None)
            return
        self.move_to(target.start)
        self.ask()


def _next_of(flow: Flow, step: Step, branch: str | None) -> str | None:
    if isinstance(step.next, dict) and branch in step.next:
        return step.next[branch]
    if isinstance(step.next, str):
        return step.next
    following = flow.following(step.id)
    return following.id if following else None
