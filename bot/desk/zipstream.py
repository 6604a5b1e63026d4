"""A ZIP written front to back, for streaming a whole filtered set's photos to a browser.

Nothing grows with the number of files: each entry's size and CRC are known before its bytes
go out (read from disk first), so no data descriptors are needed and every reader opens it;
the central directory is spooled to a temporary file and sent at the end. Entries are stored
(JPEGs do not compress), ZIP64 records are added only when the archive needs them (more than
65,535 files, or past 4 GiB).
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Iterator
from datetime import datetime

UTF8_NAMES = 0x0800  # general purpose flag bit 11: file names are UTF-8
UNIX_FILE = 0o100644 << 16  # external attributes: a regular file, rw-r--r--
MADE_BY = (3 << 8) | 45  # Unix, spec 4.5 (ZIP64)
LIMIT_16, LIMIT_32 = 0xFFFF, 0xFFFFFFFF


class ZipStream:
    """Call entry() before each file's bytes, count its bytes out, then finish()."""

    def __init__(self, *, zip64_from: int = LIMIT_32, zip64_entries_from: int = LIMIT_16) -> None:
        # The thresholds are parameters so tests can reach the ZIP64 paths with small files.
        self.zip64_from, self.zip64_entries_from = zip64_from, zip64_entries_from
        self.offset = 0  # bytes written so far
        self.count = 0
        # On disk, so memory stays flat; closed (and gone) when the stream ends or is dropped.
        self._directory = tempfile.TemporaryFile()  # noqa: SIM115
        self._directory_size = 0

    def __enter__(self) -> ZipStream:
        return self

    def __exit__(self, *_: object) -> None:
        self._directory.close()

    def entry(self, name: str, size: int, crc: int, when: datetime) -> bytes:
        """The local header of a file of `size` bytes; its bytes must follow it."""
        if size >= LIMIT_32:
            raise ValueError(f"{name}: {size} bytes is more than one stored entry holds")
        raw = name.encode()
        stamp = _dos_time(when)
        needed = 20
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, needed, UTF8_NAMES, 0, *stamp, crc, size, size, len(raw), 0
        )
        self._remember(raw, stamp, crc, size)
        self.offset += len(header) + len(raw) + size
        self.count += 1
        return header + raw

    def _remember(self, raw: bytes, stamp: tuple[int, int], crc: int, size: int) -> None:
        far = self.offset >= self.zip64_from
        extra = struct.pack("<HHQ", 0x0001, 8, self.offset) if far else b""
        record = struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            MADE_BY,
            45 if far else 20,
            UTF8_NAMES,
            0,  # stored
            *stamp,
            crc,
            size,
            size,
            len(raw),
            len(extra),
            0,  # no comment
            0,  # disk
            0,  # internal attributes
            UNIX_FILE,
            LIMIT_32 if far else self.offset,
        )
        self._directory.write(record + raw + extra)
        self._directory_size += len(record) + len(raw) + len(extra)

    def finish(self, chunk: int = 1 << 16) -> Iterator[bytes]:
        """The central directory and the end records."""
        start, size = self.offset, self._directory_size
        self._directory.seek(0)
        while piece := self._directory.read(chunk):
            yield piece
        self.offset += size
        yield self._end(start, size)

    def _end(self, start: int, size: int) -> bytes:
        big = (
            self.count >= self.zip64_entries_from
            or start >= self.zip64_from
            or size >= self.zip64_from
        )
        tail = b""
        if big:
            record_at = self.offset
            tail += struct.pack(
                "<IQHHIIQQQQ",
                0x06064B50,
                44,
                MADE_BY,
                45,
                0,
                0,
                self.count,
                self.count,
                size,
                start,
            )
            tail += struct.pack("<IIQI", 0x07064B50, 0, record_at, 1)
        entries = LIMIT_16 if big else self.count
        tail += struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            entries,
            entries,
            LIMIT_32 if big else size,
            LIMIT_32 if big else start,
            0,
        )
        return tail


def _dos_time(when: datetime) -> tuple[int, int]:
    """(time, date) as MS-DOS writes them: local wall time, two-second steps, from 1980."""
    if when.year < 1980:
        when = datetime(1980, 1, 1)
    return (
        (when.hour << 11) | (when.minute << 5) | (when.second // 2),
        ((when.year - 1980) << 9) | (when.month << 5) | when.day,
    )
