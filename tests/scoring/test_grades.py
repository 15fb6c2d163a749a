"""PD -> bps -> grade and score: pure, monotone, consistent with each other and with the contract codes."""

import math

import pytest

from scoring.grades import (BPS, GRADE_MAX_PD_BPS, GRADES, grade_code, grade_for_pd_bps, grade_for_score,
                            grade_of_code, pd_to_bps_up, score_for_pd_bps)


def test_nine_grades_with_contract_codes():
    assert GRADES == ("A+", "A", "B+", "B", "C+", "C", "D+", "D", "E")
    assert [grade_code(g) for g in GRADES] == list(range(1, 10))
    assert all(grade_of_code(grade_code(g)) == g for g in GRADES)
    with pytest.raises(ValueError):
        grade_of_code(0)  # 0 = no grade on chain, never a real grade


def test_every_bps_value_gives_consistent_grade_and_score():
    previous_score, previous_grade = 101, -1
    for bps in range(BPS + 1):
        score, grade = score_for_pd_bps(bps), grade_for_pd_bps(bps)
        assert 0 <= score <= 100
        assert grade_for_score(score) == grade, bps  # grade bands are exactly the 10-point score bands
        assert score <= previous_score and GRADES.index(grade) >= previous_grade  # monotone in PD
        previous_score, previous_grade = score, GRADES.index(grade)


def test_band_edges_follow_doubling_odds():
    # Top of each band = PD where odds (1 - PD) / PD equal 72, 36, 18, 9, 4.5, ... : each grade doubles the odds.
    for k, max_bps in enumerate(GRADE_MAX_PD_BPS[:-1]):
        odds = 72 / 2**k
        assert max_bps == math.floor(BPS / (1 + odds) + 1e-9)
        assert grade_for_pd_bps(max_bps) == GRADES[k] and grade_for_pd_bps(max_bps + 1) == GRADES[k + 1]


def test_score_anchor_and_points_to_double_odds():
    assert score_for_pd_bps(1000) == 50  # PD 10 %, odds 9:1
    assert score_for_pd_bps(526) == 60 and score_for_pd_bps(1818) == 40
    assert score_for_pd_bps(0) == 100 and score_for_pd_bps(BPS) == 0


@pytest.mark.parametrize("pd, bps", [(0.0, 0), (0.07, 700), (0.070001, 701), (0.12345, 1235), (1e-9, 1), (1.0, BPS)])
def test_pd_rounds_up_to_basis_points(pd, bps):
    assert pd_to_bps_up(pd) == bps


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan")])
def test_pd_outside_unit_interval_is_rejected(bad):
    with pytest.raises(ValueError):
        pd_to_bps_up(bad)


@pytest.mark.parametrize("bad", [-1, BPS + 1, 5.0, True])
def test_bps_must_be_an_integer_in_range(bad):
    with pytest.raises(ValueError):
        grade_for_pd_bps(bad)
