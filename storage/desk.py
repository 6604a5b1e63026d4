"""The desk's one-time login links and browser sessions.

Codes and session tokens are random (192 and 256 bits) and only their SHA-256 is stored, so a
copy of the database signs nobody in. A code is spent by one conditional UPDATE: of two
browsers (or two processes) pressing the button at once, exactly one gets a row back.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeskSession, LoginLink, Member

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
HOME = "/dasbor"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Spent:
    """A login link that was just used: who signs in, and where they wanted to go."""

    member_id: int
    next_path: str


@dataclass(frozen=True)
class SignedIn:
    """A live browser session and its person."""

    session_id: int
    member: Member
    csrf_token: str
    expires_at: datetime


# A page asks "who is this?" before its own query; on SQLite that check was 43 % of a list
# page. A page view (a GET) may reuse the answer for a few seconds. Ending a session, switching
# a person off or changing their role forgets it in this process at once; another process
# sees the change within RECENT_SECONDS, and a request that changes anything always asks the
# database.
RECENT_SECONDS = 5.0
RECENT_MAX = 10_000


class RecentSessions:
    """Session checks answered a moment ago, by token hash (in this process only)."""

    def __init__(
        self, seconds: float = RECENT_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds, self.clock = seconds, clock
        self._seen: dict[str, tuple[float, SignedIn]] = {}

    def get(self, token: str, now: datetime) -> SignedIn | None:
        key = digest(token)
        found = self._seen.get(key)
        if found is None:
            return None
        at, signed = found
        if self.clock() - at > self.seconds or signed.expires_at <= now:
            del self._seen[key]
            return None
        return signed

    def put(self, token: str, signed: SignedIn) -> None:
        if len(self._seen) >= RECENT_MAX:
            self._seen.clear()  # a burst of browsers: start over rather than grow
        self._seen[digest(token)] = (self.clock(), signed)

    def forget_token(self, token_hash: str) -> None:
        self._seen.pop(token_hash, None)

    def forget_member(self, member_id: int) -> None:
        for key in [k for k, (_, s) in self._seen.items() if s.member.id == member_id]:
            del self._seen[key]


RECENT = RecentSessions()


class Logins:
    """Repository for login links and desk sessions."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    # ---- login links ------------------------------------------------------------------------
    async def create_link(self, member_id: int, now: datetime, next_path: str = HOME) -> str:
        """A new one-time code for this member; the code itself is returned, never stored."""
        code = secrets.token_urlsafe(24)
        self.s.add(
            LoginLink(
                code_hash=digest(code),
                member_id=member_id,
                next_path=next_path,
                created_at=now,
                expires_at=now + LINK_LIFETIME,
            )
        )
        await self.s.flush()
        return code

    async def peek_link(self, code: str, now: datetime) -> Member | None:
        """Whose link this is, if it can still be used. Spends nothing (preview robots GET it)."""
        return await self.s.scalar(
            select(Member)
            .join(LoginLink, LoginLink.member_id == Member.id)
            .where(
                LoginLink.code_hash == digest(code),
                LoginLink.used_at.is_(None),
                LoginLink.expires_at > now,
                Member.active.is_(True),
            )
        )

    async def spend_link(self, code: str, now: datetime) -> Spent | None:
        """Use the link up, if it is still good: only the first caller gets it."""
        active = select(Member.id).where(Member.active.is_(True))
        row = (
            await self.s.execute(
                update(LoginLink)
                .where(
                    LoginLink.code_hash == digest(code),
                    LoginLink.used_at.is_(None),
                    LoginLink.expires_at > now,
                    LoginLink.member_id.in_(active),
                )
                .values(used_at=now)
                .returning(LoginLink.member_id, LoginLink.next_path)
            )
        ).first()
        return Spent(row.member_id, row.next_path) if row is not None else None

    # ---- sessions ---------------------------------------------------------------------------
    async def open_session(self, member_id: int, now: datetime) -> str:
        """A new browser session; the token for the cookie is returned, only its hash stored."""
        token = secrets.token_urlsafe(32)
        self.s.add(
            DeskSession(
                token_hash=digest(token),
                member_id=member_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        await self.s.flush()
        return token

    async def signed_in(self, token: str, now: datetime) -> SignedIn | None:
        """The session behind a cookie: not ended, not expired, its person still active."""
        row = (
            await self.s.execute(
                select(DeskSession, Member)
                .join(Member, Member.id == DeskSession.member_id)
                .where(
                    DeskSession.token_hash == digest(token),
                    DeskSession.ended_at.is_(None),
                    DeskSession.expires_at > now,
                    Member.active.is_(True),
                )
            )
        ).first()
        if row is None:
            return None
        desk_session, member = row
        return SignedIn(desk_session.id, member, desk_session.csrf_token, desk_session.expires_at)

    async def end_session(self, token: str, now: datetime) -> None:
        RECENT.forget_token(digest(token))
        await self.s.execute(
            update(DeskSession)
            .where(DeskSession.token_hash == digest(token), DeskSession.ended_at.is_(None))
            .values(ended_at=now)
        )

    async def end_member(self, member_id: int, now: datetime) -> None:
        """A person switched off: every browser of theirs signs out, unused links die."""
        RECENT.forget_member(member_id)
        await self.s.execute(
            update(DeskSession)
            .where(DeskSession.member_id == member_id, DeskSession.ended_at.is_(None))
            .values(ended_at=now)
        )
        await self.s.execute(
            update(LoginLink)
            .where(LoginLink.member_id == member_id, LoginLink.expires_at > now)
            .values(expires_at=now)
        )
