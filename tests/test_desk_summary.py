"""Ringkasan (/dasbor): this week's figures, unit activity with the silent first, and the
queue with its oldest wait; an operator sees only their own unit (issue 11)."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import Role, Unit
from tests.channels import Person, join
from tests.desk_helpers import browser, sign_in
from tests.harness import CAPTION, Clock, Harness, jpeg


async def report(person: Person) -> None:
    await person.photo(jpeg(), caption=CAPTION)
    await person.tap("Kirim")


async def newsroom(desk: Harness) -> tuple[Person, Person, Person]:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    budi = await join(desk, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    sari = await join(desk, "whatsapp", "Sari", Role.OPERATOR, "Dinas Kesehatan")
    await join(desk, "telegram", "Tono", Role.OPERATOR, "Kecamatan Tanah Sareal")
    async with desk.w.sessionmaker() as session, session.begin():
        await session.execute(update(Unit).where(Unit.name == "Dinas Kesehatan").values(kind="opd"))
    return editor, budi, sari


async def test_the_week_the_queue_and_the_silent_units(desk: Harness, clock: Clock) -> None:
    editor, budi, sari = await newsroom(desk)
    await report(budi)
    clock.advance(hours=3)
    await report(sari)
    clock.advance(hours=2)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        page = (await client.get("/dasbor")).text
    assert "<strong>2</strong> laporan dari 2 unit" in page
    assert "<strong>2</strong> laporan menunggu" in page
    assert "yang paling lama sudah <strong>5 jam</strong>" in page
    assert page.index("#2026-0001") < page.index("#2026-0002")  # oldest first
    # The silent first: Tanah Sareal never reported.
    assert page.index("Kecamatan Tanah Sareal") < page.index("Kecamatan Bogor Barat</th><td>Aktif")
    assert "1 dari 3 unit belum melapor" in page and "belum pernah" in page


async def test_filter_units_by_kind_swaps_only_that_part(desk: Harness) -> None:
    editor, budi, _ = await newsroom(desk)
    await report(budi)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        opd = await client.get("/dasbor/unit?jenis=opd", headers={"HX-Request": "true"})
        full = await client.get("/dasbor?jenis=kecamatan")
    assert opd.status_code == 200
    assert opd.text.lstrip().startswith('<section id="aktivitas"') and "<html" not in opd.text
    assert "Dinas Kesehatan" in opd.text and "Kecamatan Bogor Barat" not in opd.text
    units = full.text[full.text.index('id="aktivitas"') :]
    assert "Dinas Kesehatan" not in units and "Kecamatan Tanah Sareal" in units


async def test_an_operator_sees_only_their_own_unit(desk: Harness) -> None:
    _, budi, sari = await newsroom(desk)
    await report(budi)
    await report(sari)
    async with browser(desk) as client:
        await sign_in(desk, budi, client)
        page = (await client.get("/dasbor")).text
    assert "<strong>1</strong> laporan dari 1 unit" in page
    assert "Dinas Kesehatan" not in page and "Kecamatan Tanah Sareal" not in page
    assert "<strong>1</strong> laporan menunggu" in page
    assert 'name="jenis"' not in page  # no organization-wide filter for an operator
