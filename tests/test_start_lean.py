"""What a `whrd` process imports at start (`__main__.short_lived_process`): msgspec without
typing_extensions, and msgspec decoding whrd's types exactly as it does with it."""

from __future__ import annotations

import subprocess
import sys

# Decodes whrd's partial bulletins (a TypedDict with optional keys, `light.PartialBulletin`) and
# a Struct with defaults, and prints what it got and whether typing_extensions was loaded.
_PROBE = """
import sys
{start}
import msgspec
from whrd_cli.storage.light import PartialBulletin
from whrd_cli.stats import Count
loaded = "typing_extensions" in sys.modules
raw = b'{{"1": {{"_key": "a", "uid": "u", "title": "x"}}, "2": {{}}}}'
print(loaded, msgspec.json.decode(raw, type=dict[str, PartialBulletin]))
print(msgspec.json.decode(b'{{"value": "HN", "label": "Honduras", "count": 3, "share": 0.5}}', type=Count))
try:
    msgspec.json.decode(b'{{"1": {{"_key": 5}}}}', type=dict[str, PartialBulletin])
except msgspec.ValidationError as exc:
    print(exc)
import typing_extensions  # found as usual once the start is over
print(typing_extensions.__name__)
"""


def _probe(start: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(start=start)], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_start_imports_msgspec_without_typing_extensions_and_decodes_alike() -> None:
    lean = _probe("from whrd_cli.__main__ import short_lived_process\nshort_lived_process()")
    usual = _probe("import typing_extensions")
    assert lean[0].startswith("False ") and usual[0].startswith("True ")
    assert lean[0].removeprefix("False ") == usual[0].removeprefix("True ")
    assert "'_key': 'a'" in lean[0] and "'2': {}" in lean[0]
    assert lean[1:] == usual[1:]
    assert "Expected `str | null`, got `int`" in lean[2]
    assert lean[3] == "typing_extensions"
