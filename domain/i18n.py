"""Message catalogues (YAML per language) and Indonesian-style formatting of dates and money."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml
from babel.dates import format_date
from babel.numbers import format_decimal

from domain.errors import FlowDefinitionError

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


def _flatten(prefix: str, node: Any, out: dict[str, str], source: str) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out, source)
    elif isinstance(node, str):
        out[prefix] = node.rstrip("\n")
    else:
        raise FlowDefinitionError(f"{source}: {prefix}: a message must be text")


def flatten(node: Any, source: str) -> dict[str, str]:
    """Nested YAML texts as dotted keys: ``{"a": {"b": "x"}}`` -> ``{"a.b": "x"}``."""
    out: dict[str, str] = {}
    _flatten("", node, out, source)
    return out


class Catalog:
    """All texts the bot sends, by language and dotted key; `{name}` placeholders."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self._messages = messages

    @classmethod
    def from_texts(cls, texts: Mapping[str, str | list[str]]) -> Catalog:
        """Catalogue from YAML texts by language; several texts of one language are merged."""
        messages: dict[str, dict[str, str]] = {}
        for lang, parts in texts.items():
            flat: dict[str, str] = {}
            for index, text in enumerate([parts] if isinstance(parts, str) else parts):
                part: dict[str, str] = {}
                _flatten("", yaml.safe_load(text) or {}, part, f"locales/{lang} (part {index})")
                clash = set(part) & set(flat)
                if clash:
                    raise FlowDefinitionError(
                        f"locales/{lang}: key(s) defined twice: {sorted(clash)}"
                    )
                flat.update(part)
            messages[lang] = flat
        return cls(messages)

    @classmethod
    def load_shipped(cls) -> Catalog:
        return _shipped_catalog()

    def with_texts(self, extra: Mapping[str, Mapping[str, str]]) -> Catalog:
        """A catalogue with more texts by language (a flow pack's); a key may not be redefined."""
        messages = {lang: dict(table) for lang, table in self._messages.items()}
        for lang, table in extra.items():
            target = messages.setdefault(lang, {})
            clash = set(table) & set(target)
            if clash:
                raise FlowDefinitionError(f"locales/{lang}: key(s) defined twice: {sorted(clash)}")
            target.update(table)
        return Catalog(messages)

    def languages(self) -> tuple[str, ...]:
        return tuple(self._messages)

    def keys(self, lang: str) -> set[str]:
        return set(self._messages[lang])

    def has(self, key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
        return key in self._messages.get(lang, {})

    def text(self, lang: str, key: str, **params: Any) -> str:
        """The message `key` in `lang` (falling back to Indonesian), with params filled in."""
        table = self._messages.get(lang) or self._messages[DEFAULT_LANGUAGE]
        template = table.get(key)
        if template is None:
            template = self._messages[DEFAULT_LANGUAGE].get(key)
        if template is None:
            raise KeyError(key)
        return template.format_map(params) if params else template


@cache
def _shipped_catalog() -> Catalog:
    # Each language is `locales/<lang>.yaml` plus any `locales/<lang>.<topic>.yaml`.
    folder = resources.files("domain") / "locales"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".yaml"))
    return Catalog.from_texts(
        {
            lang: [
                (folder / name).read_text(encoding="utf-8")
                for name in names
                if name == f"{lang}.yaml" or name.startswith(f"{lang}.")
            ]
            for lang in LANGUAGES
        }
    )


def format_money(amount: int) -> str:
    """Rupiah the Indonesian way: ``Rp16.800``."""
    return "Rp" + format_decimal(amount, format="#,##0", locale="id_ID")


def format_day(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date like ``9 Desember 2025`` (or ``9 December 2025``)."""
    return format_date(day, format="d MMMM y", locale="id_ID" if lang == "id" else "en_GB")


def escape(value: object) -> str:
    """Escape a worker-supplied value for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=False)
