"""The update types Lindungi asks Telegram for."""

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
