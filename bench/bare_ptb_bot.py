"""The memory benchmark's baseline: a bare python-telegram-bot bot polling a Bot API server and
answering every message with one message (what any PTB bot costs before its own code).

    python -m bench.bare_ptb_bot TOKEN BASE_URL
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None:
        await update.effective_chat.send_message("Pratinjau")


def main() -> None:
    token, base = sys.argv[1], sys.argv[2]
    app = (
        Application.builder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.run_polling(poll_interval=0.0, timeout=10)


if __name__ == "__main__":
    main()
