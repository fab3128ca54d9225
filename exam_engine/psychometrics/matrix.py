"""The candidates × items score matrix that every statistic in this package starts from.

Items are *questions*. When candidates draw their questions from pools, a candidate's row has a
mark for the questions they were given and ``nan`` (missing) for the others; a question the
committee dropped is missing too, never zero. Every statistic uses, for each question, only the
candidates who saw it, and a candidate's score is the share of the marks *available to them*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from exam_engine.psychometrics.numbers import DECIMALS, rounded

FloatArray = npt.NDArray[np.float64]

#: Totals are rounded by the one rule of :mod:`.numbers` before they are compared.
TOTAL_DECIMALS = DECIMALS


@dataclass(frozen=True, eq=False)
class ScoreMatrix:
    """Marks of ``n`` candidates on ``m`` items, with each item's maximum mark.

    Build it with :func:`score_matrix`, which validates and copies its inputs; the arrays are
    read-only afterwards.

    :ivar scores: ``(n, m)`` marks, each between 0 and the item's maximum; ``nan`` where the
        candidate did not have the item (not drawn, or dropped).
    :ivar max_marks: ``(m,)`` maximum marks, all positive.
    :ivar candidate_ids: ``n`` identifiers, in row order.
    :ivar item_ids: ``m`` identifiers, in column order.
    :ivar random_guess: ``(m,)`` expected *fraction* of the marks a random guesser gets (e.g. 0.25
        for a four-option single-choice item), ``nan`` where undefined, or ``None`` for no item.
    """

    scores: FloatArray
    max_marks: FloatArray
    candidate_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    random_guess: FloatArray | None = None

    @property
    def n_candidates(self) -> int:
        """Number of candidates (rows)."""
        return int(self.scores.shape[0])

    @property
    def n_items(self) -> int:
        """Number of items (columns)."""
        return int(self.scores.shape[1])

    @property
    def fractions(self) -> FloatArray:
        """Scores as fractions of each item's maximum, ``(n, m)`` in [0, 1], ``nan`` if missing."""
        return self.scores / self.max_marks

    @property
    def observed(self) -> npt.NDArray[np.bool_]:
        """``(n, m)``: whether the candidate had the item."""
        return ~np.isnan(self.scores)

    @property
    def complete(self) -> bool:
        """Whether every candidate had every item (no pools, nothing dropped)."""
        return bool(self.observed.all())

    def totals(self) -> FloatArray:
        """Each candidate's total mark over the items they had, rounded by the one rule.

        :returns: ``(n,)`` totals.
        """
        return rounded(np.nansum(self.scores, axis=1))

    def available(self) -> FloatArray:
        """Each candidate's maximum: the sum of the maxima of the items they had.

        :returns: ``(n,)`` maxima (0 for a candidate with no item).
        """
        return rounded(self.observed @ self.max_marks)

    def shares(self) -> FloatArray:
        """The comparable score: percentage of the marks available to each candidate.

        :returns: ``(n,)`` percentages in [0, 100], rounded by the one rule (0 with no item).
        """
        available = self.available()
        safe = np.where(available > 0, available, 1.0)
        return rounded(np.where(available > 0, 100.0 * self.totals() / safe, 0.0))

    def item_index(self, ids: Iterable[str]) -> list[int]:
        """Column positions of the given item ids.

        :param ids: item identifiers.
        :returns: their column indices, in the order given.
        :raises KeyError: if an id is not an item of this matrix.
        """
        lookup = {item: j for j, item in enumerate(self.item_ids)}
        try:
            return [lookup[item] for item in ids]
        except KeyError as exc:
            raise KeyError(f"unknown item id {exc.args[0]!r}") from None


def _readonly(array: FloatArray) -> FloatArray:
    array.setflags(write=False)
    return array


