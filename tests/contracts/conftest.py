"""Fixtures for the contract tests: a deployed, configured platform on the test Ganache.

Deployment is module-scoped and every test runs in its own snapshot (fn_isolation), so tests
are independent and fast.
"""

import pytest
from brownie import chain

from scripts import policy
from tests.contracts import helpers

USDC = 10**6


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def gov(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def fee_recipient(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def borrower(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def lenders(accounts):
    return accounts[3:8]


@pytest.fixture(scope="module")
def outsider(accounts):
    return accounts[9]


@pytest.fixture(scope="module")
def signer(accounts):
    """The scoring service's attestation key."""
    return accounts.add(helpers.SIGNER_KEY)


@pytest.fixture(scope="module")
def usdc(MockERC20, gov):
    return MockERC20.deploy("Mock USD Coin", "mUSDC", 6, {"from": gov})


@pytest.fixture(scope="module")
def registry(ScoreRegistry, gov, signer):
    return ScoreRegistry.deploy(gov, signer.address, {"from": gov})


@pytest.fixture(scope="module")
def weth(MockERC20, gov):
    return MockERC20.deploy("Mock Wrapped Ether", "mWETH", 18, {"from": gov})


@pytest.fixture(scope="module")
def eth_feed(MockAggregator, gov):
    return MockAggregator.deploy(8, "ETH / USD", 3_000 * 10**8, {"from": gov})


@pytest.fixture(scope="module")
def usd_feed(MockAggregator, gov):
    return MockAggregator.deploy(8, "USDC / USD", 10**8, {"from": gov})


@pytest.fixture(scope="module")
def oracle(PriceOracle, gov, usdc, weth, eth_feed, usd_feed):
    oracle = PriceOracle.deploy(gov, {"from": gov})
    policy.set_feed(oracle, weth, eth_feed, helpers.DAY, gov)
    policy.set_feed(oracle, usdc, usd_feed, helpers.DAY, gov)
    return oracle


@pytest.fixture(scope="module")
def vault(CollateralVault, book, oracle, weth, gov, borrower):
    vault = CollateralVault.deploy(gov, book, oracle, {"from": gov})
    policy.configure_collateral(book, vault, [weth], gov)
    weth.mint(borrower, 1_000 * 10**18, {"from": borrower})
    weth.approve(vault, 2**256 - 1, {"from": borrower})
    return vault


@pytest.fixture(scope="module")
def book(LoanBook, registry, usdc, gov, fee_recipient, borrower, lenders):
    book = LoanBook.deploy(gov, registry, fee_recipient, {"from": gov})
    policy.configure(book, registry, usdc, gov, fee_recipient)
    for account in [borrower, *lenders]:
        usdc.mint(account, 1_000_000 * USDC, {"from": account})
        usdc.approve(book, 2**256 - 1, {"from": account})
    return book


@pytest.fixture
def attest(registry, signer):
    """attest(borrower, grade=3, ...) -> (attestation tuple, signature bytes)."""

    def make(who, **fields):
        return helpers.attestation(registry, signer, who, **fields)

    return make


@pytest.fixture
def list_loan(book, usdc, borrower, attest):
    """list_loan(**terms) -> loan id, listed by `borrower` (or `who`) in `token` (default usdc) with a
    fresh grade-3 attestation."""

    def make(who=None, grade=3, token=None, **overrides):
        who = who or borrower
        attestation, signature = attest(who, grade=grade)
        terms = helpers.terms(token or usdc, **overrides)
        tx = book.requestLoan(terms, attestation, signature, {"from": who})
        return tx.return_value

    return make


@pytest.fixture
def active_loan(book, list_loan, lenders):
    """An active 1,000 USDC, 12 x 30-day, 12% APR loan funded 400/300/300 by three lenders."""
    loan_id = list_loan()
    for lender, amount in zip(lenders, [400, 300, 300]):
        book.fund(loan_id, amount * USDC, {"from": lender})
    return loan_id


@pytest.fixture
def now():
    return lambda: chain.time()


@pytest.fixture(scope="module")
def autolend(AutoLend, book, vault, gov):
    """The auto-lend contract; needs the vault so secured (grade 5+) loans can be listed."""
    return AutoLend.deploy(book, {"from": gov})


@pytest.fixture
def liquidator(accounts, usdc, book):
    """A liquidator holding 100,000 USDC, approved to the book (which pulls liquidation payments)."""
    who = accounts[10]
    usdc.mint(who, 100_000 * USDC, {"from": who})
    usdc.approve(book, 2**256 - 1, {"from": who})
    return who


@pytest.fixture
def reentrant_token(ReentrantToken, gov):
    return ReentrantToken.deploy({"from": gov})


@pytest.fixture(scope="module")
def lens(LoanLens, book, vault, oracle, gov):
    """The read-only lens over the book, vault and oracle."""
    return LoanLens.deploy(book, vault, oracle, {"from": gov})
