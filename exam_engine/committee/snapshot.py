"""The stored analysis: what an analysis job writes and what the committee's pages read.

A snapshot is plain JSON (a ``version``, then lists of dicts), so later figures can be added as
new keys without a migration. Pages read the last stored snapshot and never compute one; the
plots are drawn here, once per analysis, in every language the app offers, and with names and
with pseudonyms (blind review may be switched on after the analysis ran).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from exam_engine import psychometrics as pm
from exam_engine.extensions import db
from exam_engine.models import Exam, Job, JobKind, JobState
from exam_engine.services import jobs as job_service
from exam_engine.services.analysis import ExamAnalysis
from exam_engine.services.ranking import RankRow
from exam_engine.services.similarity import PairFlag

# 3: questions carry ``titles`` (per language) beside ``title`` (English); pages read both.
VERSION = 3
log = logging.getLogger(__name__)


def _ordered(result: ExamAnalysis) -> list[RankRow]:
    """The ranking's rows in the analysis's order (ties at the line by the declared tie-break)."""
    rows = result.ranking.rows
    if result.analysis is None:
        return rows
    position = {int(c.candidate_id): n for n, c in enumerate(result.analysis.candidates)}
    return sorted(rows, key=lambda r: position.get(r.attempt_id, len(position)))


def _outlook(result: ExamAnalysis) -> dict[str, Any] | None:
    """The panel's figures, with candidates named by attempt id."""
    analysis = result.analysis
    if analysis is None or analysis.outlook is None:
        return None
    o = analysis.outlook
    ids = [int(c) for c in result.matrix.candidate_ids] if result.matrix else []
    return {
        "k": o.k,
        "expected_above": pm.round_value(o.expected_above),
        "expected_below": pm.round_value(o.expected_below),
        "uncertain_places": o.uncertain_places,
        "contenders": [ids[i] for i in o.contenders],
        "clearly_in": o.clearly_in,
        "disagreements": [ids[i] for i in o.disagreements],
        "reliability": pm.round_value(o.reliability),
        "warnings": o.warnings,
    }


def build(exam: Exam, result: ExamAnalysis, pairs: list[PairFlag]) -> dict[str, Any]:
    """The JSON snapshot of an analysis (without plots: see :func:`draw_plots`).

    Every number in it is already rounded by the one rule (:mod:`.psychometrics.numbers`);
    pages, the CSV and the plots read these numbers and only choose how many decimals to show.
    """
    ranking = result.ranking
    analysis = result.analysis
    ordered = _ordered(result)
    rows = []
    for row in ordered:
        a = result.by_attempt.get(row.attempt_id)
        rows.append(
            {
                "attempt_id": row.attempt_id,
                "name": row.candidate.name,
                "email": row.candidate.email,
                "rank": row.rank,
                "tied": row.tied,
                "score": a.score if a else row.score,
                "total": row.total,
                "max_total": row.max_total,
                "percentile": pm.round_value(a.percentile if a else row.percentile),
                "by_topic": [row.by_topic[t] for t in ranking.topics],
                "by_topic_max": [row.topic_max[t] for t in ranking.topics],
                "within_cohort": a.in_cohort if a else row.within_cohort,
                "tie_break": a.tie_break if a else False,
                "p_top_k": a.p_top_k if a else None,
                "p_boot": a.p_top_k_bootstrap if a else None,
                "ability": a.ability if a else None,
                "ability_se": a.ability_se if a else None,
                "label": a.label if a else None,
                "rank_low": a.rank_low if a else None,
                "rank_high": a.rank_high if a else None,
            }
        )
    for n, entry in enumerate(rows):
        following = rows[n + 1] if n + 1 < len(rows) else None
        entry["last_in"] = entry["within_cohort"] and not (following and following["within_cohort"])
    return {
        "version": VERSION,
        "k": exam.cohort_size,
        "topics": ranking.topics,
        "rows": rows,
        "unequal_maxima": len({r.max_total for r in ranking.rows}) > 1,
        "certainty": None
        if analysis is None
        else {
            "replicates": analysis.replicates,
            "parameter_sets": analysis.parameter_sets,
            "irt_model": analysis.irt_model,
            "irt_converged": analysis.irt_converged,
            "clearly_in": analysis.clearly_in,
            "clearly_out": analysis.clearly_out,
        },
        "outlook": _outlook(result),
        "test": asdict(analysis.test) if analysis and analysis.test else None,
        "questions": [
            {
                "question_id": q.question.id,
                "slug": q.question.slug,
                "title": q.title,
                "titles": q.titles,
                "topic": q.topic,
                "seen_by": q.seen_by,
                "pooled": q.seen_by < len(ranking.rows),
                "stats": asdict(q.stats) if q.stats else None,
            }
            for q in result.questions
        ],
        "pairs": [
            {"first": p.first, "second": p.second, "shared": [asdict(s) for s in p.shared]}
            for p in pairs
        ],
    }


