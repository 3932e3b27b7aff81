"""Telegram message formatting: parse HTML / MarkdownV2 / Markdown like the Bot API does.

Returns the rendered text and its entities (UTF-16 offsets), or raises ``EntityParseError``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["EntityParseError", "render", "utf16_len"]

_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
}
_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
}
_MD_TYPES = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


class EntityParseError(ValueError):
    """The text could not be parsed with the requested ``parse_mode``."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def render(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``text`` with ``parse_mode`` (case-insensitive); return (plain text, entities)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown(text, v2=True)
    if mode == "markdown":
        return _render_markdown(text, v2=False)
    raise ValueError("unsupported parse_mode")


class _Builder:
    """Accumulates rendered text and tracks the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, chunk: str) -> None:
        if chunk:
            self.parts.append(chunk)
            self.pos += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"offset": start, "length": self.pos - start, "type": kind, **extra}
            )

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def _unescape_html(chunk: str) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name[0] != "#":
            return _NAMED_ENTITIES[name]
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if 0 < code <= 0x10FFFF else match.group(0)

    return _HTML_ENTITY_RE.sub(repl, chunk)


def _render_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[tuple[str, dict[str, str], int]] = []
    i = 0
    while True:
        lt = text.find("<", i)
        out.add(_unescape_html(text[i:] if lt < 0 else text[i:lt]))
        if lt < 0:
            break
        match = _TAG_RE.match(text, lt)
        offset = _byte_offset(text, lt)
        if match is None:
            nxt = text[lt + 1 : lt + 2]
            if nxt.isalpha() or nxt == "/":
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            raise EntityParseError(f"Unexpected end of name token at byte offset {offset}")
        closing, name, raw_attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
        if closing:
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
            top, attrs, start = stack.pop()
            if top != name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{top}>", '
                    f'found "</{name}>"'
                )
            _close_html(out, top, attrs, start, stack)
        else:
            if name not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
            attrs = {
                key.lower(): _unescape_html(value.strip("\"'"))
                for key, value in _ATTR_RE.findall(raw_attrs)
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
                )
            stack.append((name, attrs, out.pos))
        i = match.end()
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html(
    out: _Builder,
    name: str,
    attrs: dict[str, str],
    start: int,
    stack: list[tuple[str, dict[str, str], int]],
) -> None:
    kind = _HTML_TAGS[name]
    if kind == "text_link":
        if "href" in attrs:
            out.entity("text_link", start, url=attrs["href"])
    elif kind == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][1]["language"] = language.removeprefix("language-")
    elif kind == "pre" and attrs.get("language"):
        out.entity("pre", start, language=attrs["language"])
    elif kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
    elif kind == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start)
    else:
        out.entity(kind, start)


def _render_markdown(text: str, *, v2: bool) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    open_marks: dict[str, tuple[int, int]] = {}
    link: tuple[int, int] | None = None
    n = len(text)
    i = 0
    at_line_start = True
    while i < n:
        c = text[i]
        offset = _byte_offset(text, i)
        if c == "\\" and i + 1 < n and ((v2 and ord(text[i + 1]) < 127) or text[i + 1] in "_*`["):
            out.add(text[i + 1])
            i += 2
        elif text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                name = "Pre" if v2 else "the"
                raise EntityParseError(f"Can't find end of {name} entity at byte offset {offset}")
            body = text[i + 3 : end]
            language = ""
            first, sep, rest = body.partition("\n")
            if sep and first and " " not in first:
                language, body = first, rest
            start = out.pos
            out.add(_strip_code_escapes(body) if v2 else body)
            extra = {"language": language} if language else {}
            out.entity("pre", start, **extra)
            i = end + 3
        elif c == "`":
            end = _find_unescaped(text, "`", i + 1) if v2 else text.find("`", i + 1)
            if end < 0:
                name = "Code" if v2 else "the"
                raise EntityParseError(f"Can't find end of {name} entity at byte offset {offset}")
            start = out.pos
            body = text[i + 1 : end]
            out.add(_strip_code_escapes(body) if v2 else body)
            out.entity("code", start)
            i = end + 1
        elif c == "[" and link is None:
            link = (out.pos, offset)
            i += 1
        elif c == "]" and link is not None and text.startswith("(", i + 1):
            end = _find_unescaped(text, ")", i + 2)
            if end < 0:
                raise EntityParseError(f"Can't find end of a URL at byte offset {offset}")
            url = _strip_code_escapes(text[i + 2 : end])
            out.entity("text_link", link[0], url=url)
            link = None
            i = end + 1
        elif (mark := _markdown_mark(text, i, v2)) is not None:
            if mark in open_marks:
                start, _ = open_marks.pop(mark)
                out.entity(_MD_TYPES[mark], start)
            else:
                open_marks[mark] = (out.pos, offset)
            i += len(mark)
        elif v2 and c in _V2_RESERVED and not (c == ">" and at_line_start):
            raise EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        elif v2 and c == ">" and at_line_start:
            i += 1  # blockquote marker
        else:
            out.add(c)
            i += 1
        at_line_start = c == "\n"
    if link is not None:
        if v2:
            raise EntityParseError(f"Can't find end of TextUrl entity at byte offset {link[1]}")
        raise EntityParseError(f"Can't find end of the entity starting at byte offset {link[1]}")
    if open_marks:
        mark, (_, offset) = min(open_marks.items(), key=lambda item: item[1][1])
        name = _MD_NAMES[mark] if v2 else "the"
        suffix = "" if v2 else "starting "
        raise EntityParseError(f"Can't find end of {name} entity {suffix}at byte offset {offset}")
    return out.result()


def _markdown_mark(text: str, i: int, v2: bool) -> str | None:
    """Return the formatting marker at ``text[i]`` (``*``, ``_``, ``__``, ``~``, ``||``)."""
    c = text[i]
    if not v2:
        return c if c in "*_" else None
    if c == "_":
        return "__" if text.startswith("__", i) else "_"
    if c == "|":
        return "||" if text.startswith("||", i) else None
    if c in "*~":
        return c
    return None


def _find_unescaped(text: str, char: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            return i
        i += 1
    return -1


def _strip_code_escapes(body: str) -> str:
    return re.sub(r"\\([\\`)])", r"\1", body)
