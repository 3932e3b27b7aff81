"""Flow definitions: the steps of a conversation as data, checked when loaded."""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from domain.errors import FlowDefinitionError


@dataclass(frozen=True)
class Step:
    """One question of a flow."""

    id: str
    ask: str
    input: str
    save: str | None = None
    when: dict[str, Any] = field(default_factory=dict)
    next: str | dict[str, str] | None = None
    options: tuple[Any, ...] = ()
    labels: str | None = None
    # Checks (conversations.checks) run once the answer is saved.
    check: tuple[str, ...] = ()
    # Effect builders (conversations.builders) by name: `query` once the step is answered (an
    # `end` step: once reached), `before` before the step is asked.
    query: str | None = None
    before: str | None = None
    # Branches that end the flow with a message (`{no: consent.declined}`), and branches that
    # start another flow (`{register: registration}`, see the input kind's `on_answer`).
    ends: dict[str, str] = field(default_factory=dict)
    goto: dict[str, str] = field(default_factory=dict)
    # `pattern` input: the regular expression a whole answer must match, and characters
    # dropped from the answer before it is matched and saved (spaces in a phone number).
    pattern: str | None = None
    ignore: str = ""
    # Message key said instead of the input kind's own when an answer does not fit.
    error: str | None = None
    # Buttons carry `<callback>:<option>` instead of the engine's `<seq>:<option>`: a literal
    # prefix that is accepted whenever this step is the current one.
    callback: str | None = None
    # Buttons per row (the input kind's own layout when unset).
    columns: int | None = None


@dataclass(frozen=True)
class EditTarget:
    """A field the summary lets a worker change: which steps to run again."""

    field: str
    label: str
    start: str
    until: str


@dataclass(frozen=True)
class Changes:
    """What a flow's answers send as changes: answers left out, and answers cleared (set to
    None unless answered) when another one changes."""

    leave_out: tuple[str, ...] = ()
    resets: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Flow:
    """An ordered list of steps with branches."""

    id: str
    steps: tuple[Step, ...]
    edit: tuple[EditTarget, ...] = ()
    # Back/cancel buttons under every question.
    nav: bool = True
    # Texts may name earlier answers as `{field}` (a choice answer by its label).
    answer_params: bool = False
    # Said when the flow starts.
    intro: str | None = None
    # Said when the worker cancels it.
    cancelled: str = "flow.cancelled"
    # A deriver (conversations.derivers) recomputing answers the `when:` conditions read.
    derive: str | None = None
    # `edit:` of a summary: the question listing the fields, and the step the edited steps
    # return to once answered again.
    edit_ask: str | None = None
    edit_returns_to: str | None = None
    changes: Changes = field(default_factory=Changes)

    @property
    def first(self) -> Step:
        return self.steps[0]

    @functools.cached_property
    def _by_id(self) -> dict[str, Step]:
        return {step.id: step for step in self.steps}

    def step(self, step_id: str) -> Step:
        return self._by_id[step_id]

    def has(self, step_id: str) -> bool:
        return step_id in self._by_id

    def following(self, step_id: str) -> Step | None:
        """The step written after `step_id`, or None at the end."""
        ids = [step.id for step in self.steps]
        index = ids.index(step_id) + 1
        return self.steps[index] if index < len(ids) else None

    def edit_target(self, field_name: str) -> EditTarget | None:
        return next((t for t in self.edit if t.field == field_name), None)


_STEP_FIELDS = set(Step.__dataclass_fields__)
_FLOW_FIELDS = {"id", "steps", "edit", "intro", "cancelled", "derive", "changes"}
_EDIT_FIELDS = {"ask", "back_to", "fields"}


