"""Which characters a string from a client may hold.

Every string a client sends (JSON fields, query and path parameters, form fields,
upload fields) is refused when it holds a lone surrogate (half of a UTF-16 pair: not
text, and it cannot be written as UTF-8) or a control character: C0 (U+0000-U+001F),
DEL (U+007F) or C1 (U+0080-U+009F). Free text (a shopper's message, a prompt, a
policy's body, a CSV cell) may also hold tab, line feed and carriage return; names,
labels, parameters and keys may not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATES = "\ud800-\udfff"
_BAD_IN_FREE_TEXT = re.compile(f"[{_CONTROLS}{_SURROGATES}]")
_BAD_IN_ONE_LINE = re.compile(f"[\t\n\r{_CONTROLS}{_SURROGATES}]")
LINE_BREAKS = "\t\n\r"
# the usual names of the controls a client sends by mistake
_CONTROL_NAMES = {0x00: "NUL", 0x09: "tab", 0x0A: "line feed", 0x0D: "carriage return",
                  0x1B: "ESC", 0x7F: "DEL"}


@dataclass(frozen=True)
class Flaw:
    """The first character a string may not hold: where, which, and what to do."""

    index: int
    char: str

    @property
    def surrogate(self) -> bool:
        return 0xD800 <= ord(self.char) <= 0xDFFF

    def __str__(self) -> str:
        code = ord(self.char)
        if self.surrogate:
            what, advice = f"a lone surrogate U+{code:04X}", "send valid Unicode text"
        else:
            name = _CONTROL_NAMES.get(code)
            what = f"the control character U+{code:04X}" + (f" ({name})" if name else "")
            advice = "this field is one line; remove it" if self.char in LINE_BREAKS else "remove it"
        return f"holds {what} at character {self.index + 1}; {advice}"


def flaw(text: str, *, free_text: bool) -> Flaw | None:
    """The first character `text` may not hold, or None when it is clean."""
    found = (_BAD_IN_FREE_TEXT if free_text else _BAD_IN_ONE_LINE).search(text)
    return None if found is None else Flaw(found.start(), found.group())


def problem(text: str, *, free_text: bool) -> str | None:
    """What is wrong with `text`, as a message that says what to do; None when it is clean."""
    found = flaw(text, free_text=free_text)
    return None if found is None else str(found)


def shown(text: str) -> str:
    """`text` safe to echo in a response or a log: every character it may not hold escaped."""
    return _BAD_IN_ONE_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class FlawAt:
    """A flaw in one string of a JSON-like value: the keys and indexes leading to it."""

    path: tuple[str | int, ...]
    flaw: Flaw
    in_key: bool = False      # the flaw is in the object key that ends `path`

    @property
    def field(self) -> str:
        """The path as `history.1.text`, each key `shown`."""
        return ".".join(shown(p) if isinstance(p, str) else str(p) for p in self.path)

    def __str__(self) -> str:
        return ("the field name " if self.in_key else "") + str(self.flaw)


def flaws_in(value: object) -> list[FlawAt]:
    """Every string of a JSON-like value (dicts, lists, strings) holding a character it may
    not hold, in document order. Values are free text; object keys are one line."""
    found: list[FlawAt] = []
    stack: list[tuple[tuple[str | int, ...], object]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            bad = flaw(item, free_text=True)
            if bad is not None:
                found.append(FlawAt(path, bad))
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                where = (*path, key)
                bad = flaw(key, free_text=False) if isinstance(key, str) else None
                if bad is not None:
                    found.append(FlawAt(where, bad, in_key=True))
                children.append((where, child))
            stack.extend(reversed(children))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed([((*path, i), child) for i, child in enumerate(item)]))
    return found
