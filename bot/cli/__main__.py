"""``python -m bot.cli``: the same as the `lindungi` command."""

from bot.cli import main

main()
