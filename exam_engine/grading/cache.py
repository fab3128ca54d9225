"""An in-process LRU cache of grading results.

Keyed by (normalised answer, answer key, test, options, settings, ``GRADER_VERSION``), so a
new grader version never reuses an old verdict.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from .normalise import normalise
from .types import GRADER_VERSION, GradeResult, PartSettings

CacheKey = tuple[str, str, str, str | None, PartSettings | None, str]


class GradeCache:
    """A thread-safe LRU mapping of grading inputs to :class:`GradeResult`.

    :param maxsize: the most entries kept.
    """

    def __init__(self, maxsize: int = 20000):
        self.maxsize = maxsize
        self._data: OrderedDict[CacheKey, GradeResult] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(
        student: str,
        teacher: str,
        test: str,
        options: str | None,
        settings: PartSettings | None,
        raw: bool = False,
    ) -> CacheKey:
        """Build the cache key; the answer is normalised unless the test compares raw text.

        :param student: the answer.
        :param teacher: the key.
        :param test: the answer test.
        :param options: its options.
        :param settings: the part's settings.
        :param raw: whether the test compares raw strings.
        :returns: the key.
        """
        answer = student if raw or len(student) > 5000 else normalise(student).strip()
        return (answer, teacher, test, options, settings, GRADER_VERSION)

    def get(self, key: CacheKey) -> GradeResult | None:
        """Look a result up (and mark it recently used).

        :param key: the key from :meth:`key`.
        :returns: the cached result, or ``None``.
        """
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return hit

    def put(self, key: CacheKey, result: GradeResult) -> None:
        """Store a result; errors from limits are not cached (they may pass next time).

        :param key: the key from :meth:`key`.
        :param result: the result.
        """
        if result.note in ("LIMIT", "INTERNAL"):
            return
        with self._lock:
            self._data[key] = result
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


CACHE = GradeCache()
