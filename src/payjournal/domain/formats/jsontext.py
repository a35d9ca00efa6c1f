"""Loading a JSON document from a file's bytes with limits, so no input can crash a reader.

Python's ``json`` recurses once per nested array or object: a document nested 100,000 deep
raises RecursionError, and an integer of more than 4,300 digits raises ValueError. So before
parsing, the nesting depth is measured (at C speed, outside strings) and refused past
:data:`MAX_JSON_DEPTH` with the line where it happens; and numbers longer than
:data:`MAX_NUMBER_LENGTH` characters are kept as their text instead of being converted, so the
field they belong to refuses them by name (``amount``, ``period.year`` …). A key given twice
in one object is refused too, rather than letting the last value win.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from itertools import accumulate
from typing import Any

from payjournal.domain.formats.codes import MAX_CODE_LENGTH
from payjournal.domain.formats.fields import ProblemList, decode_text

__all__ = ["MAX_JSON_DEPTH", "MAX_NUMBER_LENGTH", "deepest_line", "load_json"]

#: Run and scheme documents nest at most 5 deep (document → lines → line → allocation →
#: share); 20 leaves room for extra fields a payroll system adds, far below Python's limit.
MAX_JSON_DEPTH = 20
#: No number payjournal reads is longer (an amount has at most 40 characters, see fields.py).
MAX_NUMBER_LENGTH = 40

_NOT_BRACKET_OR_QUOTE = bytes(b for b in range(256) if b not in b'[]{}"')
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def deepest_line(data: bytes, limit: int = MAX_JSON_DEPTH) -> int | None:
    """The 1-based line where arrays and objects first nest deeper than `limit`, else None.

    The usual case is answered without a Python loop over the text: escaped backslashes and
    quotes are dropped, then everything but brackets and quotes, then the parts inside
    strings; a running sum over the brackets left gives the depth. Only a document that is
    too deep is scanned token by token, to find the line. (UTF-8 never puts these
    ASCII bytes inside a multi-byte character; invalid JSON is left to the parser, which
    stops at its first error before it could nest deeper than counted here.)
    """
    original = data
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept = data.translate(None, _NOT_BRACKET_OR_QUOTE)
    # Two quotes in a row close a string and open the next with no bracket between them, or
    # enclose an empty string: either way dropping them keeps every bracket on its side.
    kept = kept.replace(b'""', b"")
    brackets = b"".join(kept.split(b'"')[::2])
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= limit:
        return None
    text = original.decode("utf-8", errors="replace")
    depth = 0
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, token.start()) + 1
        elif mark in "]}":
            depth -= 1
    return None  # only for invalid JSON (an unclosed string), which the parser refuses


def _number(convert: type[int] | type[Decimal]) -> Any:
    def parse(text: str) -> int | Decimal | str:
        return convert(text) if len(text) <= MAX_NUMBER_LENGTH else text

    return parse


class _Objects:
    """Builds the JSON objects, noting a key given twice in one (Python keeps the last value
    and drops the others without a word: a line's second ``amount`` would win)."""

    def __init__(self) -> None:
        self.repeated: dict[str, None] = {}

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        built = dict(pairs)
        if len(built) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.repeated[key] = None
                seen.add(key)
        return built


def load_json(data: bytes, source: str, problems: ProblemList) -> Any:
    """The document in `data`, with exact decimals; raises `InputError` when it cannot be read.

    ``NaN`` and ``Infinity`` (not JSON, but accepted by Python) stay text, so the field they
    stand in refuses them like any other word. A key given twice in one object is refused.
    """
    text = decode_text(data, source)
    line = deepest_line(data)
    if line is not None:
        problems.add(
            line, None, f"nested more than {MAX_JSON_DEPTH} levels deep: not a run or scheme"
        )
        problems.check()
    objects = _Objects()
    try:
        document = json.loads(
            text,
            parse_float=_number(Decimal),
            parse_int=_number(int),
            parse_constant=str,
            object_pairs_hook=objects,
        )
    except json.JSONDecodeError as error:
        problems.add(error.lineno, None, f"not valid JSON: {error.msg} (column {error.colno})")
        problems.check()
        raise AssertionError("unreachable") from None
    for key in objects.repeated:
        problems.add(0, key[:MAX_CODE_LENGTH], "is given twice in one object: keep one")
    problems.check()
    return document
