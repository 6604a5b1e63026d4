"""`warta`: run the bot, and what a coordinator needs before there is any web page."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.malloc import tune_malloc
from bot.settings import Settings

if TYPE_CHECKING:  # imported in run(): `warta health` stays light
    from bot.app import Warta
from handlers.join import ROLE_NAMES
from handlers.schedule import ScheduleError
from handlers.timefmt import when
from handlers.units import MAX_UNIT_NAME, tidy_unit_name, unit_key, unit_kind
from storage.chats import Chats
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Member, Role, Unit, utcnow
from storage.people import People

SANDBOX_LINE = (
    "Belum ada token bot, jadi Warta berjalan sebagai sandbox latihan di {address}/ "
    "(tidak ada yang keluar dari komputer ini). Untuk bot sungguhan, isi WARTA_TELEGRAM_TOKEN "
    "di .env (lihat README)."
)
SANDBOX_ON_PURPOSE = (
    "Sandbox latihan Warta di {address}/ (tidak ada yang keluar dari komputer ini). "
    "Berhenti: Ctrl+C."
)
SANDBOX_HOST = "127.0.0.1"  # this computer only, unless `warta sandbox --host 0.0.0.0`
PORT_HINT = "Pakai port lain: warta sandbox --port 8081 (atau WARTA_WEB_PORT=8081)."

BAD_TOKEN = """Telegram menolak token bot (WARTA_TELEGRAM_TOKEN).
Periksa token di @BotFather (/mybots -> pilih bot -> API Token) dan salin ulang ke .env."""

ROLES = {
    "operator": Role.OPERATOR,
    "redaktur": Role.EDITOR,
    "editor": Role.EDITOR,
    "koordinator": Role.COORDINATOR,
    "coordinator": Role.COORDINATOR,
}
MAX_INVITE_DAYS, MAX_INVITE_USES = 365, 10_000
DATABASE_HINT = (
    "Periksa WARTA_DATABASE_URL, contoh: sqlite+aiosqlite:///data/warta.db "
    "atau postgresql+asyncpg://user:sandi@host:5432/warta"
)


class DatabaseUnusable(Exception):
    """The database cannot be opened or migrated; the message is the one line to print."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print("Pengaturan tidak valid:", *_problems(exc), sep="\n  ", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.func is not run:  # a coordinator's command should print only its answer
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.func in (run, sandbox):  # long-running: photos decoded for hours
        tune_malloc()
    try:
        return int(asyncio.run(args.func(settings, args)) or 0)
    except DatabaseUnusable as exc:
        print(exc, file=sys.stderr)
        return 2


def _problems(exc: ValidationError) -> list[str]:
    """One line per wrong setting, named as it is set (WARTA_...), without echoing values."""
    lines = []
    for error in exc.errors():
        name = "_".join(str(part) for part in error["loc"]).upper()
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"WARTA_{name}: {message}" if name else message)
    return lines


