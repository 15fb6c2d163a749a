"""The local price publisher on Ganache: stale feeds refreshed, a price path replayed exactly,
other chains refused."""

from __future__ import annotations

import pytest

from backend.bots import prices
from backend.sdk import LendchainClient
from backend.tx import make_sender
from tests.bots.chain import DAY


@pytest.fixture
def publisher(bots_app, platform, isolated_chain):
    client = LendchainClient(platform.web3, platform.deployment)
    return client, make_sender(bots_app, "prices"), prices.local_feeds(client)


def usable(platform, name) -> bool:
    return platform.c["PriceOracle"].functions.tryQuote(platform.c[name].address).call()[0]


def test_feeds_are_found_and_refreshed_once_stale(platform, publisher):
    client, sender, feeds = publisher
    assert {f.symbol: f.decimals for f in feeds} == {"mUSDC": 8, "mWETH": 8}
    platform.set_eth_price(3_000)
    assert prices.refresh(client, sender, feeds, 5_000) == []  # fresh: nothing to post
    platform.travel(3 * DAY)
    assert not usable(platform, "MockWETH")
    assert sorted(prices.refresh(client, sender, feeds, 5_000)) == ["mUSDC: confirmed", "mWETH: confirmed"]
    assert usable(platform, "MockWETH") and usable(platform, "MockUSDC")
    assert platform.c["EthUsdFeed"].functions.latestRoundData().call()[1] == 3_000 * 10**8  # same price, new round


def test_a_price_path_is_replayed_exactly(platform, publisher, tmp_path):
    client, sender, feeds = publisher
    path = tmp_path / "crash.csv"
    path.write_text("# seconds, symbol, USD\n0,mWETH,3000\n0.2,mWETH,350.12345678\n0.4,mUSDC,0.9999\n")
    answers = []
    original = prices.replay.__globals__["time"].sleep
    assert prices.replay(client, sender, feeds, path, sleep=lambda s: answers.append(s) or original(s)) == 3
    assert platform.c["EthUsdFeed"].functions.latestRoundData().call()[1] == 35_012_345_678
    assert platform.c["UsdcUsdFeed"].functions.latestRoundData().call()[1] == 99_990_000
    assert len(answers) == 3 and max(answers) <= 0.4
    with pytest.raises(ValueError, match="at most 8 decimals"):
        prices.exact_answer("1.000000001", 8)
    bad = tmp_path / "bad.csv"
    bad.write_text("0,DOGE,1\n")
    with pytest.raises(ValueError, match="no local feed for 'DOGE'"):
        prices.replay(client, sender, feeds, bad)


def test_other_chains_are_refused(platform):
    mainnet = LendchainClient(platform.web3, {**platform.deployment, "chainId": 1})
    with pytest.raises(prices.NotLocal):
        prices.local_feeds(mainnet)
