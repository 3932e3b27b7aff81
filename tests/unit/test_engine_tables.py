"""The engine's tables: commands, effects and what follows them, checks, builders, YAML hooks.

Each test drives the engine as a worker would (a command, a button, an answer) and states what
the worker sees, or what the host is asked to do.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime
from functools import cache
from typing import Any

import pytest

from conversations.builders import BUILDERS
from conversations.commands import ACTIONS, CALLBACKS, COMMANDS, FLOW_ACTIONS
from conversations.context import Context, ProgramSetChooser
from conversations.continuations import CONTINUATIONS
from conversations.effects import (
    EFFECTS,
    AskOfficial,
    Correct,
    DataRecord,
    Erase,
    LinkOfficial,
    MyData,
    MyStatus,
    NikStatus,
    Quotas,
    QuotasLeft,
    RegistrationStatus,
    Submit,
    Submitted,
    result_from,
)
from conversations.engine import Engine, Outcome, shipped_flows
from conversations.flow import parse_flow
from conversations.inputs.regions import OUTSIDE
from conversations.interpreter import KINDS
from conversations.messages import Incoming
from conversations.packs import RESERVED_CALLBACKS
from conversations.session import Session
from domain.errors import FlowDefinitionError
from domain.faq import FaqIndex
from domain.i18n import Catalog
from domain.programs import load_programs
from domain.regions import RegionDirectory
from domain.rules import load_rules
from handlers.effects import PERFORMERS
from handlers.queries import RegistrationQueries
from handlers.updates import Envelope

NOW = datetime(2026, 12, 1, 9, 30)
NIK = "3604011205800001"  # 12 May 1980, male


@cache
def engine() -> Engine:
    rules = load_rules()
    programs = load_programs()
    ctx = Context(
        catalog=Catalog.load_shipped(),
        regions=RegionDirectory.load_shipped(),
        programs=ProgramSetChooser(programs),
        max_age=rules.participant.age_limit.value,
        program_set=programs,
        rules=rules,
        faq=FaqIndex.shipped(),
    )
    return Engine(ctx)


def text(key: str, **params: Any) -> str:
    return engine().ctx.t(Session(), key, **params)


def at(flow: str, step: str, **answers: Any) -> Session:
    """A worker in the middle of `flow`, at `step`."""
    session = Session(lang="id")
    session.start(flow, step)
    session.answers.update(answers)
    return session


def press(session: Session, option: str) -> Outcome:
    return engine().handle(session, Incoming("callback", data=f"{session.seq}:{option}"), NOW)


# -- commands ----------------------------------------------------------------------------


@pytest.mark.parametrize("word", sorted(COMMANDS))
def test_every_command_word_of_the_table_reaches_its_screen(word: str) -> None:
    out = engine().handle(Session(), Incoming.command(word), NOW)
    unknown = text("err.input.unknown_command")
    assert out.replies or out.effect is not None
    assert all(unknown not in reply.text for reply in out.replies)


def test_every_action_a_command_names_has_a_handler() -> None:
    assert set(COMMANDS.values()) <= set(ACTIONS) | set(FLOW_ACTIONS)
    assert set(FLOW_ACTIONS).isdisjoint(ACTIONS)
    flows = shipped_flows()
    assert all(start.flow in flows for start in FLOW_ACTIONS.values())


def test_an_unknown_command_says_so_and_points_to_the_menu() -> None:
    out = engine().handle(Session(), Incoming.command("nonsense"), NOW)
    assert [r.text for r in out.replies] == [text("err.input.unknown_command")]


def test_register_again_in_the_middle_of_registration_goes_on_instead_of_restarting() -> None:
    session = at("registration", "phone", full_name="Ahmad Fauzi")
    out = engine().handle(session, Incoming.command("daftar"), NOW)
    assert out.session.step == "phone" and out.session.answers["full_name"] == "Ahmad Fauzi"
    assert out.replies[0].text.startswith(text("flow.continuing"))


def test_the_status_and_data_commands_ask_the_host() -> None:
    assert engine().handle(Session(), Incoming.command("status"), NOW).effect == MyStatus()
    erase = engine().handle(Session(), Incoming("callback", data="m:erase_yes"), NOW)
    assert erase.effect == Erase()


def test_flow_packs_may_not_take_the_apps_callback_prefixes() -> None:
    assert set(CALLBACKS) == set(RESERVED_CALLBACKS)


# -- effects and their results ---------------------------------------------------------------


def test_each_effect_has_its_own_kind_a_performer_and_a_continuation() -> None:
    # Importing handlers.queries (RegistrationQueries) registered the performers.
    kinds = [effect.kind for effect in EFFECTS]
    assert len(set(kinds)) == len(kinds)
    assert set(EFFECTS) == set(CONTINUATIONS) == set(PERFORMERS)


def test_an_effects_parameters_are_its_fields() -> None:
    effect = AskOfficial(text="Kapan kartu saya jadi?", topic=None, language="id")
    assert effect.kind == "ask_official"
    assert dataclasses.asdict(effect) == {
        "text": "Kapan kartu saya jadi?",
        "topic": None,
        "language": "id",
    }


def test_results_are_built_from_their_dict_form() -> None:
    status: dict[str, Any] = {
        "reference": "LND-AB12CD34",
        "status": "approved",
        "program": "kab-serang-2025",
        "program_name": "Kab. Serang 2025",
        "kpj": "12345678901",
        "reason": None,
        "created_at": "2026-11-02T08:00:00+00:00",
    }
    assert result_from(NikStatus, status) == RegistrationStatus(**status)
    assert result_from(NikStatus, None) is None
    submitted = result_from(Submit, {**status, "outcome": "duplicate_nik"})
    assert isinstance(submitted, Submitted) and submitted.outcome == "duplicate_nik"
    assert result_from(Correct, {"reference": "LND-1"}).back_to_review is False
    quotas = result_from(Quotas, {"kab-serang-2025:umum": 3})
    assert quotas == QuotasLeft({"kab-serang-2025:umum": 3})
    with pytest.raises(TypeError, match="unknown field"):
        result_from(NikStatus, {**status, "nik": NIK})


def sent_summary() -> Any:
    session = at("registration", "summary", **registration_answers())
    return press(session, "send").effect


def answered_last_question() -> Any:
    session = at("eligibility", "income", occupation="guru_ngaji", jobs="jobs_one")
    session.answers.update(regency="36.04", nik=NIK, birth_date="1980-05-12", gender="male")
    return press(session, "i:1500000").effect


def registration_answers() -> dict[str, Any]:
    return {
        "full_name": "Ahmad Fauzi",
        "nik": NIK,
        "birth_date": "1980-05-12",
        "gender": "male",
        "phone": "+6281234567890",
        "occupation": "guru_ngaji",
        "regency": "36.04",
        "district": "36.04.15",
        "region": "36.04.15.2001",
        "monthly_income": 1_500_000,
        "heir_name": None,
        "heir_relation": None,
        "consent": {"version": "2026-11", "sha256": "x", "lang": "id", "purpose": "p", "at": ""},
    }


def test_sending_the_summary_asks_the_host_to_store_the_registration() -> None:
    effect = sent_summary()
    assert effect.kind == "submit"
    assert effect.full_name == "Ahmad Fauzi" and effect.language == "id"
    assert effect.program is not None  # Kabupaten Serang funds religious teachers


def test_a_nik_registered_already_ends_the_registration_with_its_status() -> None:
    session = at("registration", "nik", full_name="Ahmad Fauzi")
    out = engine().handle(session, Incoming("text", text=NIK), NOW)
    assert out.effect == NikStatus(nik=NIK)
    found = RegistrationStatus(reference="LND-AB12CD34", status="pending")
    done = engine().resume(out.session, out.effect, found, NOW)
    assert done.session.flow is None
    assert "LND-AB12CD34" in done.replies[0].text


def test_the_data_screen_shows_the_stored_record() -> None:
    record = DataRecord(
        reference="LND-AB12CD34",
        status="approved",
        full_name="Ahmad Fauzi",
        nik_masked="3604••••••••0001",
        birth_date="1980-05-12",
        gender="male",
        phone="+6281234567890",
        occupation="guru_ngaji",
        region="36.04.15.2001",
        regency="36.04",
        monthly_income=1_500_000,
        created_at="2026-11-02T08:00:00+00:00",
    )
    asked = engine().handle(Session(), Incoming.command("data"), NOW)
    assert asked.effect == MyData()
    out = engine().resume(asked.session, asked.effect, record, NOW)
    assert "Ahmad Fauzi" in out.replies[0].text and "3604••••••••0001" in out.replies[0].text


# -- what the flows' YAML declares -------------------------------------------------------------


def test_a_declined_consent_ends_the_flow_with_the_decline_message() -> None:
    session = at("registration", "consent", **registration_answers())
    out = press(session, "no")
    assert [r.text for r in out.replies] == [text("consent.declined")]
    assert out.session.flow is None and out.session.answers == {}


def test_an_agreed_consent_is_saved_as_the_record_of_the_text_agreed_to() -> None:
    answers = registration_answers()
    del answers["consent"]
    out = press(at("registration", "consent", **answers), "yes")
    consent = out.session.answers["consent"]
    assert consent["at"] == NOW.isoformat() and consent["lang"] == "id"
    assert consent["purpose"].startswith("registration:")
    assert out.session.step == "summary"


def test_living_outside_the_served_regencies_ends_registration_but_not_the_check() -> None:
    ends = press(at("registration", "regency", full_name="Ahmad Fauzi"), "outside")
    assert ends.session.flow is None
    assert ends.replies[0].text == text("reg.outside")
    goes_on = press(
        at("eligibility", "regency", occupation="guru_ngaji", jobs="jobs_one"), "outside"
    )
    assert goes_on.session.flow == "eligibility" and goes_on.session.step == "birth"
    assert goes_on.session.answers["regency"] == OUTSIDE  # known to be elsewhere


def test_the_verdicts_register_button_starts_registration_with_the_answers_carried() -> None:
    session = at(
        "eligibility",
        "verdict",
        occupation="guru_ngaji",
        jobs="jobs_one",
        regency="36.04",
        nik=NIK,
        birth_date="1980-05-12",
        gender="male",
        _quota_left={},
    )
    out = press(session, "register")
    assert out.session.flow == "registration" and out.session.step == "full_name"
    assert out.replies[0].text == engine().ctx.t(out.session, "reg.intro")
    assert out.session.prefilled == ["birth_date", "gender", "nik", "occupation", "regency"]


def test_the_verdict_is_asked_once_the_places_left_are_known() -> None:
    effect = answered_last_question()
    assert effect.kind == "quotas" and effect.regency == "36.04"


def test_a_correction_sends_only_the_changed_fields_and_clears_what_they_replace() -> None:
    session = at("correction", "confirm", field="occupation", occupation="nelayan")
    assert press(session, "yes").effect == Correct(
        {"occupation": "nelayan", "occupation_other": None}
    )
    region = at(
        "correction",
        "confirm",
        field="region",
        regency="36.04",
        district="36.04.15",
        region="36.04.15.2001",
    )
    assert press(region, "yes").effect == Correct({"regency": "36.04", "region": "36.04.15.2001"})


def test_keeping_the_data_unchanged_ends_the_correction_without_asking_the_host() -> None:
    out = press(at("correction", "confirm", field="phone", phone="+6281234567890"), "no")
    assert out.effect is None and out.replies[0].text == text("data.unchanged")


def test_a_worker_at_the_age_limit_is_told_and_the_registration_ends() -> None:
    old_nik = "3604011205400003"  # 12 May 1940, male
    session = at(
        "registration", "gender", full_name="Ahmad Fauzi", nik=old_nik, birth_date="1940-05-12"
    )
    out = press(session, "male")
    assert out.session.flow is None and out.effect is None
    limit = engine().ctx.max_age
    assert out.replies[0].text == engine().ctx.t(out.session, "reg.too_old", age=86, limit=limit)


def test_a_gender_that_disagrees_with_the_nik_asks_for_the_nik_again() -> None:
    session = at(
        "registration", "gender", full_name="Ahmad Fauzi", nik=NIK, birth_date="1980-05-12"
    )
    out = press(session, "female")
    assert out.session.step == "nik"
    assert "nik" not in out.session.answers and "birth_date" not in out.session.answers


def test_a_flow_naming_an_unknown_effect_builder_is_refused_when_the_engine_starts() -> None:
    flow = parse_flow(
        {"id": "odd", "steps": [{"id": "a", "ask": "reg.nik", "input": "nik", "query": "nope"}]},
        "odd.yaml",
        frozenset(KINDS),
    )
    with pytest.raises(FlowDefinitionError, match="no effect builder `nope`"):
        Engine(engine().ctx, {**shipped_flows(), "odd": flow})


def test_a_flow_with_unknown_top_level_fields_is_refused() -> None:
    with pytest.raises(FlowDefinitionError, match="unknown field"):
        parse_flow({"id": "x", "steps": [], "derived": "eligibility"}, "x.yaml", frozenset(KINDS))


def test_every_query_the_shipped_flows_name_is_a_builder() -> None:
    names = {
        name
        for flow in shipped_flows().values()
        for step in flow.steps
        for name in (step.query, step.before)
        if name
    }
    assert names <= set(BUILDERS)


def test_a_consent_given_on_a_turn_without_a_time_is_recorded_untimed() -> None:
    answers = registration_answers()
    del answers["consent"]
    session = at("registration", "consent", **answers)
    out = engine().handle(
        session, Incoming("callback", data=f"{session.seq}:yes"), date(2026, 12, 1)
    )
    assert out.session.answers["consent"]["at"] == ""


def test_the_language_buttons_switch_the_language_and_a_stale_one_says_so() -> None:
    out = engine().handle(Session(), Incoming("callback", data="l:en"), NOW)
    assert out.session.lang == "en" and out.session.lang_chosen
    assert out.replies[0].text == engine().ctx.t(out.session, "language.changed")
    stale = engine().handle(Session(), Incoming("callback", data="l:xx"), NOW)
    assert stale.session.lang == "id"
    assert stale.replies[0].text == text("err.input.stale_button")


def test_an_effect_that_needs_a_chat_is_answered_none_without_one() -> None:
    queries = RegistrationQueries.__new__(RegistrationQueries)  # no database is reached
    channel = Envelope(update_id=1, chat_id=None, chat_type="channel", user_id=None, incoming=None)
    assert asyncio.run(queries(MyData(), channel)) is None
    assert asyncio.run(queries(LinkOfficial(code="link-abc"), channel)) is None
