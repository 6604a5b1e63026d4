"""The newsroom's web desk, on Warta's own web app (issue 11)."""

from bot.desk.guard import EVERYONE, Refused, form_of, require
from bot.desk.site import Desk

__all__ = ["EVERYONE", "Desk", "Refused", "form_of", "require"]
