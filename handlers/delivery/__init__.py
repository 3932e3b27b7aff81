"""Delivering messages to Telegram: what an answer means (`outcomes`), the send rate around a
call (`sending`), and broadcast delivery (`broadcasts`)."""
