"""Customer metrics from survey answers. Pure: answers in, figures out.

- NPS (0-10): percentage of promoters (9-10) minus percentage of detractors (0-6), from -100 to 100.
- CSAT (1-5): percentage of satisfied answers (4-5).
- CES (1-7): the mean.
- A SERVQUAL dimension (tangibles, reliability, responsiveness, assurance, empathy): the mean of the
  rating answers that measure it, on its questions' scale (`min`..`max`; `audit check` gives a
  dimension one scale). Answers given on another scale (before the book changed it) are first moved
  linearly onto the scale most answers were given on, so a mean never mixes scales.

Answers come as a tally (answer -> how many), and a dimension's as each scale's count and sum, so a
figure over a million answers is worked out from what SQLite counted; a plain list of answers works
too. Each figure comes with the count it stands on; with no answers the figure is None, never 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import msgspec

Tally = Mapping[int, int]  # answer -> how many gave it
Sums = Mapping[tuple[int, int], tuple[int, int]]  # a scale (min, max) -> (how many answers on it, their sum)
# The answers each metric reads, lowest and highest (the question kinds of `book/questions.py` ask these).
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


class Nps(msgspec.Struct, frozen=True, kw_only=True):
    score: float | None
    promoters: int
    passives: int
    detractors: int
    count: int


class Csat(msgspec.Struct, frozen=True, kw_only=True):
    score: float | None
    satisfied: int
    count: int


class Ces(msgspec.Struct, frozen=True, kw_only=True):
    mean: float | None
    count: int


class DimensionMean(msgspec.Struct, frozen=True, kw_only=True):
    mean: float | None
    count: int
    min: int | None  # the scale the mean reads on; None without answers
    max: int | None


def _tally(answers: Iterable[int] | Tally) -> Tally:
    return answers if isinstance(answers, Mapping) else Counter(answers)


def nps(answers: Iterable[int] | Tally) -> Nps:
    tally = _tally(answers)
    promoters = sum(n for answer, n in tally.items() if answer >= 9)
    detractors = sum(n for answer, n in tally.items() if answer <= 6)
    count = sum(tally.values())
    score = round((promoters - detractors) * 100 / count, 1) if count else None
    return Nps(score=score, promoters=promoters, passives=count - promoters - detractors, detractors=detractors, count=count)


def csat(answers: Iterable[int] | Tally) -> Csat:
    tally = _tally(answers)
    satisfied = sum(n for answer, n in tally.items() if answer >= 4)
    count = sum(tally.values())
    return Csat(score=round(satisfied * 100 / count, 1) if count else None, satisfied=satisfied, count=count)


def ces(answers: Iterable[int] | Tally) -> Ces:
    tally = _tally(answers)
    count = sum(tally.values())
    return Ces(mean=round(sum(answer * n for answer, n in tally.items()) / count, 2) if count else None, count=count)


def dimension_mean(sums: Sums) -> DimensionMean:
    """The mean of a dimension's answers, from how many were given on each scale and their sum."""
    count = sum(n for n, _ in sums.values())
    if not count:
        return DimensionMean(mean=None, count=0, min=None, max=None)
    # The scale most answers were given on; on a tie the wider, then the higher one: the same every time.
    low, high = max(sums, key=lambda scale: (sums[scale][0], scale[1] - scale[0], scale))
    # Moving answers linearly from (a_low, a_high) onto (low, high) moves their sum alike.
    total = sum(n * low + (s - n * a_low) * (high - low) / max(a_high - a_low, 1) for (a_low, a_high), (n, s) in sums.items())
    return DimensionMean(mean=round(total / count, 2), count=count, min=low, max=high)
