"""Probability of default -> basis points -> grade and score: pure functions, one scale.

The scale is "points to double the odds" (the usual scorecard scaling): with odds = (1 - PD) / PD
(good : bad),

    score = 50 + 10 * log2(odds / 9),  floored and clamped to 0..100,

so a PD of 10 % (odds 9 : 1) scores 50 and every 10 points halve the odds of default.
Grades are 10-point score bands, so **each grade step doubles the odds of default**:

    grade  code  score     PD band (exact)            pdBps band (integer, inclusive)
    A+     1     80..100   PD <= 1/73   (1.37 %)      0 .. 136
    A      2     70..79    PD <= 1/37   (2.70 %)    137 .. 270
    B+     3     60..69    PD <= 1/19   (5.26 %)    271 .. 526
    B      4     50..59    PD <= 1/10   (10.0 %)    527 .. 1000
    C+     5     40..49    PD <= 2/11   (18.2 %)   1001 .. 1818
    C      6     30..39    PD <= 4/13   (30.8 %)   1819 .. 3076
    D+     7     20..29    PD <= 8/17   (47.1 %)   3077 .. 4705
    D      8     10..19    PD <= 16/25  (64.0 %)   4706 .. 6400
    E      9      0..9     PD >  64 %              6401 .. 10000

Why these bands: doubling odds per grade gives equal risk steps on the log-odds scale the model
works in, fine resolution where most borrowers are (2 %..30 %), and an E grade whose borrowers
are expected to repay less than a third of the time (BTCJam's E repaid about 30 %).

Everything is computed from the integer `pd_bps`, which the signer rounds UP (conservative), so
the grade, the score and the on-chain `pdBps` agree exactly, and a contract could re-derive the
grade with integer comparisons against `GRADE_MAX_PD_BPS`. On chain grades are uint8 codes
1 (A+) .. 9 (E); 0 means "no grade" and is never produced here.
"""

from __future__ import annotations

import math

BPS = 10_000
GRADES: tuple[str, ...] = ("A+", "A", "B+", "B", "C+", "C", "D+", "D", "E")
# Highest pdBps (inclusive) of each grade, best to worst; E takes the rest up to 10_000.
GRADE_MAX_PD_BPS: tuple[int, ...] = (136, 270, 526, 1000, 1818, 3076, 4705, 6400, BPS)
# Lowest score of each grade, best to worst.
GRADE_MIN_SCORE: tuple[int, ...] = (80, 70, 60, 50, 40, 30, 20, 10, 0)
NO_GRADE = 0
ANCHOR_SCORE = 50  # score at the anchor odds
ANCHOR_ODDS = 9.0  # good : bad odds at the anchor (PD 10 %)
POINTS_TO_DOUBLE_ODDS = 10.0


def grade_code(grade: str) -> int:
    """On-chain uint8 code of a grade: A+ = 1 .. E = 9."""
    return GRADES.index(grade) + 1


def grade_of_code(code: int) -> str:
    if not 1 <= code <= len(GRADES):
        raise ValueError(f"grade code must be 1..{len(GRADES)}, got {code}")
    return GRADES[code - 1]


def pd_to_bps_up(pd: float) -> int:
    """PD as basis points, rounded up (never understates risk); PD must be within [0, 1]."""
    if not 0.0 <= pd <= 1.0:  # also rejects NaN
        raise ValueError(f"probability of default must be within [0, 1], got {pd!r}")
    # PD values like 0.07 are not exact in binary; round to 1e-9 bps before ceil so they stay 700.
    return min(BPS, math.ceil(round(pd * BPS, 9)))


def grade_for_pd_bps(pd_bps: int) -> str:
    """Grade of an integer PD in basis points (see the band table above)."""
    _check_bps(pd_bps)
    for grade, max_bps in zip(GRADES, GRADE_MAX_PD_BPS):
        if pd_bps <= max_bps:
            return grade
    raise AssertionError("unreachable: the last band ends at 10_000 bps")


def score_for_pd_bps(pd_bps: int) -> int:
    """Score 0..100 of an integer PD in basis points: 50 + 10 * log2(odds / 9), floored."""
    _check_bps(pd_bps)
    if pd_bps == 0:
        return 100
    if pd_bps == BPS:
        return 0
    odds = (BPS - pd_bps) / pd_bps
    raw = ANCHOR_SCORE + POINTS_TO_DOUBLE_ODDS * math.log2(odds / ANCHOR_ODDS)
    return max(0, min(100, math.floor(raw + 1e-9)))


def grade_for_score(score: int) -> str:
    for grade, low in zip(GRADES, GRADE_MIN_SCORE):
        if score >= low:
            return grade
    raise ValueError(f"score must be within 0..100, got {score}")


def _check_bps(pd_bps: int) -> None:
    if isinstance(pd_bps, bool) or not isinstance(pd_bps, int) or not 0 <= pd_bps <= BPS:
        raise ValueError(f"pd_bps must be an integer within 0..{BPS}, got {pd_bps!r}")
