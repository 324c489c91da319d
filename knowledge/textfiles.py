"""Uploaded bytes to text: size limits, encoding detection, line numbering.

Every loader starts here, so every format shares the same rules: a file over
`MAX_FILE_BYTES` is refused unread, a line over `MAX_LINE_BYTES` is reported and
never parsed, and text is UTF-8 (with or without BOM) or else GB18030 (what Excel
writes in a Chinese locale; a superset of GBK).

Japanese files are refused, not misread: Shift-JIS and EUC-JP bytes mostly decode as
GB18030 without an error, as mojibake (メンズ スーツ in Shift-JIS reads 儊儞僘 僗乕僣).
A file that is not UTF-8 is Japanese when it decodes without error as Shift-JIS
(cp932) or EUC-JP and that reading holds at least `MIN_KANA` kana, making up at least
`KANA_SHARE` of its non-ASCII characters: Japanese writes its grammar in kana, so
Japanese text is far above that share, while Chinese text read that way yields no kana
(GBK bytes read as Shift-JIS give half-width katakana and kanji) or only the odd
stylistic の of a title. The refusal names the first line GB18030 would misread (its
first line that is not ASCII).
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
JAPANESE_ENCODINGS = {"cp932": "Shift-JIS", "euc_jp": "EUC-JP"}
KANA_SHARE = 0.2
MIN_KANA = 3
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")    # hiragana, katakana (full width), ー


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
                f"{MAX_FILE_BYTES // 2**20} MiB limit; split it into smaller files",
                f"文件大小 {len(data) / 2**20:.1f} MiB，超过 {MAX_FILE_BYTES // 2**20} MiB 的上限；"
                "请拆分成几个小文件后再上传")
    if not data.strip():
        _reject(name, None, "file is empty; it must hold at least one record",
                "文件是空的，至少要有一条记录")
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
                     f"{MAX_LINE_BYTES // 2**20} MiB limit for one record; shorten it",
                     message_zh=f"这一行有 {len(lines[i]) / 2**20:.1f} MiB，超过单条记录 "
                     f"{MAX_LINE_BYTES // 2**20} MiB 的上限；请缩短")
        for i in long
    ]
    for i in long:
        lines[i] = b""
    return b"\n".join(lines), problems


def _decode(name: str, data: bytes) -> str:
    if data.startswith(UTF16_BOMS):
        _reject(name, 1, "file is UTF-16; save it as UTF-8 (or GBK) text and upload again",
                "文件是 UTF-16 编码，请另存为 UTF-8（或 GBK）后重新上传")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_bad = error.start
    decoded_prefix = data[:first_bad].decode("utf-8", errors="replace")
    if len(_CJK.findall(decoded_prefix)) >= UTF8_EVIDENCE_CHARS:
        _reject_bad_byte(name, data, first_bad, "UTF-8", "UTF-8")
    _refuse_japanese(name, data)
    try:
        return data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as error:
        _reject_bad_byte(name, data, max(first_bad, error.start), "UTF-8 nor GB18030/GBK",
                         "UTF-8，也不是有效的 GB18030/GBK")


def _refuse_japanese(name: str, data: bytes) -> None:
    """Reject a file that reads as Japanese (see the module docstring)."""
    for encoding, label in JAPANESE_ENCODINGS.items():
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        kana = len(_KANA.findall(text))
        wide = sum(1 for c in text if ord(c) > 0x7F)
        if kana >= MIN_KANA and kana >= KANA_SHARE * wide:
            line = next(n for n, part in enumerate(text.split("\n"), start=1)
                        if any(ord(c) > 0x7F for c in part))     # the first line GB18030 misreads
            _reject(name, line, f"file is {label} (Japanese) text, not UTF-8 or GB18030/GBK: line "
                    f"{line} reads as Japanese; save the file as UTF-8 and upload again",
                    f"文件是 {label} 编码的日文文本，不是 UTF-8 或 GB18030/GBK：第 {line} 行读出来是日文；"
                    "请另存为 UTF-8 后重新上传")


def _reject_bad_byte(name: str, data: bytes, position: int, tried: str, tried_zh: str) -> NoReturn:
    line = data.count(b"\n", 0, position) + 1
    _reject(name, line, f"file is not valid {tried} text: byte 0x{data[position]:02x} "
            f"cannot be decoded; save the file as UTF-8 and upload again",
            f"文件不是有效的 {tried_zh} 文本：字节 0x{data[position]:02x} 无法解码；"
            "请另存为 UTF-8 后重新上传")


def _reject(name: str, line: int | None, message: str, message_zh: str) -> NoReturn:
    raise UploadRejected([InputProblem(name, line, None, message, message_zh)])
