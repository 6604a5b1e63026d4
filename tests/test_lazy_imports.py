"""What only rare paths need is imported when used: a process starts without it (issue 13:
fpdf2, fontTools and openpyxl alone were ~34 MB of every process)."""

from __future__ import annotations

import subprocess
import sys

from bot import app
from bot.channels import whatsapp
from tests.harness import ROOT

# The weekly recap (fpdf, fontTools, openpyxl), WhatsApp (pywa), the desk (jinja2, segno),
# migrations (alembic, mako), the web server (uvicorn).
RARE = ("fpdf", "fontTools", "openpyxl", "pywa", "pywa_async", "jinja2", "segno", "alembic")
RARE += ("mako", "uvicorn")


def test_starting_warta_loads_none_of_the_rare_packages() -> None:
    script = f"import sys, bot.cli, bot.app; print([m for m in {RARE!r} if m in sys.modules])"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


def test_the_app_names_whatsapp_as_its_channel_does() -> None:
    assert app.WHATSAPP == whatsapp.CHANNEL
