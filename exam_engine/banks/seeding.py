"""Reproducible randomness: one generator per (question, seed), independent of ``hash()``.

Draws use :class:`random.Random` seeded from sha256 of (question id, seed) and only its
``getrandbits`` (whose output for a given seed has been stable across Python versions), never
``randrange``/``shuffle``, whose algorithms have changed between versions.
"""

from __future__ import annotations

import hashlib
import random


def rng_for(question_id: str, seed: int) -> random.Random:
    """Return the random generator of one variant.

    :param question_id: the question's id.
    :param seed: the variant seed.
    :returns: a generator seeded from sha256(question id, seed), independent of ``hash()``.
    """
    digest = hashlib.sha256(f"{question_id}\x00{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def below(rng: random.Random, n: int) -> int:
    """A uniform integer in ``[0, n)`` built on ``getrandbits`` only (stable across versions).

    :param rng: the generator.
    :param n: the bound, at least 1.
    :returns: the integer.
    """
    bits = max(n.bit_length(), 1)
    while True:
        value = rng.getrandbits(bits)
        if value < n:
            return value


def shuffled(rng: random.Random, items: list[str]) -> list[str]:
    """Fisher-Yates shuffle using :func:`below`.

    :param rng: the generator.
    :param items: the items.
    :returns: a shuffled copy.
    """
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = below(rng, i + 1)
        out[i], out[j] = out[j], out[i]
    return out
