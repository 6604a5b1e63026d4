"""Prompt files: every key used in code exists, placeholders line up, schedules load."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from bot.channels.telegram import HtmlMarkup
from handlers.messages import t
from handlers.schedule import ScheduleError, load_reasons, load_schedule
from handlers.texts import Texts, placeholders, render_template

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ROOT / "prompts"


def texts() -> Texts:
    return Texts.load(PROMPTS / "id.toml")


def used_keys() -> dict[str, set[str] | None]:
    """Keys of t("...", name=...) calls in the code, with the names passed (None: **kwargs)."""
    found: dict[str, set[str] | None] = {}
    for path in [*ROOT.glob("handlers/*.py"), *ROOT.glob("bot/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                continue
            names = {k.arg for k in node.keywords}
            found[node.args[0].value] = None if None in names else names  # type: ignore[assignment]
            # keys chosen by a conditional expression: key = "a" if ... else "b"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.IfExp) and all(
                isinstance(v, ast.Constant) and isinstance(v.value, str) and "." in v.value
                for v in (node.body, node.orelse)
            ):
                for v in (node.body, node.orelse):
                    found.setdefault(v.value, None)  # type: ignore[union-attr]
    return found


def test_every_key_used_in_code_exists_with_its_placeholders() -> None:
    catalogue = texts()
    keys = used_keys()
    assert len(keys) > 80
    for key, names in keys.items():
        template = catalogue.template(key)
        if names is None:
            continue
        missing = placeholders(template) - names
        assert not missing, f"{key} needs {missing}, code passes {names}"


def test_every_photo_problem_has_a_message() -> None:
    catalogue = texts()
    for code in (
        "not_photo",
        "video",
        "heic",
        "not_image",
        "unsupported",
        "corrupt",
        "too_big",
        "too_many_pixels",
        "download_failed",
    ):
        assert catalogue.template(f"photo.{code}")


def test_every_photo_warning_has_a_message_with_its_details() -> None:
    catalogue = texts()
    details = {"small": {"side", "min"}, "old": {"days"}, "duplicate": {"number"}}
    for code in ("small", "dark", "blurry", "old", "duplicate"):
        assert placeholders(catalogue.template(f"warn.{code}")) == {"n"} | details.get(code, set())


def test_user_text_is_escaped_and_bold_applied() -> None:
    out = render_template(
        "*#{number}* {caption}",
        {"number": "2026-0001", "caption": "<b>Rapat</b> & *penting*"},
        HtmlMarkup(),
    )
    assert out == "<b>#2026-0001</b> &lt;b&gt;Rapat&lt;/b&gt; &amp; *penting*"


def test_render_uses_keys() -> None:
    assert texts().render(t("report.photos_received", count=3)) == "✅ 3 foto diterima."


def test_bogor_schedule_by_weekday() -> None:
    schedule = load_schedule(PROMPTS / "pillars" / "kota-bogor.toml")
    monday = date(2026, 11, 23)
    names = [schedule.for_day(date(2026, 11, 23 + i)) for i in range(7)]
    assert [p.name if p else None for p in names] == [
        "Informasi",
        "UMKM",
        "Wisata",
        "Kamis Nyunda",
        "Pemkot goes to school",
        "Rekomendasi",
        None,
    ]
    assert schedule.for_day(monday).hashtags


def test_wajo_categories_have_no_days() -> None:
    schedule = load_schedule(PROMPTS / "pillars" / "wajo.toml")
    assert len(schedule.pillars) == 4 and schedule.for_day(date(2026, 11, 23)) is None


def test_reasons_load() -> None:
    reasons = load_reasons(PROMPTS / "reasons.toml")
    assert any("PKL" in r.text for r in reasons)
    assert all(len(r.label) <= 24 for r in reasons)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name = 'x'\n", "belum ada pilar"),
        ("[[pillars]]\nname = 'A'\n", "baris 1, pilar ke-1: key belum diisi"),
        (
            "[[pillars]]\nkey='a'\nname='A'\ndays=['funday']\n",
            "baris 4, pilar ke-1: hari 'funday' tidak dikenal",
        ),
        ("[[pillars]\nkey='a'\n", "baris 1 kolom"),
        (
            "[[pillars]]\nkey='a'\nname='A'\n[[pillars]]\nkey='a'\nname='B'\n",
            "baris 5, pilar ke-2: key 'a' sudah dipakai",
        ),
        (
            "[[pillars]]\nkey='a'\nname='A'\ndays=['senin']\n"
            "[[pillars]]\nkey='b'\nname='B'\ndays=['senin']\n",
            "baris 8, pilar ke-2: hari senin sudah dipakai pilar 'A'",
        ),
        (
            "[[pillars]]\nkey='a'\nname='A'\n[holidays]\naction = 'libur'\n",
            "baris 5: holidays.action 'libur' tidak dikenal",
        ),
    ],
)
def test_broken_schedule_is_explained(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(content)
    with pytest.raises(ScheduleError, match=re.escape(message)):
        load_schedule(path)
