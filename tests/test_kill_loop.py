"""kill -9 under load (issue 10): the real `warta run` polls the fake Bot API over 127.0.0.1 and
is SIGKILLed again and again while twenty operators send albums. Every album must end with the
operator told all its photos (the preview, "Foto: N"), or told what is missing (a failed
download is named, and the preview counts the rest); none silently, none with a wrong count.
Every update the fake handed out must have been handled. `pytest -s` prints the numbers.

The kill moments, album sizes and failed downloads come from one seeded RNG (set
WARTA_KILL_LOOP_SEED for another run); how the process's work interleaves with the kills still
varies from run to run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import statistics
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from storage.models import InboxEntry, ReceivedWebhook, Role
from storage.webhooks import Webhooks
from tests.fake_telegram import FakeTelegram, Sent
from tests.harness import CAPTION, ROOT, Harness, jpeg
from tests.process_helpers import cli, code_of, served_fake_fixture, spawn, until, warta_env
from tests.telegram_users import TgUser

served_fake = served_fake_fixture

SEED = int(os.environ.get("WARTA_KILL_LOOP_SEED", "10"))  # another seed: another run
OPERATORS, KILLS = 20, 8
LIVES = (0.1, 2.5)  # seconds a run lives after its getMe: some die processing the backlog
FAILED_DOWNLOADS = 3  # getFile answers 500 this often: the album is then short, and says so
ALBUM_GAP = 0.05  # seconds at most between an album's photos reaching the fake's queue
ANSWER_LIMIT = 40.0  # seconds past the kills an operator waits before calling an album silent

TEXTS = tomllib.loads((ROOT / "prompts" / "id.toml").read_text())
RECEIVED = re.compile(r"(\d+) foto diterima")
PREVIEWED = re.compile(r"Foto: (\d+)")
# What the operator reads when a photo of theirs was not taken (the text before any {field}).
PHOTO_PROBLEMS = tuple(text.split("{")[0] for text in TEXTS["photo"].values())
CANCELLED = TEXTS["report"]["cancelled"], TEXTS["report"]["nothing_to_cancel"]
APOLOGY = TEXTS["error"]["internal"]
ASK_PILLAR = TEXTS["report"]["ask_pillar"]
PHOTOS = [jpeg(480, 360, color=(40 * i, 90, 200 - 30 * i)) for i in range(4)]


@dataclass
class Album:
    operator: int
    photos: int
    told: list[int] = field(default_factory=list)  # photo counts acknowledged, in order
    previewed: int | None = None  # "Foto: N" of the last acknowledgement (none on Sundays)
    problems: int = 0  # messages naming a photo that was not taken
    update_ids: list[int] = field(default_factory=list)
    sent_at: float = field(default_factory=time.perf_counter)
    answered_at: float = 0.0  # when the last of those messages came (the fake's clock)
    asked_pillar: bool = False  # a day without a pillar: the preview follows the choice

    @property
    def outcome(self) -> str:
        last = self.told[-1] if self.told else 0
        if last == self.photos and (self.previewed == self.photos or self.asked_pillar):
            return "preview"
        if last < self.photos <= last + self.problems:
            return "clear"
        return "wrong" if self.told else "silent"

    def read(self, messages: list[Sent]) -> None:
        for message in messages:
            if found := RECEIVED.search(message.text):
                self.told.append(int(found.group(1)))
                shown = PREVIEWED.search(message.text)
                self.previewed = int(shown.group(1)) if shown else None
                self.asked_pillar = ASK_PILLAR in message.text
            elif message.text.startswith(PHOTO_PROBLEMS):
                self.problems += 1
            else:
                continue
            self.answered_at = message.at

    @property
    def waited(self) -> float:
        return self.answered_at - self.sent_at

    def answered(self, messages: list[Sent]) -> bool:
        self.told, self.previewed, self.problems, self.answered_at = [], None, 0, 0.0
        self.asked_pillar = False
        self.read(messages)
        return self.outcome in ("preview", "clear")


@dataclass
class Loop:
    """What the test did, for its assertions and its report."""

    fake: FakeTelegram
    albums: list[Album] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    killing: bool = True

    def push(self, update: dict[str, object]) -> int:
        self.update_ids.append(int(self.fake.push(update)["update_id"]))
        return self.update_ids[-1]

    def since(self, user: TgUser, after: int) -> list[Sent]:
        return [m for m in self.fake.messages_to(user.id) if m.message_id > after]

    def newest(self, user: TgUser) -> int:
        return max((m.message_id for m in self.fake.messages_to(user.id)), default=0)

    async def operate(self, user: TgUser, sizes: random.Random) -> None:
        """Albums, each answered or given up on, then /batal, until the kills are over."""
        number = 0
        while self.killing or number == 0:
            number += 1
            album = Album(user.id, sizes.randint(2, 4))
            self.albums.append(album)
            mark = self.newest(user)
            for i in range(album.photos):
                caption = CAPTION if i == 0 else None
                photo = user.photo(PHOTOS[i], caption=caption, media_group_id=f"{user.id}-{number}")
                album.update_ids.append(self.push(photo))
                # Telegram hands an album over as separate updates: one may come a poll later.
                await asyncio.sleep(sizes.uniform(0, ALBUM_GAP))
            await self._answer(user, album, mark)
            cancel_mark = self.newest(user)
            self.push(user.text("/batal"))
            try:
                done = await self._cancelled(user, cancel_mark)
            except TimeoutError:
                self.unanswered.append(f"/batal of operator {user.id}")
                album.answered(self.since(user, mark))
                return  # the draft may still be open: another album would join it
            album.answered([m for m in self.since(user, mark) if m.message_id < done])

    async def _answer(self, user: TgUser, album: Album, mark: int) -> None:
        with contextlib.suppress(TimeoutError):  # judged silent later, with whatever came
            await self._patiently(lambda: album.answered(self.since(user, mark)))

    async def _patiently(self, predicate: Callable[[], object]) -> object:
        """Wait for an answer ANSWER_LIMIT seconds past the kills: while the process is killed
        again and again nobody can answer, and under load the restarts alone last longer than
        that (a fresh-clone CI run once judged two albums silent that way)."""
        while self.killing and not predicate():
            with contextlib.suppress(TimeoutError):
                await self.fake.wait_for(predicate, 1.0)
        return await self.fake.wait_for(predicate, ANSWER_LIMIT)

    async def _cancelled(self, user: TgUser, mark: int) -> int:
        """The id of the answer to /batal (the draft's end: what came before is the album's)."""

        def answers() -> list[int]:
            return [m.message_id for m in self.since(user, mark) if m.text in CANCELLED]

        await self._patiently(answers)
        return max(answers())


class Runs:
    """`warta run` processes, one at a time; their output is read as it comes (a full pipe
    would block the process)."""

    def __init__(self, env: dict[str, str], cwd: Path, fake: FakeTelegram) -> None:
        self.env, self.cwd, self.fake = env, cwd, fake
        self.outputs: list[asyncio.Task[bytes]] = []
        self.kills: list[datetime] = []
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        greeted = len(self.fake.calls_of("getMe"))
        self.proc = await spawn(self.env, self.cwd, "run")
        assert self.proc.stdout is not None
        self.outputs.append(asyncio.create_task(self.proc.stdout.read()))
        proc = self.proc
        await until(
            lambda: len(self.fake.calls_of("getMe")) > greeted or proc.returncode is not None,
            "the run's getMe",
            60,
        )
        if proc.returncode is not None:
            raise AssertionError(f"warta run ended at start:\n{(await self.outputs[-1]).decode()}")

    async def kill(self) -> None:
        assert self.proc is not None
        self.kills.append(datetime.now(UTC))
        self.proc.kill()
        await self.proc.wait()

    async def stop(self) -> tuple[int | None, str]:
        """SIGTERM: the last run must stop cleanly."""
        assert self.proc is not None
        self.proc.terminate()
        await asyncio.wait_for(self.proc.wait(), 30)
        return self.proc.returncode, (await self.outputs[-1]).decode()

    async def output(self) -> str:
        return b"".join(await asyncio.gather(*self.outputs)).decode()


async def test_albums_survive_a_kill_loop(
    served_fake: tuple[FakeTelegram, str], tmp_path: Path, database_url: str
) -> None:
    began = time.monotonic()
    fake, api_url = served_fake
    sqlite = database_url.startswith("sqlite")
    env = warta_env(tmp_path, api_url, None if sqlite else database_url)
    env["PYTHONPATH"] = str(ROOT)
    assert (await cli(env, tmp_path, "unit", "add", "Kecamatan Bogor Barat"))[0] == 0
    out = await cli(env, tmp_path, "invite", "operator", "--unit", "Bogor Barat", "--uses", "20")
    code = code_of(out[1])

    rng = random.Random(SEED)
    loop = Loop(fake)
    runs = Runs(env, tmp_path, fake)
    users = [TgUser(fake, 9000 + i, f"Operator{i}") for i in range(OPERATORS)]
    try:
        await runs.start()
        for user in users:
            loop.push(user.text(f"/start {code}"))
        await until(lambda: all(fake.messages_to(u.id) for u in users), "everyone joining", 60)
        operators = [
            asyncio.create_task(loop.operate(user, random.Random(SEED * 1000 + user.id)))
            for user in users
        ]
        failures = sorted(rng.sample(range(KILLS), FAILED_DOWNLOADS))
        killing_began = time.monotonic()
        for kill in range(KILLS):
            if kill in failures:
                fake.fail_next("getFile", 500)
            await asyncio.sleep(rng.uniform(*LIVES))
            await runs.kill()
            await runs.start()
        loop.killing = False
        killed_for = time.monotonic() - killing_began
        await asyncio.wait_for(asyncio.gather(*operators), 120)
        code, last = await runs.stop()
    finally:
        if runs.proc is not None and runs.proc.returncode is None:
            await runs.kill()
    output = await runs.output()

    handled, unprocessed = await _handled(env["WARTA_DATABASE_URL"])
    lost = sorted(set(loop.update_ids) - set(handled))
    split = [a for a in loop.albums if _across_a_kill(a, handled, runs.kills)]
    outcomes = [a.outcome for a in loop.albums]
    waits = sorted(a.waited for a in loop.albums if a.outcome in ("preview", "clear"))
    print(
        f"\nkill loop: {len(loop.albums)} albums ({len(split)} handled partly before a kill, "
        f"partly after), {KILLS} kills: {outcomes.count('preview')} "
        f"previews, {outcomes.count('clear')} clear messages, {outcomes.count('wrong')} wrong, "
        f"{outcomes.count('silent')} silent; "
        f"{sum(a.outcome == 'preview' and min(a.told) < a.photos for a in loop.albums)} of "
        "the previews after a shorter one; "
        f"{len(loop.update_ids)} updates, {len(lost)} lost; answer median "
        f"{statistics.median(waits or [0]):.1f} s, worst {max(waits or [0]):.1f} s (the kills "
        f"lasted {killed_for:.1f} s); "
        f"{time.monotonic() - began:.1f} s in all"
    )
    assert not lost, f"updates never handled: {lost}"
    assert not loop.unanswered, loop.unanswered
    untold = [a for a in loop.albums if a.outcome not in ("preview", "clear")]
    assert not untold, untold
    assert not any(APOLOGY in m.text for m in fake.sent), "an event failed and was apologized for"
    assert unprocessed == 0, "stored updates left unprocessed"
    assert code == 0, last
    errors = [line for line in output.splitlines() if " ERROR " in line]
    assert not errors, output


def _across_a_kill(album: Album, handled: dict[int, datetime], kills: list[datetime]) -> bool:
    times = [handled[i] for i in album.update_ids if i in handled]
    return bool(times) and any(min(times) < kill < max(times) for kill in kills)


async def _handled(url: str) -> tuple[dict[int, datetime], int]:
    """When the process handled each update (its inbox), and how many stored updates it never
    processed."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(InboxEntry.external_id, InboxEntry.received_at).where(
                    InboxEntry.channel == "telegram"
                )
            )
            pending = await conn.scalars(
                select(ReceivedWebhook.id).where(ReceivedWebhook.processed_at.is_(None))
            )
            return {int(i): at for i, at in rows}, len(list(pending))
    finally:
        await engine.dispose()