def score_matrix(
    scores: npt.ArrayLike,
    max_marks: npt.ArrayLike,
    *,
    candidate_ids: Sequence[str] | None = None,
    item_ids: Sequence[str] | None = None,
    random_guess: npt.ArrayLike | None = None,
) -> ScoreMatrix:
    """Validate plain arrays and build a :class:`ScoreMatrix`.

    An unanswered question the candidate was given is 0 marks; a question they were not given
    (or that was dropped) is ``nan``. Marks are rounded by the one rule of :mod:`.numbers`.

    :param scores: ``(n, m)`` marks.
    :param max_marks: ``(m,)`` maximum marks (or one number for every item).
    :param candidate_ids: row identifiers; ``"0"``, ``"1"``, ... when omitted.
    :param item_ids: column identifiers; ``"1"``, ``"2"``, ... when omitted.
    :param random_guess: ``(m,)`` random-guess fractions in [0, 1], ``nan`` where undefined.
    :returns: the validated matrix (a copy; later changes to the inputs do not leak in).
    :raises ValueError: on wrong shapes, infinite marks, marks outside ``[0, max]``,
        non-positive maxima, or duplicate ids.
    """
    s = np.array(scores, dtype=np.float64, copy=True)
    if s.ndim != 2:
        raise ValueError(f"scores must be two-dimensional, got shape {s.shape}")
    n, m = s.shape
    if n == 0 or m == 0:
        raise ValueError("a score matrix needs at least one candidate and one item")
    mx = np.broadcast_to(np.asarray(max_marks, dtype=np.float64), (m,)).copy()
    if not np.all(np.isfinite(mx)) or np.any(mx <= 0):
        raise ValueError("every maximum mark must be a positive number")
    if np.any(np.isinf(s)):
        raise ValueError("scores must be finite numbers, or nan for an item the candidate lacked")
    tolerance = 1e-9 * mx
    with np.errstate(invalid="ignore"):
        if np.any(s < -tolerance) or np.any(s > mx + tolerance):
            raise ValueError("every score must lie between 0 and the item's maximum mark")
    s = rounded(np.clip(s, 0.0, mx))
    cids = (
        tuple(str(c) for c in candidate_ids)
        if candidate_ids is not None
        else tuple(str(i) for i in range(n))
    )
    iids = (
        tuple(str(i) for i in item_ids)
        if item_ids is not None
        else tuple(str(j + 1) for j in range(m))
    )
    if len(cids) != n or len(iids) != m:
        raise ValueError("need one id per candidate row and one per item column")
    if len(set(cids)) != n or len(set(iids)) != m:
        raise ValueError("candidate ids and item ids must be unique")
    guess: FloatArray | None = None
    if random_guess is not None:
        guess = np.array(random_guess, dtype=np.float64, copy=True).reshape(-1)
        if guess.shape != (m,):
            raise ValueError("random_guess needs one value per item")
        known = guess[~np.isnan(guess)]
        if np.any(known < 0) or np.any(known > 1):
            raise ValueError("random-guess scores are fractions between 0 and 1")
        guess = _readonly(guess)
    return ScoreMatrix(_readonly(s), _readonly(mx), cids, iids, guess)


def drop_items(matrix: ScoreMatrix, ids: Iterable[str]) -> ScoreMatrix:
    """The matrix without the given items, as when the committee drops a broken question.

    :param matrix: the original matrix (unchanged).
    :param ids: item ids to remove.
    :returns: a new matrix with the remaining columns, in their original order.
    :raises KeyError: if an id is unknown.
    :raises ValueError: if no item would remain.
    """
    drop = set(matrix.item_index(ids))
    keep = [j for j in range(matrix.n_items) if j not in drop]
    if not keep:
        raise ValueError("cannot drop every item")
    guess = None if matrix.random_guess is None else matrix.random_guess[keep]
    return score_matrix(
        matrix.scores[:, keep],
        matrix.max_marks[keep],
        candidate_ids=matrix.candidate_ids,
        item_ids=[matrix.item_ids[j] for j in keep],
        random_guess=guess,
    )


def full_marks(matrix: ScoreMatrix, ids: Iterable[str]) -> ScoreMatrix:
    """The matrix with everyone who had the given items given their maximum mark.

    :param matrix: the original matrix (unchanged).
    :param ids: item ids to award in full.
    :returns: a new matrix.
    :raises KeyError: if an id is unknown.
    """
    columns = matrix.item_index(ids)
    scores = matrix.scores.copy()
    block = scores[:, columns]
    scores[:, columns] = np.where(np.isnan(block), np.nan, matrix.max_marks[columns])
    return score_matrix(
        scores,
        matrix.max_marks,
        candidate_ids=matrix.candidate_ids,
        item_ids=matrix.item_ids,
        random_guess=matrix.random_guess,
    )
