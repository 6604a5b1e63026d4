"""The upload package of an approved report: every derivative of every photo, and a caption.

Blocking (Pillow, zipfile): call through asyncio.to_thread.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from storage.derivatives import make_derivatives
from storage.media import save_by_content

GUIDE = """\
Ukuran foto di paket ini:
- instagram-feed-4x5 / instagram-feed-1x1: feed Instagram dan Facebook
- story-9x16: Story Instagram/Facebook, TikTok, Reels
- web: situs web dan X
- thumbnail: daftar berita
"""


def write_package(originals: list[Path], caption: str, folder: Path, stem: str) -> Path:
    """A ZIP named by its content, so the same package is written once."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("caption.txt", caption + "\n\n" + GUIDE, zipfile.ZIP_DEFLATED)
        for n, original in enumerate(originals, 1):
            for name, data in make_derivatives(original.read_bytes()).items():
                # JPEGs are compressed already: stored, not deflated again.
                package.writestr(f"foto-{n}/{name}.jpg", data, zipfile.ZIP_STORED)
    return save_by_content(folder, out.getvalue(), "zip", stem)
