"""The platform's launch policy: what governance configures at deployment.

Grades are codes 1 (A+) .. 9 (E) (scoring.grades). Limits are in whole loan-token units and scaled by the token's
decimals when applied. Maximum APRs widen as grades fall, so riskier borrowers can still price
their risk, within the contract's hard cap of 100%.
"""


# grade code -> (maximum principal in whole tokens, maximum APR in bps)
GRADE_POLICY = {
    1: (50_000, 1_200),
    2: (40_000, 1_500),
    3: (30_000, 1_800),
    4: (20_000, 2_200),
    5: (15_000, 2_600),
    6: (10_000, 3_000),
    7: (7_500, 3_600),
    8: (5_000, 4_200),
    9: (2_000, 5_000),
}
PLATFORM_FEE_BPS = 1_000  # 10% of the interest actually repaid
MIN_FUNDING_WHOLE_TOKENS = 1  # smallest funding ticket, against dust griefing


def configure(book, registry, token, gov, fee_recipient) -> None:
    """Allow `token` on `book`, set every grade's policy and the fee, and let the book record history."""
    unit = 10 ** token.decimals()
    registry.setRecorder(book, True, {"from": gov})
    book.setLoanToken(token, True, MIN_FUNDING_WHOLE_TOKENS * unit, {"from": gov})
    for grade, (max_whole, max_apr_bps) in GRADE_POLICY.items():
        book.setGradePolicy(token, grade, max_whole * unit, max_apr_bps, {"from": gov})
    book.setFee(PLATFORM_FEE_BPS, fee_recipient, {"from": gov})
