"""Flow packs: a good file loads into a flow with namespaced texts; a wrong one is refused
with the file, the field and the problem."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from conversations.context import Context, NoPrograms
from conversations.effects import FlowReceipt, FlowSubmit
from conversations.engine import Engine, load_pack
from conversations.messages import Incoming
from conversations.session import Session
from domain.errors import FlowDefinitionError
from domain.i18n import Catalog
from domain.regions import RegionDirectory

BENCH_PACK = Path(__file__).resolve().parents[2] / "bench" / "peer_flow.yaml"

GOOD: dict[str, Any] = {
    "id": "short",
    "start": True,
    "nav": False,
    "texts": {
        "en": {
            "ask_name": "Your name?",
            "ask_code": "Thanks, {name}. Your code?",
            "bad_code": "Four digits, please.",
            "ask_colour": "Colour?",
            "colour": {"red": "Red", "blue": "Blue"},
            "done": "Done, {name}: {reference}.",
        },
        "id": {
            "ask_name": "Nama?",
            "ask_code": "Terima kasih, {name}. Kodenya?",
            "bad_code": "Empat angka.",
            "ask_colour": "Warna?",
            "colour": {"red": "Merah", "blue": "Biru"},
            "done": "Selesai, {name}: {reference}.",
        },
    },
    "steps": [
        {"id": "name", "ask": "ask_name", "input": "text", "save": "name"},
        {
            "id": "code",
            "ask": "ask_code",
            "input": "pattern",
            "pattern": r"\d{4}",
            "error": "bad_code",
            "save": "code",
        },
        {
            "id": "colour",
            "ask": "ask_colour",
            "input": "choice",
            "options": ["red", "blue"],
            "labels": "colour",
            "callback": "col",
            "save": "colour",
        },
        {"id": "submit", "ask": "done", "input": "end", "query": "submit"},
    ],
}


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def changed(**fields: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data.update(fields)
    return data


def with_step(index: int, **fields: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data["steps"][index].update(fields)
    return data


def without_step_field(index: int, field: str) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    del data["steps"][index][field]
    return data


def engine_for(path: Path) -> Engine:
    ctx = Context(
        catalog=Catalog.load_shipped(),
        regions=RegionDirectory.load_shipped(),
        programs=NoPrograms(),
        today=date(2026, 12, 1),
    )
    return Engine.with_pack(ctx, load_pack(path))


def test_the_benchmark_pack_loads() -> None:
    pack = load_pack(BENCH_PACK)
    assert pack.flow.id == "peer_registration"
    assert pack.start and not pack.flow.nav
    assert pack.languages == ("en",)
    assert [s.id for s in pack.flow.steps][:5] == [
        "full_name",
        "nik",
        "phone",
        "occupation",
        "confirm",
    ]
    # One language in the file: every language of the bot reads it.
    assert pack.texts["id"] == pack.texts["en"]
    assert pack.flow.step("nik").error == "pack.peer_registration.bad_nik"


def test_a_conversation_runs_on_the_pack_in_the_workers_language(tmp_path: Path) -> None:
    engine = engine_for(write(tmp_path, GOOD))
    s = Session(lang="id")
    out = engine.handle(s, Incoming.command("start"))
    assert [r.text for r in out.replies] == ["Nama?"]
    out = engine.handle(out.session, Incoming("text", text="  Sari  "))
    assert [r.text for r in out.replies] == ["Terima kasih, Sari. Kodenya?"]
    out = engine.handle(out.session, Incoming("text", text="12a4"))
    assert [r.text for r in out.replies] == ["Empat angka."]
    assert out.replies[0].buttons == ()
    out = engine.handle(out.session, Incoming("text", text="1234"))
    (reply,) = out.replies
    assert [[b.data for b in row] for row in reply.buttons] == [["col:red", "col:blue"]]
    out = engine.handle(out.session, Incoming("callback", data="col:blue"))
    assert out.replies == []
    assert isinstance(out.effect, FlowSubmit)
    assert out.effect.answers == {"name": "Sari", "code": "1234", "colour": "blue"}
    assert out.effect.flow == "short"
    done = engine.resume(out.session, out.effect, FlowReceipt(reference="REG-ABCD2345"))
    assert [r.text for r in done.replies] == ["Selesai, Sari: REG-ABCD2345."]
    assert done.session.flow is None
    again = engine.handle(done.session, Incoming("callback", data="col:blue"))
    assert [r.text for r in again.replies] == ["Selesai, Sari: REG-ABCD2345."]
    assert again.effect is None


def test_without_a_pack_start_shows_the_menu(tmp_path: Path) -> None:
    engine = engine_for(write(tmp_path, changed(start=False)))
    out = engine.handle(Session(), Incoming.command("start"))
    assert out.session.flow is None
    assert out.replies[0].buttons  # the menu


def test_names_with_html_are_escaped_in_texts(tmp_path: Path) -> None:
    engine = engine_for(write(tmp_path, GOOD))
    out = engine.handle(Session(lang="en"), Incoming.command("start"))
    out = engine.handle(out.session, Incoming("text", text="A <b> & C"))
    assert out.replies[0].text == "Thanks, A &lt;b&gt; &amp; C. Your code?"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("- not a mapping", "(file): must be a mapping"),
        (changed(colour="red"), "(file): unknown field(s) colour"),
        (changed(id="Short Flow"), "id: needs lowercase letters"),
        (changed(id="registration"), "id: `registration` is the id of a shipped flow"),
        (changed(start="yes please"), "start: must be true or false"),
        (changed(texts={}), "texts: needs the texts of at least one language"),
        (changed(texts={"fr": {"a": "b"}}), "texts.fr: the bot speaks id, en only"),
        (changed(steps=[]), "steps: needs at least one step"),
        (with_step(1, pattern="(unclosed"), "steps[1].pattern: not a regular expression"),
        (without_step_field(1, "pattern"), "steps[1].pattern: a `pattern` step needs"),
        (with_step(0, pattern=r"\d"), "steps[0].pattern: only a `pattern` step has one"),
        (with_step(1, error="nope"), "steps[1].error: no text `nope` in texts"),
        (with_step(0, ask="missing"), "steps[0].ask: no text `missing` in texts"),
        (with_step(2, options=["red", "green"]), "steps[2].labels: no text `colour.green`"),
        (with_step(2, options=["red", True]), "steps[2].options: True must be text"),
        (with_step(2, callback="m"), "steps[2].callback: `m` is used by the bot itself"),
        (with_step(2, callback="Col Our"), "steps[2].callback: needs lowercase letters"),
        (with_step(0, callback="x"), "steps[0].callback: only a `choice` step has buttons"),
        (with_step(2, callback="c" * 60), "exceeds 64 bytes"),
        (with_step(2, columns=0), "steps[2].columns: must be a whole number"),
        (with_step(1, input="summary"), "input `summary` is not a known kind"),
        (with_step(1, query="submit"), "steps[1].query: `submit` belongs to an `end` step"),
        (with_step(3, query="nik_status"), "steps[3].query: must be one of submit"),
        (with_step(1, check="age_limit"), "steps[1].check: checks belong to the shipped flows"),
        (with_step(1, next="nowhere"), "code.next: no step `nowhere`"),
        (with_step(0, input="end"), "steps[0]: the first step must be a question"),
        (with_step(0, speed=3), "steps[0]: unknown field(s) speed"),
    ],
)
def test_a_wrong_pack_is_refused_with_the_field_and_the_problem(
    tmp_path: Path, data: Any, message: str
) -> None:
    path = write(tmp_path, data)
    with pytest.raises(FlowDefinitionError) as raised:
        load_pack(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_texts_must_name_only_answers_and_have_the_same_keys(tmp_path: Path) -> None:
    data = copy.deepcopy(GOOD)
    data["texts"]["en"]["ask_code"] = "Thanks, {nmae}."
    with pytest.raises(FlowDefinitionError, match=r"texts.en.ask_code: \{nmae\} is no answer"):
        load_pack(write(tmp_path, data))
    data = copy.deepcopy(GOOD)
    del data["texts"]["id"]["done"]
    with pytest.raises(FlowDefinitionError, match=r"texts.id: must have the same keys.*done"):
        load_pack(write(tmp_path, data))


def test_unquoted_yes_and_no_are_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    text = BENCH_PACK.read_text(encoding="utf-8").replace('"yes": Confirm', "yes: Confirm")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FlowDefinitionError, match="in quotes"):
        load_pack(path)


def test_a_missing_or_broken_file_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(FlowDefinitionError, match="no such file"):
        load_pack(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nsteps: [\n", encoding="utf-8")
    with pytest.raises(FlowDefinitionError, match=r"broken.yaml: line \d+: not valid YAML"):
        load_pack(broken)
