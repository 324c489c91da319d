"""Uploaded bytes to text: size limits, encoding detection, line numbering.

Every loader starts here, so every format shares the same rules: a file over
`MAX_FILE_BYTES` is refused unread, a line over `MAX_LINE_BYTES` is reported and
never parsed, and text is UTF-8 (with or without BOM) or else GB18030 (what Excel
writes in a Chinese locale; a superset of GBK).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

from copilot.errors import InputProblem, UploadRejected

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024
FALLBACK_ENCODING = "gb18030"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Chinese text that decoded as UTF-8 before the first bad byte shows the file is
# UTF-8 with a damaged byte, not GB18030 (whose Chinese never decodes that far).
UTF8_EVIDENCE_CHARS = 2
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class TextFile:
    """A decoded upload: its text with 1-based line numbers; over-long lines blanked."""

    name: str
    text: str
    problems: tuple[InputProblem, ...] = ()

    def lines(self) -> Iterator[tuple[int, str]]:
        """Each line (without its line break) and its 1-based number."""
        for number, line in enumerate(self.text.split("\n"), start=1):
            yield number, line.removesuffix("\r")


def open_text(name: str, data: bytes) -> TextFile:
    """Decode one uploaded file; raise `UploadRejected` when it cannot be read at all."""
    if len(data) > MAX_FILE_BYTES:
        _reject(name, None, f"file is {len(data) / 2**20:.1f} MiB, more than the "
                f"{MAX_FILE_BYTES // 2**20} MiB limit; split it into smaller files")
    if not data.strip():
        _reject(name, None, "file is empty; it must hold at least one record")
    data, problems = _blank_long_lines(name, data)
    return TextFile(name=name, text=_decode(name, data).removeprefix("\ufeff"),
                    problems=tuple(problems))


def _blank_long_lines(name: str, data: bytes) -> tuple[bytes, list[InputProblem]]:
    """Replace each line over the limit by an empty one, keeping line numbers."""
    lines = data.split(b"\n")
    long = [i for i, line in enumerate(lines) if len(line.rstrip(b"\r")) > MAX_LINE_BYTES]
    if not long:
        return data, []
    problems = [
        InputProblem(name, i + 1, None,
                     f"line is {len(lines[i]) / 2**20:.1f} MiB, more than the "
                     f"{MAX_LINE_BYTES // 2**20} MiB limit for one record; shorten it")
        for i in long
    ]
    for i in long:
        lines[i] = b""
    return b"\n".join(lines), problems


def _decode(name: str, data: bytes) -> str:
    if data.startswith(UTF16_BOMS):
        _reject(name, 1, "file is UTF-16; save it as UTF-8 (or GBK) text and upload again")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_bad = error.start
    decoded_prefix = data[:first_bad].decode("utf-8", errors="replace")
    if len(_CJK.findall(decoded_prefix)) >= UTF8_EVIDENCE_CHARS:
        _reject_bad_byte(name, data, first_bad, "UTF-8")
    try:
        return data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as error:
        _reject_bad_byte(name, data, max(first_bad, error.start), "UTF-8 nor GB18030/GBK")


def _reject_bad_byte(name: str, data: bytes, position: int, tried: str) -> NoReturn:
    line = data.count(b"\n", 0, position) + 1
    _reject(name, line, f"file is not valid {tried} text: byte 0x{data[position]:02x} "
            f"cannot be decoded; save the file as UTF-8 and upload again")


def _reject(name: str, line: int | None, message: str) -> NoReturn:
    raise UploadRejected([InputProblem(name, line, None, message)])
