"""PriceOracle: only complete, fresh, positive rounds within the feed's bounds are used; decimals are
normalised to WAD."""

import pytest
from brownie import chain

from scripts import policy
from tests.contracts.helpers import reverts

HOUR = 3600
MAX_AGE = 24 * HOUR  # the conftest oracle's feeds
WAD = 10**18
PRICE = 10**8  # the conftest feeds' 8 decimals
ETH_BOUNDS = (PRICE, 1_000_000 * PRICE)  # scripts/policy.py: $1 .. $1,000,000
MAX_PRICE_WAD = 10**30


def test_price_is_normalised_to_wad(oracle, weth, usdc, usd_feed, MockERC20, MockAggregator, gov):
    assert oracle.priceWad(weth) == 3_000 * WAD  # 8-decimal feed
    assert oracle.valueWad(weth, 2 * 10**18) == 6_000 * WAD
    usd_feed.setAnswer(99_990_000)
    assert oracle.valueWad(usdc, 100 * 10**6) == 99_990_000_000_000_000_000  # 6-decimal token: $99.99
    assert oracle.valueWad(weth, 1) == 3_000  # one wei of WETH: value rounds down, never up
    token = MockERC20.deploy("Eighteen", "E18", 18, {"from": gov})
    oracle.setFeed(token, MockAggregator.deploy(18, "E18 / USD", 2 * WAD, {"from": gov}), HOUR, 1, 10 * WAD,
                   {"from": gov})
    assert oracle.priceWad(token) == 2 * WAD  # 18-decimal feed


@pytest.mark.parametrize("answer", [0, -1])
def test_non_positive_answer_is_rejected(oracle, weth, eth_feed, answer):
    eth_feed.setAnswer(answer)
    with reverts("InvalidAnswer", weth, answer):
        oracle.priceWad(weth)
    assert tuple(oracle.tryPriceWad(weth)) == (False, 0)


def test_stale_price_is_rejected(oracle, weth, eth_feed):
    updated = eth_feed.updatedAt()
    chain.sleep(MAX_AGE + 60)
    chain.mine()
    with reverts("StalePrice", weth, updated, MAX_AGE):
        oracle.priceWad(weth)
    assert tuple(oracle.tryPriceWad(weth)) == (False, 0)
    eth_feed.setAnswer(2_500 * 10**8)  # a fresh round makes it usable again
    assert tuple(oracle.tryPriceWad(weth)) == (True, 2_500 * WAD)


def test_price_from_hours_ago_is_rejected(oracle, weth, eth_feed):
    hours_ago = chain.time() - MAX_AGE - 3 * HOUR
    eth_feed.setRound(7, 3_000 * 10**8, hours_ago, hours_ago, 7)
    with reverts("StalePrice", weth, hours_ago, MAX_AGE):
        oracle.priceWad(weth)


def test_future_timestamp_is_rejected(oracle, weth, eth_feed):
    future = chain.time() + HOUR
    eth_feed.setRound(7, 3_000 * 10**8, future, future, 7)
    with reverts("StalePrice"):
        oracle.priceWad(weth)


def test_incomplete_round_is_rejected(oracle, weth, eth_feed):
    now = chain.time()
    eth_feed.setRound(9, 3_000 * 10**8, now, now, 8)
    with reverts("IncompleteRound", weth, 9, 8):
        oracle.priceWad(weth)


def test_token_without_feed(oracle, MockERC20, gov):
    token = MockERC20.deploy("No feed", "NOF", 18, {"from": gov})
    with reverts("NoFeed", token):
        oracle.priceWad(token)
    assert tuple(oracle.tryPriceWad(token)) == (False, 0)


@pytest.mark.parametrize("max_age,decimals", [(0, 8), (2 * 24 * HOUR + 1, 8), (HOUR, 19)])
def test_feed_settings_within_limits(oracle, weth, MockAggregator, gov, max_age, decimals):
    feed = MockAggregator.deploy(decimals, "X / USD", 1, {"from": gov})
    with reverts("InvalidFeedSetting", weth, max_age, decimals):
        oracle.setFeed(weth, feed, max_age, 1, 2, {"from": gov})
    assert tuple(oracle.feeds(weth))[1:] == (MAX_AGE, 8, 18, *ETH_BOUNDS)


