"""/dasbor: a one-time link that signs the person in to the web desk."""

from __future__ import annotations

from handlers.context import Context
from handlers.join import ROLE_NAMES
from handlers.messages import t
from storage.desk import LINK_LIFETIME, Logins


async def desk_link(ctx: Context) -> None:
    base = ctx.core.public_url
    if base is None:
        ctx.reply(t("desk.not_configured"))
        return
    code = await Logins(ctx.session).create_link(ctx.me.id, ctx.now)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    line = t(
        "desk.link",
        name=ctx.me.name,
        role=ROLE_NAMES[ctx.me.role],
        link=f"{base}/masuk/{code}",
        minutes=minutes,
    )
    # Both adapters send every text without a link preview, so no preview robot fetches the
    # link (tests/test_desk_login.py checks it); opening it spends nothing anyway.
    ctx.reply(line)


async def desk_in_group(ctx: Context) -> None:
    """A login link is the person's own: never into a group, where everyone could use it."""
    ctx.reply(t("desk.private_only"))
