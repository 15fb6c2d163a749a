"""The platform's launch policy: what governance configures at deployment.

Grades are codes 1 (A+) .. 9 (E) (scoring.grades). Limits are in whole loan-token units and scaled by the token's
decimals when applied. Maximum APRs widen as grades fall, so riskier borrowers can still price
their risk, within the contract's hard cap of 100%. The best grades may borrow unsecured, as on
BTCJam; from C+ down a listing must escrow collateral worth a growing share of its principal.
"""

from fractions import Fraction

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
# price feed description -> (lowest, highest) answer accepted, in USD per whole token (as
# Chainlink aggregators carry minAnswer/maxAnswer): an answer outside is unusable, which pauses
# withdrawals and liquidations like a stale round. Far wider than any plausible market (a
# stablecoin off by 10x is broken, not volatile), narrow enough that a broken feed cannot claim
# that collateral is worth almost nothing or almost everything.
FEED_BOUNDS_USD = {"ETH / USD": (Fraction(1), Fraction(1_000_000)), "USDC / USD": (Fraction(1, 10), Fraction(10))}
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


def feed_bounds(aggregator) -> tuple[int, int]:
    """(minAnswer, maxAnswer) for `aggregator` in its own units, from FEED_BOUNDS_USD by its
    description: the lowest answer at or above the lower bound, the highest at or below the upper."""
    low, high = FEED_BOUNDS_USD[aggregator.description()]
    unit = 10 ** aggregator.decimals()
    return -(-low.numerator * unit // low.denominator), high.numerator * unit // high.denominator


def set_feed(oracle, token, aggregator, max_age, gov) -> None:
    """Price `token` with `aggregator`, rounds up to `max_age` seconds old, within FEED_BOUNDS_USD."""
    oracle.setFeed(token, aggregator, max_age, *feed_bounds(aggregator), {"from": gov})
