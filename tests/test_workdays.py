"""National holidays from handlers/holidays_id.toml: the same days and names as the `holidays`
library gives (the file is written from it), without loading the library (~11 MB, issue 13)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import holidays

from handlers import workdays
from handlers.workdays import HOLIDAY_FILE, holiday_file_text, national_holiday
from tests.harness import ROOT


def from_library(day: date) -> str | None:
    """What national_holiday said before the file: the library asked directly."""
    calendar = holidays.country_holidays("ID", language="id", categories=("public", "government"))
    names = calendar.get_list(day)
    return " / ".join(dict.fromkeys(names)) if names else None


def test_the_file_is_what_the_installed_library_says() -> None:
    # On a `holidays` upgrade this fails: rewrite the file with `python -m handlers.workdays`.
    assert HOLIDAY_FILE.read_text(encoding="utf-8") == holiday_file_text()


def test_every_day_of_2025_to_2028_is_named_as_the_library_names_it() -> None:
    calendar = holidays.country_holidays("ID", language="id", categories=("public", "government"))
    day, found = date(2025, 1, 1), 0
    while day.year <= 2028:
        names = calendar.get_list(day)
        expected = " / ".join(dict.fromkeys(names)) if names else None
        assert national_holiday(day) == expected, day
        found += expected is not None
        day += timedelta(days=1)
    assert found > 60  # Idulfitri, Iduladha, cuti bersama… each year, not an empty file
    assert national_holiday(date(2026, 3, 21)) == from_library(date(2026, 3, 21))
    assert national_holiday(date(2026, 12, 24)) is not None  # cuti bersama counts


def test_a_year_outside_the_file_asks_the_library() -> None:
    later = date(workdays.HOLIDAY_YEARS[-1] + 1, 12, 25)
    assert national_holiday(later) == from_library(later)
    assert "Hari Raya Natal" in (national_holiday(later) or "")


def test_asking_within_the_file_does_not_load_the_library() -> None:
    script = (
        "import sys, datetime, bot.cli, bot.app; from handlers.workdays import national_holiday;"
        "print(national_holiday(datetime.date(2026, 12, 25)), 'holidays' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.strip() == "Hari Raya Natal False", run.stdout + run.stderr
