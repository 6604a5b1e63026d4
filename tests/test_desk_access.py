"""Who sees what on the desk, checked on the server: every desk route × every role, a
stranger and a deactivated member (issue 11).

ACCESS names who may use each route. A route the app has and ACCESS does not name fails the
test, so a new page cannot skip this check.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from starlette.routing import Route

from storage.models import Member, Photo, Report, Role
from storage.people import People
from tests.channels import Person, join
from tests.desk_helpers import SAME_ORIGIN, browser, csrf_of, sign_in
from tests.harness import CAPTION, Harness, jpeg

EVERYONE = frozenset(Role)
DECIDERS = frozenset({Role.EDITOR, Role.COORDINATOR})
COORDINATOR = frozenset({Role.COORDINATOR})
PUBLIC = None  # signing in and out, health: no session needed

ACCESS: dict[tuple[str, str], frozenset[Role] | None] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/masuk"): PUBLIC,
    ("GET", "/masuk/{code}"): PUBLIC,
    ("POST", "/masuk/{code}"): PUBLIC,
    ("POST", "/keluar"): PUBLIC,
    ("GET", "/dasbor"): EVERYONE,
    ("GET", "/dasbor/unit"): EVERYONE,
    ("GET", "/laporan"): EVERYONE,
    ("GET", "/laporan/jumlah"): EVERYONE,
    ("GET", "/laporan/ekspor.csv"): EVERYONE,
    ("GET", "/laporan/ekspor.xlsx"): EVERYONE,
    ("GET", "/laporan/foto.zip"): EVERYONE,
    ("GET", "/laporan/{number:nomor}"): EVERYONE,
    ("GET", "/foto/{photo_id:int}/{size}"): EVERYONE,
    ("POST", "/laporan/setujui"): DECIDERS,
    ("POST", "/laporan/{number:nomor}/putusan"): DECIDERS,
    ("POST", "/laporan/{number:nomor}/keterangan"): DECIDERS,
    ("GET", "/unit"): COORDINATOR,
    ("POST", "/unit/tambah"): COORDINATOR,
    ("POST", "/unit/undangan"): COORDINATOR,
    ("GET", "/unit/undangan/{code}"): COORDINATOR,
    ("GET", "/unit/undangan/{code}/qr-{channel}.svg"): COORDINATOR,
    ("POST", "/unit/undangan/{code}/cabut"): COORDINATOR,
    ("GET", "/unit/{unit_id:int}"): COORDINATOR,
    ("POST", "/unit/{unit_id:int}/{action}"): COORDINATOR,
    ("GET", "/unit/anggota/{member_id:int}"): COORDINATOR,
    ("POST", "/unit/anggota/{member_id:int}/{action}"): COORDINATOR,
    ("GET", "/jadwal"): COORDINATOR,
    ("POST", "/jadwal"): COORDINATOR,
    ("GET", "/pengiriman"): COORDINATOR,
    ("POST", "/pengiriman/{source:str}/{item_id:int}/ulang"): COORDINATOR,
}


@dataclass
class Place:
    """Concrete values for the path parameters: things that exist in this newsroom."""

    number: str
    photo_id: int
    unit_id: int
    member_id: int
    code: str

    def path(self, template: str) -> str:
        values = {
            "{number:nomor}": self.number,
            "{photo_id:int}": str(self.photo_id),
            "{size}": "kecil",
            "{unit_id:int}": str(self.unit_id),
            "{member_id:int}": str(self.member_id),
            "{code}": self.code,
            "{channel}": "telegram",
            "{source:str}": "outbox",
            "{item_id:int}": "1",
            "{action}": "ganti-nama",
        }
        for key, value in values.items():
            template = template.replace(key, value)
        assert "{" not in template, template
        return template


def desk_routes(h: Harness) -> list[tuple[str, str]]:
    found = []
    for route in h.w.web.app.routes:
        if isinstance(route, Route) and not route.path.startswith("/webhooks"):
            found += [(m, route.path) for m in sorted(route.methods or []) if m != "HEAD"]
    return found


async def newsroom(h: Harness) -> tuple[dict[str, Person], Place]:
    people = {
        "koordinator": await join(h, "telegram", "Kori", Role.COORDINATOR),
        "redaktur": await join(h, "whatsapp", "Rina", Role.EDITOR),
        "operator": await join(h, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat"),
        "operator lain": await join(h, "telegram", "Sari", Role.OPERATOR, "Kecamatan Bogor Timur"),
        "nonaktif": await join(h, "telegram", "Tono", Role.EDITOR),
    }
    await people["operator"].photo(jpeg(), caption=CAPTION)
    await people["operator"].tap("Kirim")
    async with h.w.sessionmaker() as session:
        report = await session.scalar(select(Report).where(Report.number.is_not(None)))
        assert report is not None and report.number and report.unit_id
        photo_id = await session.scalar(select(Photo.id).where(Photo.report_id == report.id))
        budi = await session.scalar(select(Member.id).where(Member.name == "Budi"))
        assert photo_id is not None and budi is not None
    code = await h.invite_code(Role.OPERATOR, "Kecamatan Bogor Barat")
    return people, Place(report.number, photo_id, report.unit_id, budi, code)


async def signed_in(h: Harness, person: Person) -> tuple[httpx.AsyncClient, str]:
    client = browser(h)
    await sign_in(h, person, client)
    return client, csrf_of((await client.get("/dasbor")).text)


async def call(
    client: httpx.AsyncClient, method: str, path: str, csrf: str | None
) -> httpx.Response:
    if method == "GET":
        return await client.get(path)
    return await client.post(path, data={"csrf": csrf or ""}, headers=SAME_ORIGIN)


async def test_every_route_is_in_the_access_table(desk: Harness) -> None:
    routes = desk_routes(desk)
    assert sorted(set(routes) - set(ACCESS)) == [], "add the new route to ACCESS"
    assert sorted(set(ACCESS) - set(routes)) == [], "a route ACCESS names is gone"


async def test_every_route_for_every_role(desk: Harness) -> None:
    people, place = await newsroom(desk)
    clients = {name: await signed_in(desk, person) for name, person in people.items()}
    async with desk.w.sessionmaker() as session, session.begin():
        gone = await session.scalar(select(Member).where(Member.name == "Tono"))
        assert gone is not None
        await People(session).deactivate(gone, by=None, now=desk.clock())
    stranger = browser(desk)
    roles = {"koordinator": Role.COORDINATOR, "redaktur": Role.EDITOR, "operator": Role.OPERATOR}
    wrong: list[str] = []
    for method, template in desk_routes(desk):
        allowed = ACCESS[(method, template)]
        if allowed is PUBLIC:
            continue
        path = place.path(template)
        for name in ("nonaktif", "stranger"):
            client, csrf = clients["nonaktif"] if name == "nonaktif" else (stranger, None)
            answer = await call(client, method, path, csrf)
            if not _sent_to_sign_in(answer, method):
                wrong.append(f"{name} {method} {path}: {answer.status_code}")
        for name, role in roles.items():
            client, csrf = clients[name]
            answer = await call(client, method, path, csrf)
            refused = answer.status_code in (401, 403)
            if refused == (role in allowed) or answer.status_code >= 500:
                wrong.append(f"{name} {method} {path}: {answer.status_code}")
    for client, _ in clients.values():
        await client.aclose()
    await stranger.aclose()
    assert wrong == []


def _sent_to_sign_in(answer: httpx.Response, method: str) -> bool:
    if method == "GET":
        return answer.status_code == 303 and answer.headers["location"] == "/masuk"
    return answer.status_code in (401, 403)


@pytest.mark.parametrize(
    "path",
    ["/laporan/{number}", "/foto/{photo}/kecil", "/foto/{photo}/asli", "/laporan/ekspor.csv"],
)
async def test_an_operator_sees_only_their_own_unit(desk: Harness, path: str) -> None:
    people, place = await newsroom(desk)
    own, _ = await signed_in(desk, people["operator"])
    other, _ = await signed_in(desk, people["operator lain"])
    wanted = path.format(number=place.number, photo=place.photo_id)
    mine, theirs = await own.get(wanted), await other.get(wanted)
    await own.aclose()
    await other.aclose()
    assert mine.status_code == 200
    if wanted.endswith(".csv"):
        assert place.number in mine.text and place.number not in theirs.text
    else:
        assert theirs.status_code == 404