def parse_flow(data: Any, source: str, known_inputs: Collection[str]) -> Flow:
    """Build a Flow from YAML data; errors name the file, the field and the problem."""
    if not isinstance(data, dict) or "id" not in data or "steps" not in data:
        raise FlowDefinitionError(f"{source}: needs `id` and `steps`")
    unknown_keys = set(data) - _FLOW_FIELDS
    if unknown_keys:
        raise FlowDefinitionError(f"{source}: unknown field(s) {', '.join(sorted(unknown_keys))}")
    steps = [
        _parse_step(raw, f"{source}: steps[{index}]", known_inputs)
        for index, raw in enumerate(data["steps"])
    ]
    ids = [s.id for s in steps]
    _check_targets(steps, ids, source)
    edit = data.get("edit") or {}
    edits = _parse_edit(edit, ids, source)
    raw_changes = data.get("changes") or {}
    changes = Changes(
        leave_out=tuple(raw_changes.get("leave_out", ())),
        resets={k: tuple(v) for k, v in (raw_changes.get("resets") or {}).items()},
    )
    return Flow(
        id=str(data["id"]),
        steps=tuple(steps),
        edit=tuple(edits),
        intro=data.get("intro"),
        cancelled=data.get("cancelled", "flow.cancelled"),
        derive=data.get("derive"),
        edit_ask=edit.get("ask"),
        edit_returns_to=edit.get("back_to"),
        changes=changes,
    )


def _parse_step(raw: Any, where: str, known_inputs: Collection[str]) -> Step:
    """One entry of `steps:`; `where` names it (`<file>: steps[<index>]`)."""
    if not isinstance(raw, dict):
        raise FlowDefinitionError(f"{where}: must be a mapping")
    unknown = set(raw) - _STEP_FIELDS
    if unknown:
        raise FlowDefinitionError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in ("id", "ask", "input"):
        if required not in raw:
            raise FlowDefinitionError(f"{where}: `{required}` is missing")
    if raw["input"] not in known_inputs:
        raise FlowDefinitionError(f"{where}: input `{raw['input']}` is not a known kind")
    for name in ("ends", "goto"):
        value = raw.get(name, {})
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise FlowDefinitionError(f"{where}.{name}: maps answers (in quotes) to names")
    check = raw.get("check", ())
    checks = (check,) if isinstance(check, str) else tuple(check)
    return Step(**{**raw, "options": tuple(raw.get("options", ())), "check": checks})


def _check_targets(steps: list[Step], ids: list[str], source: str) -> None:
    """Step ids are unique, and every `next:` names one of them."""
    if len(ids) != len(set(ids)):
        raise FlowDefinitionError(f"{source}: steps: step ids must be unique")
    for step in steps:
        targets = step.next.values() if isinstance(step.next, dict) else [step.next]
        for target in targets:
            if target is not None and target not in ids:
                raise FlowDefinitionError(f"{source}: {step.id}.next: no step `{target}`")


def _parse_edit(edit: Any, ids: list[str], source: str) -> list[EditTarget]:
    """The fields of `edit:` a summary lets a worker change, checked against the step ids."""
    if not isinstance(edit, dict) or set(edit) - _EDIT_FIELDS:
        raise FlowDefinitionError(f"{source}: edit: needs `ask`, `back_to` and `fields`")
    edits: list[EditTarget] = []
    for raw in edit.get("fields", []):
        editable = EditTarget(raw["field"], raw["label"], raw["from"], raw["until"])
        if editable.start not in ids or editable.until not in ids:
            raise FlowDefinitionError(f"{source}: edit {editable.field}: unknown step")
        edits.append(editable)
    if edits and (edit.get("back_to") not in ids or not edit.get("ask")):
        raise FlowDefinitionError(f"{source}: edit: needs `ask` and the step `back_to`")
    return edits


@cache
def load_shipped_flows(known_inputs: frozenset[str]) -> dict[str, Flow]:
    """Every flow in `conversations/flows/`, by id."""
    flows: dict[str, Flow] = {}
    for entry in (resources.files("conversations") / "flows").iterdir():
        if entry.name.endswith(".yaml"):
            flow = parse_flow(yaml.safe_load(entry.read_text("utf-8")), entry.name, known_inputs)
            flows[flow.id] = flow
    return flows
