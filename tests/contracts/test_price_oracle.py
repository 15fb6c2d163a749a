"""PriceOracle: only complete, fresh, positive rounds are used; decimals are normalised to WAD."""

import pytest
from brownie import chain

from tests.contracts.helpers import reverts

HOUR = 3600
MAX_AGE = 24 * HOUR  # the conftest oracle's feeds
WAD = 10**18


def test_price_is_normalised_to_wad(oracle, weth, usdc, usd_feed, MockERC20, MockAggregator, gov):
    assert oracle.priceWad(weth) == 3_000 * WAD  # 8-decimal feed
    assert oracle.valueWad(weth, 2 * 10**18) == 6_000 * WAD
    usd_feed.setAnswer(99_990_000)
    assert oracle.valueWad(usdc, 100 * 10**6) == 99_990_000_000_000_000_000  # 6-decimal token: $99.99
    assert oracle.valueWad(weth, 1) == 3_000  # one wei of WETH: value rounds down, never up
    token = MockERC20.deploy("Eighteen", "E18", 18, {"from": gov})
    oracle.setFeed(token, MockAggregator.deploy(18, "E18 / USD", 2 * WAD, {"from": gov}), HOUR, {"from": gov})
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
        oracle.setFeed(weth, feed, max_age, {"from": gov})


def test_only_governance_sets_feeds(oracle, weth, eth_feed, outsider):
    with reverts("NotGovernance", outsider):
        oracle.setFeed(weth, eth_feed, HOUR, {"from": outsider})
