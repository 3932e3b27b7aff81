"""Flow packs: one extra flow with its own texts, from a YAML file (`LINDUNGI_FLOW`).

A pack describes a whole conversation as data, for a deployment that needs a flow the product
does not ship::

    id: short_registration
    start: true          # /start enters this flow (instead of the menu)
    nav: false           # no back/cancel buttons under the questions
    texts:
      en:
        ask_name: Please send your full name.
        ask_nik: Thanks, {full_name}. Now send your NIK.
        bad_nik: A NIK has exactly 16 digits.
        done: Registration complete. Your reference number is {reference}.
    steps:
      - {id: full_name, ask: ask_name, input: text, save: full_name}
      - {id: nik, ask: ask_nik, input: pattern, pattern: '\\d{16}', error: bad_nik, save: nik}
      - {id: submit, ask: done, input: end, query: submit}

Texts are by language (`id`, `en`); a worker whose language the pack lacks reads the first one.
Texts may name answers as ``{field}`` (a choice answer by its label) and the submitting step
``{reference}``. Steps use the generic input kinds below; `callback: occ` gives a step's
buttons the literal data ``occ:<option>``. An `end` step says its text and ends the flow;
with `query: submit` the answers are stored first and the text gets the reference.

Problems are reported as ``<file>: <field>: <problem>`` when the pack is loaded.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from conversations.commands import CALLBACKS
from conversations.flow import Flow, Step, parse_flow
from domain.errors import FlowDefinitionError
from domain.i18n import LANGUAGES, flatten

__all__ = ["PACK_INPUTS", "FlowPack", "load_flow_pack", "parse_flow_pack"]

# Input kinds that need nothing but the step itself (no registration-specific context).
PACK_INPUTS = frozenset({"text", "pattern", "choice", "end", "name", "short_text", "date", "nik"})
PACK_QUERIES = frozenset({"submit"})
# Callback prefixes the engine itself uses (menu, topics, questions, languages).
RESERVED_CALLBACKS = frozenset(CALLBACKS)
MAX_CALLBACK_BYTES = 64

_FIELDS = {"id", "start", "nav", "texts", "steps"}
_SLUG = re.compile(r"[a-z][a-z0-9_]*")
_ADDRESS = {"sapaan", "sapa"}

# Makes the error for a field (`steps[2].ask`) and its problem; the caller raises it.
_Fail = Callable[[str, str], FlowDefinitionError]


@dataclass(frozen=True)
class FlowPack:
    """A loaded pack: its flow (text keys namespaced), its texts for every language."""

    flow: Flow
    texts: dict[str, dict[str, str]]
    start: bool = False
    # The languages the file has texts in (the others read the first of them).
    languages: tuple[str, ...] = ()


def load_flow_pack(path: Path, known_flows: Collection[str] = ()) -> FlowPack:
    """Read and check a pack file; `known_flows` are ids it may not reuse."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FlowDefinitionError(f"{path}: (file): no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowDefinitionError(f"{path}: (file): cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise FlowDefinitionError(f"{path}: {where}: not valid YAML") from None
    return parse_flow_pack(data, str(path), known_flows)


def parse_flow_pack(data: Any, source: str, known_flows: Collection[str] = ()) -> FlowPack:
    """Build a FlowPack from YAML data; errors name the file, the field and the problem."""

    def fail(where: str, problem: str) -> FlowDefinitionError:
        return FlowDefinitionError(f"{source}: {where}: {problem}")

    flow_id = _check_file(data, known_flows, fail)
    texts = _texts(data.get("texts"), fail)
    for index, raw in enumerate(data["steps"]):
        _check_types(raw, f"steps[{index}]", fail)
    flow = parse_flow({"id": flow_id, "steps": data["steps"]}, source, PACK_INPUTS)
    if flow.first.input == "end":
        raise fail("steps[0]", "the first step must be a question, not an `end` step")
    keys = next(iter(texts.values()))
    for index, step in enumerate(flow.steps):
        for check in _STEP_CHECKS:
            check(step, f"steps[{index}]", keys, fail)
    _check_placeholders(texts, {step.save for step in flow.steps if step.save}, fail)

    prefix = f"pack.{flow_id}."
    steps = tuple(_namespaced(step, prefix) for step in flow.steps)
    namespaced = {
        lang: {prefix + key: text for key, text in table.items()} for lang, table in texts.items()
    }
    first = next(iter(namespaced.values()))
    every = {lang: namespaced.get(lang, first) for lang in LANGUAGES}
    pack_flow = Flow(id=flow_id, steps=steps, nav=bool(data.get("nav", True)), answer_params=True)
    start = bool(data.get("start", False))
    return FlowPack(pack_flow, every, start=start, languages=tuple(texts))


def _check_file(data: Any, known_flows: Collection[str], fail: _Fail) -> str:
    """The file's own fields (all but the texts and the steps' contents); its flow id."""
    if not isinstance(data, dict):
        raise fail("(file)", "must be a mapping with `id`, `texts` and `steps`")
    unknown = set(data) - _FIELDS
    if unknown:
        raise fail("(file)", f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    flow_id = data.get("id")
    if not isinstance(flow_id, str) or not _SLUG.fullmatch(flow_id):
        raise fail("id", "needs lowercase letters, digits or `_`, starting with a letter")
    if flow_id in known_flows:
        raise fail("id", f"`{flow_id}` is the id of a shipped flow")
    for flag in ("start", "nav"):
        if flag in data and not isinstance(data[flag], bool):
            raise fail(flag, "must be true or false")
    if not isinstance(data.get("steps"), list) or not data["steps"]:
        raise fail("steps", "needs at least one step")
    return flow_id


def _check_placeholders(texts: dict[str, dict[str, str]], saves: set[str], fail: _Fail) -> None:
    """Every `{name}` in a text is an answer of the flow, the reference or the address."""
    for lang, table in texts.items():
        for key, text in table.items():
            for name in _placeholders(text, f"texts.{lang}.{key}", fail):
                if name not in saves and name != "reference" and name not in _ADDRESS:
                    raise fail(f"texts.{lang}.{key}", f"{{{name}}} is no answer of this flow")


def _texts(raw: Any, fail: _Fail) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict) or not raw:
        raise fail("texts", f"needs the texts of at least one language ({', '.join(LANGUAGES)})")
    texts: dict[str, dict[str, str]] = {}
    for lang, node in raw.items():
        if lang not in LANGUAGES:
            raise fail(f"texts.{lang}", f"the bot speaks {', '.join(LANGUAGES)} only")
        if not isinstance(node, dict):
            raise fail(f"texts.{lang}", "must map text keys to texts")
        if _has_bool_key(node):
            raise fail(f"texts.{lang}", "write the keys yes/no/on/off in quotes")
        try:
            texts[lang] = flatten(node, "")
        except FlowDefinitionError as exc:
            raise fail(f"texts.{lang}", str(exc).removeprefix(": ")) from None
    first_lang, first = next(iter(texts.items()))
    for lang, table in texts.items():
        missing = sorted(set(first) ^ set(table))
        if missing:
            raise fail(f"texts.{lang}", f"must have the same keys as texts.{first_lang}: {missing}")
    return texts


_TEXT_FIELDS = ("id", "ask", "input", "save", "labels", "query", "pattern", "error", "callback")


def _check_types(raw: Any, where: str, fail: _Fail) -> None:
    """Types the step fields need, before `parse_flow` builds the steps."""
    if not isinstance(raw, dict):
        return  # parse_flow says so
    for field in _TEXT_FIELDS:
        if field in raw and not isinstance(raw[field], str):
            raise fail(f"{where}.{field}", "must be text")
    options = raw.get("options", [])
    if not isinstance(options, list):
        raise fail(f"{where}.options", "must be a list")
    for option in options:
        if isinstance(option, bool) or not isinstance(option, str | int):
            raise fail(
                f"{where}.options",
                f"{option!r} must be text or a number (write yes/no/on/off in quotes)",
            )
    for field in ("when", "next"):
        value = raw.get(field)
        if isinstance(value, dict) and any(isinstance(k, bool) for k in value):
            raise fail(f"{where}.{field}", "write yes/no/on/off in quotes")


def _has_bool_key(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    return any(isinstance(k, bool) or _has_bool_key(v) for k, v in node.items())


def _need_text(keys: dict[str, str], key: str | None, where: str, fail: _Fail) -> None:
    if key is not None and key not in keys:
        raise fail(where, f"no text `{key}` in texts")


def _check_texts(step: Step, where: str, keys: dict[str, str], fail: _Fail) -> None:
    _need_text(keys, step.ask, f"{where}.ask", fail)
    _need_text(keys, step.error, f"{where}.error", fail)


def _check_shipped_only(step: Step, where: str, keys: dict[str, str], fail: _Fail) -> None:
    """Fields naming the product's own checks and effects, which a pack cannot have."""
    if step.check:
        raise fail(f"{where}.check", "checks belong to the shipped flows")
    for name, value in (("before", step.before), ("ends", step.ends), ("goto", step.goto)):
        if value:
            raise fail(f"{where}.{name}", f"`{name}` belongs to the shipped flows")


def _check_query(step: Step, where: str, keys: dict[str, str], fail: _Fail) -> None:
    if step.query is None:
        return
    if step.query not in PACK_QUERIES:
        raise fail(f"{where}.query", f"must be one of {', '.join(sorted(PACK_QUERIES))}")
    if step.input != "end":
        raise fail(f"{where}.query", "`submit` belongs to an `end` step")


def _check_pattern(step: Step, where: str, keys: dict[str, str], fail: _Fail) -> None:
    if step.input != "pattern":
        if step.pattern is not None:
            raise fail(f"{where}.pattern", "only a `pattern` step has one")
        return
    if not isinstance(step.pattern, str) or not step.pattern:
        raise fail(f"{where}.pattern", "a `pattern` step needs a regular expression")
    try:
        re.compile(step.pattern)
    except re.error as exc:
        raise fail(f"{where}.pattern", f"not a regular expression ({exc})") from None


def _check_layout(step: Step, where: str, keys: dict[str, str], fail: _Fail) -> None:
    """`ignore` and `columns`, which YAML may give any type."""
    if not isinstance(step.ignore, str):
        raise fail(f"{where}.ignore", "must be the characters to drop, as text")
    if step.columns is not None and (
        not isinstance(step.columns, int) or isinstance(step.columns, bool) or step.columns < 1
    ):
        raise fail(f"{where}.columns", "must be a whole number of at least 1")


def _check_choice(step: Step, where: str, keys: dict[str, str], fail: _Fail) -> None:
    if step.input != "choice":
        return
    if not step.options or not step.labels:
        raise fail(where, "a `choice` step needs `options` and `labels`")
    for option in step.options:
        _need_text(keys, f"{step.labels}.{option}", f"{where}.labels", fail)


def _check_callback(step: Step, where: str, keys: dict[str, str], fail: _Fail) -> None:
    if step.callback is None:
        return
    if not isinstance(step.callback, str) or not _SLUG.fullmatch(step.callback):
        raise fail(f"{where}.callback", "needs lowercase letters, digits or `_`")
    if step.callback in RESERVED_CALLBACKS:
        raise fail(f"{where}.callback", f"`{step.callback}` is used by the bot itself")
    if step.input != "choice":
        raise fail(f"{where}.callback", "only a `choice` step has buttons")
    for option in step.options:
        if len(f"{step.callback}:{option}".encode()) > MAX_CALLBACK_BYTES:
            raise fail(f"{where}.callback", f"`{step.callback}:{option}` exceeds 64 bytes")


# The checks of a pack's step, in the order their problems are reported.
_STEP_CHECKS: tuple[Callable[[Step, str, dict[str, str], _Fail], None], ...] = (
    _check_texts,
    _check_shipped_only,
    _check_query,
    _check_pattern,
    _check_layout,
    _check_choice,
    _check_callback,
)


def _placeholders(text: str, where: str, fail: _Fail) -> set[str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise fail(where, f"braces do not pair up ({exc})") from None
    for name in names:
        if not name.isidentifier():
            raise fail(where, f"{{{name}}} must be a plain answer name")
    return names


def _namespaced(step: Step, prefix: str) -> Step:
    return replace(
        step,
        ask=prefix + step.ask,
        error=prefix + step.error if step.error else None,
        labels=prefix + step.labels if step.labels else None,
    )