# What the kill loop found: under load, and in a restarted process's backlog, an album's later
# photos are stored in time but handled after its wait is over. Before the album waited for
# them, 18 to 27 albums a run (of 50 to 70) were answered twice, first with too few photos
# ("1 foto diterima", then "3 foto diterima"); with no kills at all, about one in eight.


async def _album_stored(bot: Harness, photos: int) -> tuple[TgUser, list[int]]:
    """An operator's album, stored as polling stores it, none of it handled yet."""
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    ids = []
    async with bot.w.sessionmaker() as session, session.begin():
        for i in range(photos):
            caption = CAPTION if i == 0 else None
            update = bot.fake.push(operator.photo(PHOTOS[i], caption=caption, media_group_id="Q"))
            bot.fake.updates.remove(update)  # stored here: nobody polls
            ids.append(
                await Webhooks(session).store("telegram", json.dumps(update).encode(), bot.clock())
            )
    return operator, ids


def _acknowledged(bot: Harness, user: TgUser) -> list[str]:
    return [text for text in bot.fake.texts_to(user.id) if RECEIVED.search(text)]


async def test_an_album_waits_for_its_photos_still_queued(bot: Harness) -> None:
    operator, ids = await _album_stored(bot, 3)
    await bot.w.web.process(ids[0])
    bot.clock.advance(seconds=bot.settings.album_wait_seconds + 5)  # its wait is over
    await bot.tick()  # the scheduler settles albums nobody answered
    assert _acknowledged(bot, operator) == []  # two of its photos are still queued
    for webhook_id in ids[1:]:
        await bot.w.web.process(webhook_id)
    bot.clock.advance(seconds=bot.settings.album_wait_seconds + 5)
    await bot.tick()
    [answer] = _acknowledged(bot, operator)
    assert "3 foto diterima" in answer and "Foto: 3" in answer


async def test_a_stuck_stored_update_holds_an_album_back_a_minute_at_most(bot: Harness) -> None:
    operator, ids = await _album_stored(bot, 2)
    await bot.w.web.process(ids[0])
    bot.clock.advance(seconds=bot.settings.album_wait_seconds + 61)
    await bot.tick()
    [answer] = _acknowledged(bot, operator)
    assert "1 foto diterima" in answer
