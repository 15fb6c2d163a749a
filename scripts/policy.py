"""The platform's launch policy: what governance configures at deployment.

Grades are codes 1 (A+) .. 9 (E) (scoring.grades). Limits are in whole loan-token units and scaled by the token's
decimals when applied. Maximum APRs widen as grades fall, so riskier borrowers can still price
their risk, within the contract's hard cap of 100%. The best grades may borrow unsecured, as on
BTCJam; from C+ down a listing must escrow collateral worth a growing share of its principal.
"""


# grade code -> (maximum principal in whole tokens, maximum APR in bps, minimum collateral ratio in bps)
GRADE_POLICY = {
    1: (50_000, 1_200, 0),
    2: (40_000, 1_500, 0),
    3: (30_000, 1_800, 0),
    4: (20_000, 2_200, 0),
    5: (15_000, 2_600, 5_000),
    6: (10_000, 3_000, 7_500),
    7: (7_500, 3_600, 10_000),
    8: (5_000, 4_200, 12_500),
    9: (2_000, 5_000, 15_000),
}
# collateral token symbol -> (liquidation threshold bps, liquidation bonus bps); Aave v3 lists WETH
# with an 80-83% liquidation threshold and a 5% bonus.
COLLATERAL_POLICY = {"mWETH": (8_000, 500)}
CLOSE_FACTOR_BPS = 5_000
PLATFORM_FEE_BPS = 1_000  # 10% of the interest actually repaid
MIN_FUNDING_WHOLE_TOKENS = 1  # smallest funding ticket, against dust griefing


def configure(book, registry, token, gov, fee_recipient) -> None:
    """Allow `token` on `book`, set every grade's policy and the fee, and let the book record history."""
    unit = 10 ** token.decimals()
    registry.setRecorder(book, True, {"from": gov})
    book.setLoanToken(token, True, MIN_FUNDING_WHOLE_TOKENS * unit, {"from": gov})
    for grade, (max_whole, max_apr_bps, min_ratio_bps) in GRADE_POLICY.items():
        book.setGradePolicy(token, grade, max_whole * unit, max_apr_bps, min_ratio_bps, {"from": gov})
    book.setFee(PLATFORM_FEE_BPS, fee_recipient, {"from": gov})


def configure_collateral(book, vault, collateral_tokens, gov) -> None:
    """Connect the vault to the book and allow each collateral token with its liquidation terms."""
    book.setCollateralVault(vault, {"from": gov})
    vault.setCloseFactor(CLOSE_FACTOR_BPS, {"from": gov})
    for token in collateral_tokens:
        threshold_bps, bonus_bps = COLLATERAL_POLICY[token.symbol()]
        vault.setCollateral(token, True, threshold_bps, bonus_bps, {"from": gov})
