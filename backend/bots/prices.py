"""The local price publisher (local chains only): keeps the mock Chainlink feeds fresh, and replays
a price path so a crash can be shown.

The oracle refuses a round older than the feed's maxAge (2 days locally), and the demo moves the
chain clock, so `refresh` re-posts each feed's current answer once its round is older than
PRICE_REFRESH_FRACTION_BPS of maxAge. `replay` reads a CSV of `seconds offset, token symbol, USD
price` rows (e.g. `0,mWETH,3000` then `30,mWETH,350.5`) and posts each price at its offset,
converted exactly to the feed's decimals (a price with more decimals than the feed is refused).
Every post goes through the transaction sender, keyed by the round it refreshes or the replay row.
"""

from __future__ import annotations

import csv
import hashlib
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from backend.sdk import BPS, LendchainClient
from backend.tx import TxSender
from toolchain.local_chain import CHAIN_ID as LOCAL_CHAIN_ID

LOCAL_CHAIN_IDS = {LOCAL_CHAIN_ID, 31337}


class NotLocal(RuntimeError):
    pass


@dataclass(frozen=True)
class Feed:
    token: str
    symbol: str
    aggregator: str
    max_age: int
    decimals: int


def local_feeds(client: LendchainClient) -> list[Feed]:
    """The oracle's feeds whose aggregator is a contract of the deployment map (the mocks)."""
    if client.chain_id not in LOCAL_CHAIN_IDS:
        raise NotLocal(f"the price publisher only runs on local chains, not chain {client.chain_id}")
    oracle = client["PriceOracle"].functions
    mocks = {c.address: name for name, c in client.contracts.items()}
    feeds = []
    for name, contract in client.contracts.items():
        if not any(e.get("name") == "symbol" for e in contract.abi):
            continue
        aggregator, max_age, feed_decimals, *_ = oracle.feeds(contract.address).call()
        if aggregator in mocks:
            feeds.append(Feed(contract.address, contract.functions.symbol().call(), aggregator, int(max_age),
                              int(feed_decimals)))
    return feeds


def exact_answer(price: str, decimals: int) -> int:
    """'350.25' at 8 decimals -> 35025000000; refuses what the feed cannot represent exactly."""
    try:
        scaled = Decimal(price.strip()) * 10**decimals
    except InvalidOperation:
        raise ValueError(f"{price!r} is not a decimal price") from None
    if scaled != scaled.to_integral_value() or scaled <= 0:
        raise ValueError(f"{price!r} is not a positive price with at most {decimals} decimals")
    return int(scaled)


def refresh(client: LendchainClient, sender: TxSender, feeds: list[Feed], fraction_bps: int) -> list[str]:
    """Re-post each feed's answer whose round is older than `fraction_bps` of its max age."""
    now = client.head().timestamp
    refreshed = []
    for feed in feeds:
        aggregator = client.web3.eth.contract(address=feed.aggregator, abi=client[_name(client, feed)].abi)
        round_id, answer, _, updated_at, _ = aggregator.functions.latestRoundData().call()
        if now - updated_at < feed.max_age * fraction_bps // BPS:
            continue
        result = sender.send(f"price:{client.chain_id}:{feed.aggregator}:{round_id}",
                             aggregator.functions.setAnswer(answer), reason=f"refresh {feed.symbol}")
        refreshed.append(f"{feed.symbol}: {result.status}")
    return refreshed


def replay(client: LendchainClient, sender: TxSender, feeds: list[Feed], path: Path, sleep=time.sleep) -> int:
    """Post the CSV's prices at their offsets (wall-clock seconds from now); returns rows posted."""
    by_symbol = {feed.symbol: feed for feed in feeds}
    rows = [row for row in csv.reader(path.read_text().splitlines()) if row and not row[0].startswith("#")]
    run = f"{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}:{int(time.time())}"  # each replay posts anew
    started = time.monotonic()
    for index, (offset, symbol, price) in enumerate(rows):
        feed = by_symbol.get(symbol.strip())
        if feed is None:
            raise ValueError(f"row {index + 1}: no local feed for {symbol!r} (known: {', '.join(by_symbol)})")
        answer = exact_answer(price, feed.decimals)
        sleep(max(0.0, started + float(offset) - time.monotonic()))
        aggregator = client.web3.eth.contract(address=feed.aggregator, abi=client[_name(client, feed)].abi)
        sender.send(f"replay:{client.chain_id}:{run}:{index}", aggregator.functions.setAnswer(answer),
                    reason=f"replay {symbol} {price}")
    return len(rows)


def _name(client: LendchainClient, feed: Feed) -> str:
    return next(name for name, c in client.contracts.items() if c.address == feed.aggregator)
