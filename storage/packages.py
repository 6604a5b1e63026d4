"""The upload package of an approved report: every derivative of every photo, and a caption.

Blocking (Pillow, zipfile): call through asyncio.to_thread.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from storage.derivatives import ensure_derivatives
from storage.media import MediaStore, save_by_content

GUIDE = """\
Ukuran foto di paket ini:
- instagram-feed-4x5 / instagram-feed-1x1: feed Instagram dan Facebook
- story-9x16: Story Instagram/Facebook, TikTok, Reels
- web: situs web dan X
- thumbnail: daftar berita
"""


def write_package(
    media: MediaStore, photos: list[tuple[str, str]], caption: str, folder: Path, stem: str
) -> Path:
    """A ZIP named by its content, so the same package is written once. photos: (path, sha256)
    of each original; their derivatives are made now unless approval already made them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("caption.txt", caption + "\n\n" + GUIDE, zipfile.ZIP_DEFLATED)
        for n, (original, sha256) in enumerate(photos, 1):
            for name, path in ensure_derivatives(media, original, sha256).items():
                # JPEGs are compressed already: stored, not deflated again.
                package.write(path, f"foto-{n}/{name}.jpg", zipfile.ZIP_STORED)
    return save_by_content(folder, out.getvalue(), "zip", stem)
