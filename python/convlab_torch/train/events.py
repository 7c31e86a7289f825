"""Engine events as JSON lines on stdout, from rank 0 only (src/protocol/engine.ts is the schema;
the engine checks each line against it). JSON has no NaN: a diverged metric goes as null."""
import json
import math
import sys
from typing import Any, Dict, Optional

from .context import RunContext


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items() if v is not None or k in ("loss", "accuracy")}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class EventWriter:
    def __init__(self, context: RunContext) -> None:
        self._on = context.is_main

    def emit(self, event: Dict[str, Any]) -> None:
        if not self._on:
            return
        sys.stdout.write(json.dumps(_finite(event), allow_nan=False) + "\n")
        sys.stdout.flush()


def rounded(value: float, places: int = 2) -> float:
    return round(value, places)


def optional(key: str, value: Optional[Any]) -> Dict[str, Any]:
    return {} if value is None else {key: value}
