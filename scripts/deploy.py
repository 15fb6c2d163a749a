"""Deploy Lendchain to the active brownie network and write the deployment map.

    brownie run scripts/deploy.py --network <id>

On a local chain (chain id 1337) it also deploys the mocks: a 6-decimal stablecoin (mUSDC), an
18-decimal WETH (mWETH) and 8-decimal ETH/USD and USDC/USD price feeds, wired into the price
oracle. On other networks the loan token comes from LENDCHAIN_LOAN_TOKEN, the deployer from
brownie's `accounts.load(LENDCHAIN_DEPLOYER)`, and feeds are configured by governance afterwards.

The scoring service's signing address comes from SCORE_SIGNER_ADDRESS, or from SCORE_SIGNER_KEY;
locally it defaults to Ganache account #9 of the test mnemonic.

The map, <DEPLOYMENTS_DIR>/<chain id>.json (default deployments/), lists every contract's address
and ABI, and `startBlock`: the chain height before the first deployment transaction, so an indexer
that starts there misses no event. Every local Ganache is chain 1337, so tests that deploy set
DEPLOYMENTS_DIR to keep the run command's map.
"""

import json
import os
from pathlib import Path

from brownie import (
    AutoLend,
    CollateralVault,
    LoanBook,
    LoanLens,
    MockAggregator,
    MockERC20,
    PriceOracle,
    ScoreRegistry,
    accounts,
    chain,
    network,
)
from eth_account import Account

from scripts import policy
from toolchain.local_chain import CHAIN_ID

ROOT = Path(__file__).resolve().parent.parent
LOCAL_CHAIN_IDS = {CHAIN_ID, 31337}  # Ganache here, anvil's default
LOCAL_SIGNER_INDEX = 9
# Mock feeds only move when someone sets them, so locally accept the oracle's longest staleness.
LOCAL_FEED_MAX_AGE = 2 * 24 * 3600


def deployments_dir() -> Path:
    return Path(os.environ.get("DEPLOYMENTS_DIR") or ROOT / "deployments")


def deployment_path(chain_id: int) -> Path:
    return deployments_dir() / f"{chain_id}.json"


def signer_address() -> str:
    if os.environ.get("SCORE_SIGNER_ADDRESS"):
        return os.environ["SCORE_SIGNER_ADDRESS"]
    if os.environ.get("SCORE_SIGNER_KEY"):
        return Account.from_key(os.environ["SCORE_SIGNER_KEY"]).address
    if chain.id in LOCAL_CHAIN_IDS:
        return accounts[LOCAL_SIGNER_INDEX].address
    raise SystemExit("set SCORE_SIGNER_ADDRESS (or SCORE_SIGNER_KEY) for a non-local deployment")


def deployer():
    if chain.id in LOCAL_CHAIN_IDS:
        return accounts[0]
    return accounts.load(os.environ["LENDCHAIN_DEPLOYER"])


def deploy_mocks(owner) -> dict:
    return {
        "MockUSDC": MockERC20.deploy("Mock USD Coin", "mUSDC", 6, {"from": owner}),
        "MockWETH": MockERC20.deploy("Mock Wrapped Ether", "mWETH", 18, {"from": owner}),
        "EthUsdFeed": MockAggregator.deploy(8, "ETH / USD", 3_000 * 10**8, {"from": owner}),
        "UsdcUsdFeed": MockAggregator.deploy(8, "USDC / USD", 10**8, {"from": owner}),
    }


def configure_local_feeds(oracle, contracts: dict, owner) -> None:
    policy.set_feed(oracle, contracts["MockWETH"], contracts["EthUsdFeed"], LOCAL_FEED_MAX_AGE, owner)
    policy.set_feed(oracle, contracts["MockUSDC"], contracts["UsdcUsdFeed"], LOCAL_FEED_MAX_AGE, owner)


def deploy() -> dict:
    """Deploy and configure everything; returns the contracts by name."""
    start_block = chain.height
    owner = deployer()
    contracts = deploy_mocks(owner) if chain.id in LOCAL_CHAIN_IDS else {}
    loan_token = contracts["MockUSDC"] if contracts else MockERC20.at(os.environ["LENDCHAIN_LOAN_TOKEN"])
    registry = ScoreRegistry.deploy(owner, signer_address(), {"from": owner})
    book = LoanBook.deploy(owner, registry, owner, {"from": owner})
    oracle = PriceOracle.deploy(owner, {"from": owner})
    vault = CollateralVault.deploy(owner, book, oracle, {"from": owner})
    autolend = AutoLend.deploy(book, {"from": owner})
    lens = LoanLens.deploy(book, vault, oracle, {"from": owner})
    policy.configure(book, registry, loan_token, owner, owner)
    if chain.id in LOCAL_CHAIN_IDS:
        configure_local_feeds(oracle, contracts, owner)
        policy.configure_collateral(book, vault, [contracts["MockWETH"]], owner)
    else:
        book.setCollateralVault(vault, {"from": owner})
    contracts.update({"ScoreRegistry": registry, "LoanBook": book, "PriceOracle": oracle, "CollateralVault": vault,
                      "AutoLend": autolend, "LoanLens": lens})
    write_map(contracts, start_block)
    return contracts


def write_map(contracts: dict, start_block: int) -> Path:
    entries = {name: {"address": c.address, "abi": c.abi} for name, c in contracts.items()}
    document = {"chainId": chain.id, "network": network.show_active(), "startBlock": start_block,
                "block": chain.height, "contracts": entries}
    path = deployment_path(chain.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def main():
    contracts = deploy()
    for name, contract in contracts.items():
        print(f"{name:>14}: {contract.address}")
    print(f"deployment map: {deployment_path(chain.id)}")