def test_only_governance_sets_feeds(oracle, weth, eth_feed, outsider):
    with reverts("NotGovernance", outsider):
        oracle.setFeed(weth, eth_feed, HOUR, *ETH_BOUNDS, {"from": outsider})


def test_local_bounds_follow_the_policy(oracle, weth, usdc):
    assert tuple(oracle.feeds(weth))[4:] == (PRICE, 1_000_000 * PRICE)  # $1 .. $1,000,000
    assert tuple(oracle.feeds(usdc))[4:] == (PRICE // 10, 10 * PRICE)  # $0.10 .. $10


@pytest.mark.parametrize("answer", [PRICE - 1, 1_000_000 * PRICE + 1, 2**255 - 1])
def test_answer_outside_the_bounds_is_unusable(oracle, weth, eth_feed, answer):
    eth_feed.setAnswer(answer)
    with reverts("PriceOutOfBounds", weth, answer, *ETH_BOUNDS):
        oracle.priceWad(weth)
    with reverts("PriceOutOfBounds", weth, answer, *ETH_BOUNDS):
        oracle.valueWad(weth, 10**18)
    assert tuple(oracle.tryPriceWad(weth)) == (False, 0)
    assert tuple(oracle.tryQuote(weth)) == (False, 0, 0)


@pytest.mark.parametrize("answer", ETH_BOUNDS)
def test_answers_at_the_bounds_are_usable(oracle, weth, eth_feed, answer):
    eth_feed.setAnswer(answer)
    assert oracle.priceWad(weth) == answer * 10**10
    assert tuple(oracle.tryQuote(weth)) == (True, answer * 10**10, 10**18)


@pytest.mark.parametrize("decimals,bounds", [
    (8, (0, PRICE)), (8, (PRICE, PRICE)), (8, (2 * PRICE, PRICE)),
    (8, (1, MAX_PRICE_WAD // 10**10 + 1)), (18, (1, MAX_PRICE_WAD + 1)),
])
def test_feed_bounds_within_limits(oracle, weth, MockAggregator, gov, decimals, bounds):
    feed = MockAggregator.deploy(decimals, "X / USD", 1, {"from": gov})
    with reverts("InvalidFeedBounds", weth, *bounds):
        oracle.setFeed(weth, feed, HOUR, *bounds, {"from": gov})
    assert tuple(oracle.feeds(weth))[1:] == (MAX_AGE, 8, 18, *ETH_BOUNDS)


@pytest.mark.parametrize("decimals", [0, 8, 18])
def test_feed_bounds_up_to_the_hard_cap(oracle, weth, MockAggregator, gov, decimals):
    cap = MAX_PRICE_WAD // 10 ** (18 - decimals)  # MAX_PRICE_WAD in the feed's units
    feed = MockAggregator.deploy(decimals, "X / USD", cap, {"from": gov})
    tx = oracle.setFeed(weth, feed, HOUR, cap // 10, cap, {"from": gov})
    event = tx.events["FeedSet"]
    assert (event["token"], event["aggregator"], event["maxAge"], event["minAnswer"], event["maxAnswer"]) == (
        weth, feed, HOUR, cap // 10, cap)
    assert oracle.priceWad(weth) == MAX_PRICE_WAD


@pytest.mark.parametrize("bounds", [(123_456, 10**9), (PRICE, 10**9 + 1), (PRICE, 65_536 * 10**4 + 1)])
def test_bounds_the_oracle_cannot_store_exactly_are_refused(oracle, weth, MockAggregator, gov, bounds):
    """Bounds are stored as a 16-bit mantissa times a power of ten (one slot per feed): a bound
    that would lose digits is refused rather than rounded."""
    feed = MockAggregator.deploy(8, "X / USD", PRICE, {"from": gov})
    with reverts("InvalidFeedBounds", weth, *bounds):
        oracle.setFeed(weth, feed, HOUR, *bounds, {"from": gov})
    assert tuple(oracle.feeds(weth))[1:] == (MAX_AGE, 8, 18, *ETH_BOUNDS)


def test_stored_bounds_are_exactly_those_set(oracle, weth, eth_feed, gov):
    bounds = (65_535, 12_345 * 10**15)  # the largest mantissa; 5 digits times 10^15
    oracle.setFeed(weth, eth_feed, HOUR, *bounds, {"from": gov})
    assert tuple(oracle.feeds(weth))[4:] == bounds
    for answer, usable in [(65_534, False), (65_535, True), (bounds[1], True), (bounds[1] + 1, False)]:
        eth_feed.setAnswer(answer)
        assert oracle.tryQuote(weth)[0] == usable


def test_quote_pair_is_the_two_quotes(oracle, weth, usdc, eth_feed):
    assert tuple(oracle.quotePair(usdc, weth)) == (WAD, 10**6, 3_000 * WAD, 10**18)
    assert tuple(oracle.quotePair(weth, usdc)) == (3_000 * WAD, 10**18, WAD, 10**6)
    eth_feed.setAnswer(PRICE - 1)
    with reverts("PriceOutOfBounds", weth, PRICE - 1, *ETH_BOUNDS):
        oracle.quotePair(usdc, weth)


def test_try_quote(oracle, weth, usdc, gov, MockERC20):
    assert tuple(oracle.tryQuote(weth)) == (True, 3_000 * WAD, 10**18)
    assert tuple(oracle.tryQuote(usdc)) == (True, WAD, 10**6)
    token = MockERC20.deploy("No feed", "NOF", 18, {"from": gov})
    assert tuple(oracle.tryQuote(token)) == (False, 0, 0)
    # An "aggregator" without latestRoundData (any contract answering decimals()): its revert is
    # caught, so callers that must not revert (LoanLens) don't.
    oracle.setFeed(token, MockERC20.deploy("Not a feed", "NAF", 8, {"from": gov}), HOUR, 1, PRICE, {"from": gov})
    assert tuple(oracle.tryQuote(token)) == (False, 0, 0)
    with reverts("Unknown typed error", "0x"):  # the call fails without revert data
        oracle.priceWad(token)


def test_mock_feed_emits_chainlink_events_and_reads_back_every_round(eth_feed, gov, outsider):
    round_id = eth_feed.roundId()
    tx = eth_feed.setAnswer(2_500 * PRICE, {"from": outsider})
    updated, new_round = tx.events["AnswerUpdated"], tx.events["NewRound"]
    assert (updated["current"], updated["roundId"], updated["updatedAt"]) == (2_500 * PRICE, round_id + 1,
                                                                              tx.timestamp)
    assert (new_round["roundId"], new_round["startedBy"], new_round["startedAt"]) == (round_id + 1, outsider,
                                                                                      tx.timestamp)
    assert tuple(eth_feed.latestRoundData()) == (round_id + 1, 2_500 * PRICE, tx.timestamp, tx.timestamp,
                                                 round_id + 1)
    # Any round, however odd, reads back exactly (answers span int256; timestamps below 2^48).
    for answer, started, updated in [(-(2**255), 0, 2**48 - 1), (2**255 - 1, 2**48 - 1, 0)]:
        tx = eth_feed.setRound(2**80 - 1, answer, started, updated, 7, {"from": gov})
        assert tuple(eth_feed.latestRoundData()) == (2**80 - 1, answer, started, updated, 7)
        assert (eth_feed.answer(), eth_feed.startedAt(), eth_feed.updatedAt()) == (answer, started, updated)
        event = tx.events["AnswerUpdated"]
        assert (event["current"], event["roundId"], event["updatedAt"]) == (answer, 2**80 - 1, updated)
    with reverts("SafeCastOverflowedUintDowncast", 48, 2**48):
        eth_feed.setRound(9, PRICE, 2**48, 0, 9, {"from": gov})
