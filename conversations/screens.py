"""The app's screens around the flows: the menu, program information and free-text questions,
a worker's status and data, languages, broadcasts on/off.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from conversations.effects import AskOfficial, DataRecord, RegistrationStatus
from conversations.messages import Button, Reply
from conversations.session import Session
from conversations.turn import Rows, TurnBase
from domain.faq import Topic, load_topics, topic_message, topic_params
from domain.i18n import LANGUAGES, escape, format_day


class Screens(TurnBase):
    """The screens half of a turn."""

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

    def cancel(self) -> None:
        flow = self.flow
        if flow is not None:
            self.end_with(flow.cancelled)
        else:
            self.say("flow.nothing_to_cancel", self.menu_button())

    def languages(self) -> None:
        rows = tuple((Button(self.t(f"language.{lang}"), f"l:{lang}"),) for lang in LANGUAGES)
        self.say("language.ask", rows)

    def choose_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            self.note_and_reask("err.input.stale_button")
            return
        self.s.lang, self.s.lang_chosen = lang, True
        self.note_and_reask("language.changed")

    def broadcasts(self, opted_out: bool) -> None:
        self.s.opted_out = opted_out
        self.say("broadcast.stopped" if opted_out else "broadcast.resumed", self.menu_button())

    def confirm_erase(self) -> None:
        confirm = (
            Button(self.t("data.button.erase_yes"), "m:erase_yes"),
            Button(self.t("data.button.erase_no"), "m:erase_no"),
        )
        self.say("data.erase_confirm", (confirm,))

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

    def _after_answer(self) -> Rows:
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
            self.say("menu.not_understood", self.menu_button())
            return
        self.s.question = text[:1000]
        if self.ctx.faq is None:
            self.say("menu.not_understood", self.menu_button())
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
            self.effect = AskOfficial(text=self.s.question, topic=None, language=self.s.lang)
        else:
            self.act("talk")

    # -- a worker's registration -------------------------------------------------------------

    def show_data(self, result: DataRecord | None) -> None:
        if result is None:
            self.say("data.none", self.menu_button())
            return
        answers = {k: getattr(result, k) for k in result.__dataclass_fields__}
        shown = Session(lang=self.s.lang, answers=answers, gender=self.s.gender)
        params = self.ctx.summary_params(shown)
        consent = result.consent_at
        params.update(
            consent=format_day(date.fromisoformat(consent[:10]), self.s.lang) if consent else "-",
            reference=result.reference,
            created=format_day(date.fromisoformat(result.created_at[:10]), self.s.lang),
        )
        if result.erasure_requested:
            self.say("data.show", self.menu_button(), **params)
            self.say("data.erasure_pending", self.menu_button())
            return
        rows = (
            (
                Button(self.t("data.button.correct"), "m:correct"),
                Button(self.t("data.button.erase"), "m:erase"),
            ),
            (Button(self.t("button.menu"), "m:menu"),),
        )
        self.say("data.show", rows, **params)

    def show_status(self, result: RegistrationStatus | None) -> None:
        if result is None:
            rows = ((Button(self.t("menu.register"), "m:register"),),)
            self.say("status.none", rows)
            return
        self.say(f"status.{result.status}", self.menu_button(), **self.status_params(result))

    def status_buttons(self) -> Rows:
        return (
            (Button(self.t("menu.status"), "m:status"), Button(self.t("button.menu"), "m:menu")),
        )

    def status_params(self, result: RegistrationStatus) -> dict[str, Any]:
        created = result.created_at
        return {
            "reference": result.reference,
            "status_text": self.t(f"status.name.{result.status}"),
            "program": escape(result.program_name or self.t("status.no_program")),
            "kpj": escape(result.kpj or ""),
            "reason": escape(result.reason or ""),
            "created": format_day(date.fromisoformat(str(created)[:10]), self.s.lang)
            if created
            else "",
        }