class _Parser(argparse.ArgumentParser):
    """argparse that says what is wrong in one line and exits 2 (usage errors)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n(lihat: {self.prog} --help)\n")


def _count(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(
                f"harus bilangan bulat 1 sampai {limit}, bukan {text!r}"
            )
        return value

    return parse


def _unit_name(text: str) -> str:
    """The name as it will be shown (handlers.units: the rules chat and the desk use)."""
    name = tidy_unit_name(text)
    if not name:
        raise argparse.ArgumentTypeError("nama unit tidak boleh kosong")
    if len(name) > MAX_UNIT_NAME:
        raise argparse.ArgumentTypeError(f"nama unit paling panjang {MAX_UNIT_NAME} karakter")
    return name


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="warta", description="Warta: laporan kegiatan ke redaksi.")
    sub = p.add_subparsers(required=True, metavar="COMMAND")
    sub.add_parser("run", help="jalankan bot (polling); tanpa token: sandbox").set_defaults(
        func=run
    )
    box = sub.add_parser("sandbox", help="latihan tanpa token: Warta di halaman web lokal")
    box.add_argument(
        "--host", default=SANDBOX_HOST, help="0.0.0.0: ponsel peserta di Wi-Fi yang sama"
    )
    box.add_argument("--port", type=_count(65535), help="bawaan: WARTA_WEB_PORT (8080)")
    box.set_defaults(func=sandbox)
    sub.add_parser("migrate", help="perbarui skema database").set_defaults(func=migrate)
    unit = sub.add_parser("unit", help="kelola unit (kecamatan/OPD)")
    unit_sub = unit.add_subparsers(required=True, metavar="ACTION")
    add = unit_sub.add_parser("add", help="tambah unit")
    add.add_argument("name", type=_unit_name)
    add.add_argument("--kind", choices=["kecamatan", "opd", "kelurahan", "lain"])
    add.add_argument("--force", action="store_true", help="tambah walau mirip unit yang ada")
    add.set_defaults(func=unit_add)
    unit_sub.add_parser("list", help="daftar unit").set_defaults(func=unit_list)
    inv = sub.add_parser("invite", help="buat tautan undangan")
    inv.add_argument("role", choices=sorted(ROLES))
    inv.add_argument("--unit", help="nama atau nomor unit (wajib untuk operator)")
    inv.add_argument(
        "--uses", type=_count(MAX_INVITE_USES), default=1, help="berapa orang boleh memakai"
    )
    inv.add_argument("--days", type=_count(MAX_INVITE_DAYS), help="berlaku berapa hari (bawaan 7)")
    inv.set_defaults(func=invite)
    _leave_parsers(sub, unit_sub)
    sub.add_parser("health", help="cek bot masih hidup (untuk Docker)").set_defaults(func=health)
    return p


async def run(settings: Settings, _args: argparse.Namespace) -> int:
    # Imported here: `warta health` (Docker runs it every 30 s) need not load both clients.
    from bot.app import Warta
    from bot.channels import TokenRejected

    if settings.telegram_token is None and not settings.whatsapp_enabled:
        # This computer only, unless the host is set on purpose (the Docker image sets it).
        host = settings.web_host if "web_host" in settings.model_fields_set else SANDBOX_HOST
        return await _sandbox(settings, host, settings.web_port, announce=True)
    await (await open_database(settings.database_url)).dispose()  # one clear line if not
    try:
        warta = Warta(settings)
    except ScheduleError as exc:
        print(f"Jadwal pilar tidak bisa dipakai: {exc}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        started = await _start_unless_stopped(warta, stop)
    except TokenRejected:
        print(BAD_TOKEN, file=sys.stderr)
        await warta.abandon()
        return 2
    if not started:
        return 0
    await warta.start_receiving()
    channels = ", ".join(warta.messengers)
    logging.getLogger("warta").info("Warta berjalan (%s)", channels)
    try:
        await stop.wait()
    finally:
        await warta.stop()
    return 0


async def sandbox(settings: Settings, args: argparse.Namespace) -> int:
    return await _sandbox(settings, args.host, args.port or settings.web_port, announce=False)


async def _sandbox(settings: Settings, host: str, port: int, *, announce: bool) -> int:
    from bot.sandbox.serve import serve_sandbox

    line = SANDBOX_LINE if announce else SANDBOX_ON_PURPOSE
    for chatty in ("alembic", "apscheduler", "telegram.ext"):  # the one line stays readable
        logging.getLogger(chatty).setLevel(logging.WARNING)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve_sandbox(
            settings,
            host=host,
            port=port,
            stop=stop,
            ready=lambda address: print(line.format(address=address), file=sys.stderr),
        )
    except ScheduleError as exc:
        print(f"Jadwal pilar tidak bisa dipakai: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the port is taken (another Warta?), or the address is not ours
        print(f"Tidak bisa membuka {host}:{port} ({exc.strerror}). {PORT_HINT}", file=sys.stderr)
        return 2
    return 0


async def _start_unless_stopped(warta: Warta, stop: asyncio.Event) -> bool:
    """Start, unless a stop signal comes first: Telegram may stay unreachable for long, and
    `docker stop` (SIGTERM) must not wait for it. False when stopped before starting."""
    starting = asyncio.create_task(warta.start())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if starting.done():
        starting.result()  # raises TokenRejected
        return True
    starting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await starting
    await warta.abandon()
    return False


async def migrate(settings: Settings, _args: argparse.Namespace) -> int:
    await (await open_database(settings.database_url)).dispose()
    print("Database siap.")
    return 0


async def open_database(url: str) -> AsyncEngine:
    """An engine on a migrated database; raises DatabaseUnusable with a line to print."""
    try:
        engine = make_engine(url)
    except (ArgumentError, ImportError, ValueError, OSError) as exc:  # scheme, driver, folder
        raise DatabaseUnusable(_database_line(url, exc)) from exc
    try:
        await upgrade(engine)
    except (SQLAlchemyError, OSError, ImportError, ValueError) as exc:  # host, login, disk
        await engine.dispose()
        raise DatabaseUnusable(_database_line(url, exc)) from exc
    return engine


def _database_line(url: str, exc: BaseException) -> str:
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        shown = "(bukan alamat database)"
    cause = getattr(exc, "orig", None) or exc  # the driver's words, not SQLAlchemy's wrapping
    reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return f"Database tidak bisa dibuka: {shown}: {reason}. {DATABASE_HINT}"


async def _with_people(settings: Settings, work):
    engine = await open_database(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            people = People(session)
            org = await people.default_org(name=settings.org_name, timezone=settings.timezone)
            return await work(session, people, org)
    finally:
        await engine.dispose()


async def unit_add(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        if await people.unit_named(org.id, args.name) is not None:
            print(f"Unit {args.name!r} sudah ada.", file=sys.stderr)
            return 1
        similar = [u for u in await people.units(org.id) if unit_key(u.name) == unit_key(args.name)]
        if similar and not args.force:
            # A second unit for one kecamatan splits its reports, recap and invites.
            names = ", ".join(f"{u.id}: {u.name}" for u in similar)
            print(
                f"Unit {args.name!r} mirip unit yang sudah ada ({names}). Pakai unit itu, "
                f'misalnya: warta invite operator --unit "{similar[0].name}"; '
                "kalau memang unit lain, ulangi dengan --force.",
                file=sys.stderr,
            )
            return 1
        unit = await people.add_unit(org, name=args.name, kind=args.kind or unit_kind(args.name))
        print(f"Unit {unit.id}: {unit.name} ({unit.kind})")
        return 0

    return await _with_people(settings, work)


async def unit_list(settings: Settings, _args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        units = await people.units(org.id)
        for u in units:
            print(f"{u.id:>4}  {u.name} ({u.kind})")
        if not units:
            print('Belum ada unit. Tambah: warta unit add "Kecamatan Cibinong"')
        return 0

    return await _with_people(settings, work)


async def invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import USERNAME_KEY
    from bot.channels.telegram import telegram_invite_link
    from bot.channels.whatsapp import whatsapp_invite_link

    role = ROLES[args.role]

    async def work(session, people, org):
        unit = await people.find_unit(org.id, args.unit) if args.unit else None
        if args.unit and unit is None:
            print(f"Unit {args.unit!r} tidak ditemukan (lihat: warta unit list).", file=sys.stderr)
            return 1
        if role == Role.OPERATOR and unit is None:
            print("Undangan operator perlu --unit.", file=sys.stderr)
            return 1
        inv = await people.add_invite(
            org.id,
            role=role,
            unit_id=unit.id if unit else None,
            max_uses=args.uses,
            valid_for=timedelta(days=args.days or settings.invite_days),
            created_by=None,
            now=utcnow(),
        )
        username = settings.telegram_bot_username or await Chats(session).get_value(USERNAME_KEY)
        print(
            f"Undangan {ROLE_NAMES[role]}{' untuk ' + unit.name if unit else ''}, "
            f"{inv.max_uses} orang, berlaku sampai {when(inv.expires_at, settings.tz)}"
        )
        # Telegram unless this is a WhatsApp-only setup: the token may live only in the shell
        # that ran `warta run`, and the code works with any bot on this database.
        if settings.telegram_token is not None or username or not settings.whatsapp_enabled:
            if username:
                print(f"Telegram: {telegram_invite_link(username, inv.code)}")
            print(f"Kode: {inv.code}  (atau kirim ke bot Telegram: /start {inv.code})")
        if settings.whatsapp_enabled:
            if settings.whatsapp_number:
                print(f"WhatsApp: {whatsapp_invite_link(settings.whatsapp_number, inv.code)}")
            else:
                print(f"WhatsApp: kirim GABUNG {inv.code} ke nomor WhatsApp Warta")
        return 0

    return await _with_people(settings, work)


async def members(settings: Settings, _args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        rows = await people.members(org.id)
        for member, unit, contacts in rows:
            where = ", ".join(f"{c.channel}:{c.address}" for c in contacts)
            state = "" if member.active else "  (nonaktif)"
            print(
                f"{member.id:>4}  {ROLE_NAMES[member.role]:<12} {member.name:<30} "
                f"{unit.name if unit else '-':<30} {where}{state}"
            )
        if not rows:
            print("Belum ada anggota. Buat undangan: warta invite koordinator")
        return 0

    return await _with_people(settings, work)


# --- People and units leave: deactivate, transfer, revoke, rename, merge, archive ---


SubParsers = argparse._SubParsersAction  # the type add_subparsers returns


def _leave_parsers(sub: SubParsers, unit_sub: SubParsers) -> None:
    """`warta members ...`, `warta invites ...` and the unit subcommands beyond add/list."""
    mem = sub.add_parser("members", help="siapa saja yang terdaftar; nonaktifkan, pindah akun")
    mem.set_defaults(func=members)
    mem_sub = mem.add_subparsers(metavar="ACTION")
    for name, func, text in (
        ("deactivate", member_deactivate, "nonaktifkan anggota (riwayat tetap tersimpan)"),
        ("activate", member_activate, "aktifkan lagi anggota yang dinonaktifkan"),
        ("transfer", member_transfer, "kode sekali pakai untuk pindah ke akun baru (24 jam)"),
    ):
        action = mem_sub.add_parser(name, help=text)
        action.add_argument("member", help="nomor (lihat: warta members) atau nama")
        action.set_defaults(func=func)
    invs = sub.add_parser("invites", help="undangan yang masih berlaku; cabut undangan")
    invs.set_defaults(func=invites_list)
    invs_sub = invs.add_subparsers(metavar="ACTION")
    revoke = invs_sub.add_parser("revoke", help="cabut undangan yang belum terpakai")
    revoke.add_argument("code")
    revoke.set_defaults(func=invite_revoke)
    rename = unit_sub.add_parser("rename", help="ganti nama unit")
    rename.add_argument("unit", help="nomor atau nama unit")
    rename.add_argument("name", type=_unit_name)
    rename.set_defaults(func=unit_rename)
    merge = unit_sub.add_parser("merge", help="gabungkan unit ke unit lain (laporan ikut)")
    merge.add_argument("unit", help="unit yang digabungkan (lalu diarsipkan)")
    merge.add_argument("into", help="unit tujuan")
    merge.set_defaults(func=unit_merge)
    for name, func, text in (
        ("archive", unit_archive, "arsipkan unit (hilang dari daftar, rekap, pengingat)"),
        ("restore", unit_restore, "aktifkan lagi unit yang diarsipkan"),
    ):
        action = unit_sub.add_parser(name, help=text)
        action.add_argument("unit", help="nomor atau nama unit")
        action.set_defaults(func=func)
    unit_sub.add_parser("archived", help="daftar unit yang diarsipkan").set_defaults(
        func=unit_archived
    )


async def _one_member(people: People, org_id: int, wanted: str) -> Member | None:
    found = await people.find_member(org_id, wanted)
    if len(found) == 1:
        return found[0]
    if not found:
        print(f"Anggota {wanted!r} tidak ditemukan (lihat: warta members).", file=sys.stderr)
    else:
        names = ", ".join(f"{m.id}: {m.name}" for m in found[:5])
        print(
            f"Beberapa anggota cocok dengan {wanted!r}: {names}. Pakai nomornya.", file=sys.stderr
        )
    return None


async def member_deactivate(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        member = await _one_member(people, org.id, args.member)
        if member is None:
            return 1
        if not member.active:
            print(f"{member.name} memang sudah nonaktif.")
            return 0
        await people.deactivate(member, by=None, now=utcnow())
        print(
            f"{member.name} dinonaktifkan: pesan dan tombolnya ditolak, laporannya tetap "
            f"tersimpan. Aktifkan lagi: warta members activate {member.id}"
        )
        return 0

    return await _with_people(settings, work)


async def member_activate(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        member = await _one_member(people, org.id, args.member)
        if member is None:
            return 1
        if member.active:
            print(f"{member.name} memang aktif.")
            return 0
        unit = await people.unit(member.unit_id)
        if unit is not None and unit.archived_at is not None:
            print(
                f"Unit {unit.name} diarsipkan: pulihkan dulu (warta unit restore {unit.id}).",
                file=sys.stderr,
            )
            return 1
        await people.reactivate(member, by=None)
        print(f"{member.name} aktif lagi.")
        return 0

    return await _with_people(settings, work)


async def member_transfer(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import USERNAME_KEY
    from bot.channels.telegram import telegram_invite_link
    from handlers.members import TRANSFER_HOURS

    async def work(session, people, org):
        member = await _one_member(people, org.id, args.member)
        if member is None:
            return 1
        if not member.active:
            print(f"{member.name} nonaktif; aktifkan dulu: warta members activate {member.id}")
            return 1
        code = await people.add_transfer(
            member, valid_for=timedelta(hours=TRANSFER_HOURS), created_by=None, now=utcnow()
        )
        print(
            f"Kode pindah akun untuk {member.name}: {code.code}  (sekali pakai, berlaku sampai "
            f"{when(code.expires_at, settings.tz)}). Berikan hanya kepada orangnya."
        )
        username = settings.telegram_bot_username or await Chats(session).get_value(USERNAME_KEY)
        if username:
            print(f"Telegram: {telegram_invite_link(username, code.code)}")
        print(f"Telegram: kirim /start {code.code} ke bot dari akun baru")
        if settings.whatsapp_enabled:
            print(f"WhatsApp: kirim GABUNG {code.code} dari nomor baru")
        print("Akun lama di aplikasi yang sama langsung terlepas.")
        return 0

    return await _with_people(settings, work)


async def invites_list(settings: Settings, _args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        open_ = [i for i in await people.open_invites(org.id, utcnow()) if i.member_id is None]
        names = {u.id: u.name for u in await people.units(org.id, with_archived=True)}
        for inv in open_:
            print(
                f"{inv.code}  {ROLE_NAMES[inv.role]:<12} {names.get(inv.unit_id, '-'):<30} "
                f"{inv.uses}/{inv.max_uses}  sampai {when(inv.expires_at, settings.tz)}"
            )
        if not open_:
            print("Tidak ada undangan yang masih berlaku.")
        return 0

    return await _with_people(settings, work)


async def invite_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from storage.people import Revoke

    said = {
        Revoke.REVOKED: "Undangan {} dicabut; kode itu tidak bisa dipakai lagi.",
        Revoke.UNKNOWN: "Kode undangan {} tidak dikenal (lihat: warta invites).",
        Revoke.USED: "Undangan {} sudah terpakai habis; tidak ada yang perlu dicabut.",
        Revoke.ALREADY: "Undangan {} memang sudah dicabut.",
    }

    async def work(_s, people, org):
        outcome = await people.revoke_invite(org.id, args.code, utcnow())
        ok = outcome in (Revoke.REVOKED, Revoke.ALREADY)
        print(said[outcome].format(args.code), file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1

    return await _with_people(settings, work)


async def _cli_unit(people: People, org_id: int, wanted: str) -> Unit | None:
    unit = await people.find_unit(org_id, wanted, with_archived=True)
    if unit is None:
        print(f"Unit {wanted!r} tidak ditemukan (lihat: warta unit list).", file=sys.stderr)
    return unit


async def unit_rename(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        unit = await _cli_unit(people, org.id, args.unit)
        if unit is None:
            return 1
        other = await people.unit_named(org.id, args.name)
        if other is not None and other.id != unit.id:
            print(f"Unit {args.name!r} sudah ada (nomor {other.id}).", file=sys.stderr)
            return 1
        old = unit.name
        await people.rename_unit(unit, args.name)
        print(f"Unit {unit.id}: {old} -> {unit.name}")
        return 0

    return await _with_people(settings, work)


async def unit_merge(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        source = await _cli_unit(people, org.id, args.unit)
        target = await _cli_unit(people, org.id, args.into) if source else None
        if source is None or target is None:
            return 1
        if source.id == target.id:
            print("Unit asal dan tujuan sama.", file=sys.stderr)
            return 1
        if target.archived_at is not None:
            print(f"Unit tujuan {target.name!r} diarsipkan; pulihkan dulu.", file=sys.stderr)
            return 1
        moved = await people.merge_units(source, target, actor_id=None, now=utcnow())
        print(
            f"{source.name} digabung ke {target.name}: {moved.members} anggota, "
            f"{moved.reports} laporan dipindah (nomor tetap); {source.name} diarsipkan."
        )
        return 0

    return await _with_people(settings, work)


async def unit_archive(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        unit = await _cli_unit(people, org.id, args.unit)
        if unit is None:
            return 1
        if unit.archived_at is not None:
            print(f"{unit.name} memang sudah diarsipkan.")
            return 0
        count = await people.active_members_of(unit.id)
        if count:
            print(
                f"{unit.name} masih punya {count} anggota aktif. Gabungkan dulu "
                f"(warta unit merge {unit.id} <tujuan>) atau nonaktifkan anggotanya.",
                file=sys.stderr,
            )
            return 1
        await people.archive_unit(unit, utcnow())
        print(f"{unit.name} diarsipkan; laporan lamanya tetap ada di ekspor.")
        return 0

    return await _with_people(settings, work)


async def unit_restore(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        unit = await _cli_unit(people, org.id, args.unit)
        if unit is None:
            return 1
        if unit.archived_at is None:
            print(f"{unit.name} tidak diarsipkan.")
            return 0
        await people.restore_unit(unit)
        print(f"{unit.name} aktif lagi.")
        return 0

    return await _with_people(settings, work)


async def unit_archived(settings: Settings, _args: argparse.Namespace) -> int:
    async def work(_s, people, org):
        units = await people.archived_units(org.id)
        for u in units:
            merged = f" -> digabung ke unit {u.merged_into_id}" if u.merged_into_id else ""
            print(f"{u.id:>4}  {u.name} ({u.kind}){merged}")
        if not units:
            print("Tidak ada unit yang diarsipkan.")
        return 0

    return await _with_people(settings, work)


async def health(settings: Settings, _args: argparse.Namespace) -> int:
    """Healthy when the running bot touched its heartbeat in the last minute."""
    try:
        age = time.time() - settings.heartbeat_file.stat().st_mtime
    except FileNotFoundError:
        print("tidak sehat: bot belum berjalan", file=sys.stderr)
        return 1
    if age > 60:
        print(f"tidak sehat: detak terakhir {age:.0f} detik lalu", file=sys.stderr)
        return 1
    print("sehat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
