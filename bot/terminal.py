"""`lindungi chat`: the same engine and update processing, in a terminal instead of Telegram."""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.services import build_services
from bot.settings import Settings

USER_ID = 1000001
_TAG = re.compile(r"</?(b|i|u|s|code|pre)>")


class TerminalApi:
    """A Bot API that prints messages and remembers the last buttons shown."""

    def __init__(self, out: Any = None) -> None:
        self.out = out or sys.stdout
        self.buttons: list[str] = []
        self.message_id = 0

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        if method != "sendMessage":
            return True
        self.message_id += 1
        text = html.unescape(_TAG.sub("", params["text"]))
        print(f"\n🤖 {text}", file=self.out)
        markup = params.get("reply_markup") or {}
        inline = markup.get("inline_keyboard")
        if inline:
            self.buttons = []
            for row in inline:
                labels = []
                for button in row:
                    self.buttons.append(button["callback_data"])
                    labels.append(f"[#{len(self.buttons)}] {button['text']}")
                print("   " + "   ".join(labels), file=self.out)
        elif markup.get("keyboard"):
            print("   (type the number, or 'kontak' to share yours)", file=self.out)
        return {"message_id": self.message_id}


def _update(update_id: int, line: str, api: TerminalApi) -> dict[str, Any] | None:
    user = {"id": USER_ID, "is_bot": False, "first_name": "Terminal"}
    chat = {"id": USER_ID, "type": "private"}
    if line.startswith("#") and line[1:].isdigit():
        index = int(line[1:]) - 1
        if not 0 <= index < len(api.buttons):
            print("   (no such button)")
            return None
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": user,
                "chat_instance": "terminal",
                "data": api.buttons[index],
                "message": {"message_id": api.message_id, "date": 0, "chat": chat},
            },
        }
    message: dict[str, Any] = {"message_id": update_id, "date": 0, "chat": chat, "from": user}
    if line.lower() == "kontak":
        message["contact"] = {
            "phone_number": "6281234567890",
            "first_name": "Terminal",
            "user_id": USER_ID,
        }
    else:
        message["text"] = line
    return {"update_id": update_id, "message": message}


async def run_terminal_chat(settings: Settings, *, use_database: bool = False) -> None:
    """A read-eval-print loop: type answers, `#N` to press button N, /batal, /kembali, `exit`."""
    with tempfile.TemporaryDirectory(prefix="lindungi-chat-") as tmp:
        overrides: dict[str, Any] = {"redis_url": None, "data_dir": Path(tmp)}
        if use_database:
            overrides = {"redis_url": None}
        else:
            overrides["database_url"] = None
        local = settings.model_copy(update=overrides)
        api = TerminalApi()
        services = await build_services(local, api)
        assert services.processor is not None
        print("Lindungi chat — type answers, #N to press button N, 'exit' to leave.")
        update_id = 0
        try:
            update_id += 1
            await services.processor.process(_update(update_id, "/start", api))
            while True:
                try:
                    line = (await asyncio.to_thread(input, "\n🙂 ")).strip()
                except EOFError:
                    break
                if line.lower() in ("exit", "quit", "keluar"):
                    break
                if not line:
                    continue
                update_id += 1
                update = _update(update_id, line, api)
                if update is not None:
                    await services.processor.process(update)
        finally:
            await services.close()
