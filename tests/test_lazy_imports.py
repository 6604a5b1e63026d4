"""What only rare paths need is imported when used: a process starts without it (issue 13:
fpdf2, fontTools and openpyxl alone were ~34 MB of every process)."""

from __future__ import annotations

import subprocess
import sys

from bot import app
from bot.channels import whatsapp
from tests.harness import ROOT

# The weekly recap (fpdf, fontTools, openpyxl), WhatsApp (pywa), the desk (jinja2, segno),
# migrations (alembic, mako), the web server (uvicorn), a year outside handlers/holidays_id.toml
# (holidays), the first HEIF photo (pillow_heif).
RARE = ("fpdf", "fontTools", "openpyxl", "pywa", "pywa_async", "jinja2", "segno", "alembic")
RARE += ("mako", "uvicorn", "holidays", "pillow_heif")


def test_starting_warta_loads_none_of_the_rare_packages() -> None:
    script = f"import sys, bot.cli, bot.app; print([m for m in {RARE!r} if m in sys.modules])"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


def test_the_app_names_whatsapp_as_its_channel_does() -> None:
    assert app.WHATSAPP == whatsapp.CHANNEL


def test_pillow_heif_is_loaded_by_the_first_heic_only() -> None:
    script = """
import io, sys
from PIL import Image
from storage.media import inspect_image
jpeg = io.BytesIO()
Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, "JPEG")
inspect_image(jpeg.getvalue(), max_pixels=10**8)
print("after a JPEG:", "pillow_heif" in sys.modules)
from pillow_heif import from_pillow
heic = io.BytesIO()
from_pillow(Image.new("RGB", (64, 48), (30, 200, 30))).save(heic, quality=80)
print("heic:", inspect_image(heic.getvalue(), max_pixels=10**8).mime)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.split("\n")[:2] == ["after a JPEG: False", "heic: image/heic"], (
        run.stdout + run.stderr
    )
