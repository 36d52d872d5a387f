"""JSON text for ``--json``: an indented object whose long list has one compact item per line.

``json.dumps(..., indent=2)`` runs the standard library's pure-Python encoder (its C encoder
only writes unindented JSON): at 10k projects that was the largest cost of ``plan --json``
after reading. Here each item of the long list (a plan's actions, a run's results) is encoded
by the C encoder on one line; the rest of the object stays indented. The keys and values are
the same, only the whitespace differs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def dumps(data: dict[str, Any], rows: str, default: Callable[[Any], Any] | None = None) -> str:
    """``data`` as JSON text, the list under the key ``rows`` one item per line."""
    encode = json.JSONEncoder(ensure_ascii=False, default=default).encode
    last = len(data) - 1
    parts = ["{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i < last else ""
        if key == rows and isinstance(value, list) and value:
            parts.append(f"  {encode(key)}: [")
            parts.append(",\n".join(["    " + encode(item) for item in value]))
            parts.append(f"  ]{comma}")
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False, default=default).replace("\n", "\n  ")
            parts.append(f"  {encode(key)}: {text}{comma}")
    parts.append("}")
    return "\n".join(parts)