def draw_plots(snapshot: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every plot of a snapshot as SVG, per language: ``{"en": {"distribution": ...}}``.

    Each plot is followed by its numbers as a table (its text alternative); the SVG's text is
    drawn by the reader's browser, so every language works without fonts on the server.
    """
    drawn: dict[str, dict[str, str]] = {}
    for locale in current_app.config.get("LANGUAGES", ("en",)):
        with force_locale(locale):
            drawn[locale] = _plots(snapshot)
    return drawn


def _plots(snapshot: dict[str, Any]) -> dict[str, str]:
    rows = snapshot["rows"]
    if not rows:
        return {}
    k = min(snapshot["k"], len(rows))
    last_in = [r for r in rows if r["within_cohort"]]
    scores = [r["score"] for r in rows]
    bins = [
        (f"{pm.svg.number(lo)}–{pm.svg.number(hi)}", n) for lo, hi, n in pm.histogram(scores, 100.0)
    ]
    drawn = {
        "distribution": pm.score_distribution_svg(
            scores,
            max_total=100.0,
            cutoff=(last_in[-1] if last_in else rows[k - 1])["score"],
            title=_("Score distribution"),
            xlabel=_("Score (percentage of the marks available)"),
            ylabel=_("Candidates"),
            cutoff_label=_("cut-off"),
        )
        + pm.data_table(_("The numbers in this plot"), [_("Score (%)"), _("Candidates")], bins)
    }
    banded = [r for r in rows if r["rank_low"] is not None]
    if banded:
        for blind in (False, True):
            names = [f"#{r['attempt_id']}" if blind else (r["name"] or r["email"]) for r in banded]
            drawn["bands_blind" if blind else "bands"] = pm.rank_bands_svg(
                names,
                [r["rank"] for r in banded],
                [r["rank_low"] for r in banded],
                [r["rank_high"] for r in banded],
                k,
                labels=[r["label"] or "" for r in banded],
                title=_("Rank with its 90% band"),
                xlabel=_("Rank"),
            ) + pm.data_table(
                _("The numbers in this plot"),
                [_("Candidate"), _("Rank"), _("90% band"), _("Certainty")],
                [
                    (name, r["rank"], f"{r['rank_low']}–{r['rank_high']}", _label(r["label"]))
                    for name, r in zip(names, banded, strict=True)
                ],
            )
    # A question whose marks do not vary has no discrimination: it is flagged in the table, and
    # left off a map whose vertical axis it has no place on.
    usable = [
        q
        for q in snapshot["questions"]
        if q["stats"] is not None and q["stats"]["discrimination_index"] is not None
    ]
    if usable:
        drawn["items"] = pm.item_map_svg(
            [q["slug"] for q in usable],
            [q["stats"]["facility"] for q in usable],
            [q["stats"]["discrimination_index"] for q in usable],
            title=_("Items: facility and discrimination"),
            xlabel=_("Facility index"),
            ylabel=_("Discrimination index"),
        ) + pm.data_table(
            _("The numbers in this plot"),
            ["#", _("Question"), _("Facility index"), _("Discrimination index")],
            [
                (
                    n,
                    _question_title(q),
                    round(q["stats"]["facility"], 2),
                    "–"
                    if q["stats"]["discrimination_index"] is None
                    else round(q["stats"]["discrimination_index"], 2),
                )
                for n, q in enumerate(usable, start=1)
            ],
        )
    return drawn


def _question_title(question: dict[str, Any]) -> str:
    """A snapshot question's title in the current language (snapshots before 3: English)."""
    titles = question.get("titles") or {}
    return titles.get(str(get_locale())) or question["title"] or question["slug"]


def _label(label: str | None) -> str:
    """A certainty label in the reader's language."""
    return {
        "clearly in": _("clearly in"),
        "borderline": _("borderline"),
        "clearly out": _("clearly out"),
    }.get(label or "", label or "")


@dataclass
class AnalysisState:
    """What a page shows about the analysis: the last result, and any update under way."""

    snapshot: dict[str, Any] | None
    revision: int
    analysed_revision: int | None
    updating: Job | None
    failed: Job | None

    @property
    def stale(self) -> bool:
        """Whether marks changed since the shown result was computed."""
        return self.analysed_revision is None or self.analysed_revision < self.revision


def analysis_state(exam: Exam) -> AnalysisState:
    """The last stored analysis of the exam and the state of its newest job.

    Three small statements; the stored result itself is read once per process and kept (a
    finished job's result never changes), so a warm page does not parse megabytes of JSON.
    """
    done = job_service.latest(exam.id, JobKind.ANALYSIS, (JobState.DONE,), with_result=False)
    newest = job_service.latest(exam.id, JobKind.ANALYSIS, with_result=False)
    updating = newest if newest is not None and newest.state in job_service.ACTIVE else None
    failed = newest if newest is not None and newest.state == JobState.FAILED else None
    return AnalysisState(
        snapshot=_result(done.id) if done else None,
        revision=job_service.revision_of(exam.id),
        analysed_revision=done.revision if done else None,
        updating=updating,
        failed=failed,
    )


_RESULTS: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()
_RESULTS_KEPT = 4
_LOCK = threading.Lock()


def _result(job_id: int) -> dict[str, Any] | None:
    """A finished job's stored result, read from the database on first use only."""
    key = (str(db.engine.url), job_id)  # one process may serve several databases (tests)
    with _LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key]
    result = db.session.scalar(select(Job.result).where(Job.id == job_id))
    if result is not None:
        with _LOCK:
            _RESULTS[key] = result
            while len(_RESULTS) > _RESULTS_KEPT:
                _RESULTS.popitem(last=False)
    return result


def plot(state: AnalysisState, name: str, locale: str) -> str | None:
    """One stored plot in the reader's language (English when that one is missing)."""
    if state.snapshot is None:
        return None
    plots = state.snapshot.get("plots") or {}
    return (plots.get(locale) or plots.get("en") or {}).get(name)
