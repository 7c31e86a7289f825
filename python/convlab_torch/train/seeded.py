"""The engine's seeded shuffle (src/engine/data/random.ts: mulberry32 and Fisher–Yates), so that
the same seed visits the training examples in the same order on both engines."""
from typing import Callable, List

_MASK = 0xFFFFFFFF


def seeded_random(seed: int) -> Callable[[], float]:
    state = seed & _MASK

    def next_value() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & _MASK
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & _MASK
        t = t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & _MASK)) & _MASK)
        return ((t ^ (t >> 14)) & _MASK) / 4294967296

    return next_value


def shuffled(count: int, seed: int) -> List[int]:
    items = list(range(count))
    random = seeded_random(seed)
    for i in range(count - 1, 0, -1):
        j = int(random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items
