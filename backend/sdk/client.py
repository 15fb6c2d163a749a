"""LendchainClient: typed reads and transaction builders over the deployed contracts.

Reads answer plain integers and small dataclasses (backend/sdk/types.py). Builders return web3.py
ContractFunctions, bound with their arguments, to send however the caller likes: our bots pass
them to backend.tx.TxSender, a third party may call `.transact()` or `.build_transaction()`.
A third party should give a gas limit with headroom over `estimate_gas()` (TxSender adds half
plus 10,000): a node estimates on its latest block, and a call mined in a later block can take a
dearer path (a loan's first repayment on Ganache runs out of gas with the bare estimate).
"""

from __future__ import annotations

from typing import Any, Iterable

from backend.sdk.types import Head, LoanState, Position, Quote, Units

LENS_CHUNK = 250  # loans per LoanLens.loanStates call (the node's eth_call time grows with it)


class LendchainClient:
    def __init__(self, web3, deployment: dict):
        self.web3 = web3
        self.deployment = deployment
        self.chain_id = int(deployment["chainId"])
        self.contracts = {name: web3.eth.contract(address=entry["address"], abi=entry["abi"])
                          for name, entry in deployment["contracts"].items()}
        self._units: dict[str, Units] = {}

    @classmethod
    def from_deployment(cls, rpc_url: str, deployments_dir: str, chain_id: int, timeout: float = 10) -> "LendchainClient":
        """A client over `rpc_url` with the contracts of `<deployments_dir>/<chain_id>.json` (scripts/deploy.py)."""
        from backend.chain import load_deployment
        from backend.tx import make_web3

        return cls(make_web3(rpc_url, timeout), load_deployment(deployments_dir, chain_id))

    def __getitem__(self, name: str):
        """A contract of the deployment map by name, e.g. client["LoanBook"]."""
        return self.contracts[name]

    # ------------------------------------------------------------------ reads

    def head(self) -> Head:
        block = self.web3.eth.get_block("latest")
        return Head(int(block["number"]), int(block["timestamp"]))

    def loan_states(self, loan_ids: Iterable[int], block: int | str = "latest",
                    chunk: int = LENS_CHUNK) -> list[LoanState]:
        """LoanLens.loanStates for many loans: one eth_call per `chunk` ids, all at `block`."""
        ids = [int(i) for i in loan_ids]
        lens = self.contracts["LoanLens"].functions
        states: list[LoanState] = []
        for start in range(0, len(ids), chunk):
            raw = lens.loanStates(ids[start:start + chunk]).call(block_identifier=block)
            states += [LoanState.from_tuple(item) for item in raw]
        return states

    def loan(self, loan_id: int) -> dict[str, Any]:
        """LoanLens.loan: the loan's terms and repayment state by field name (ILoanBook.Loan)."""
        return self._named("LoanLens", "loan", loan_id)

    def commitment(self, commitment_id: int) -> dict[str, Any]:
        """AutoLend.commitment by field name (IAutoLend.Commitment; all zero when unknown or closed)."""
        return self._named("AutoLend", "commitment", commitment_id)

    def commitments(self, commitment_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        return {int(i): self.commitment(int(i)) for i in commitment_ids}

    def quote(self, token: str, block: int | str = "latest") -> Quote:
        """PriceOracle.tryQuote: never reverts; `usable` is False for a stale, absurd or missing price."""
        usable, price, unit = self.contracts["PriceOracle"].functions.tryQuote(token).call(block_identifier=block)
        return Quote(bool(usable), int(price), int(unit))

    def position(self, loan_id: int) -> Position:
        return Position(*self.contracts["CollateralVault"].functions.positions(loan_id).call())

    def balance(self, token: str, holder: str) -> int:
        return int(self._erc20(token).functions.balanceOf(holder).call())

    def allowance(self, token: str, owner: str, spender: str) -> int:
        return int(self._erc20(token).functions.allowance(owner, spender).call())

    def units(self, token: str) -> Units:
        """The token's symbol and decimals (read once per client)."""
        if token not in self._units:
            erc20 = self._erc20(token).functions
            self._units[token] = Units(erc20.symbol().call(), int(erc20.decimals().call()))
        return self._units[token]

    # ------------------------------------------------------------------ transaction builders

    def fund_from_commitment(self, commitment_id: int, loan_id: int, amount: int):
        return self.contracts["AutoLend"].functions.fundFromCommitment(commitment_id, loan_id, amount)

    def reinvest(self, commitment_id: int, loan_ids: Iterable[int]):
        return self.contracts["AutoLend"].functions.reinvest(commitment_id, [int(i) for i in loan_ids])

    def liquidate(self, loan_id: int, repay_amount: int):
        """CollateralVault.liquidate: the caller pays `repay_amount` of loan token (approve the book)."""
        return self.contracts["CollateralVault"].functions.liquidate(loan_id, repay_amount)

    def mark_default(self, loan_id: int):
        return self.contracts["LoanBook"].functions.markDefault(loan_id)

    def start(self, loan_id: int):
        """LoanBook.start: anyone, after the funding deadline, for a listing at its minimum fill."""
        return self.contracts["LoanBook"].functions.start(loan_id)

    def expire(self, loan_id: int):
        return self.contracts["LoanBook"].functions.expire(loan_id)

    def release(self, loan_id: int):
        """CollateralVault.release: leftover collateral of a finished loan back to its borrower."""
        return self.contracts["CollateralVault"].functions.release(loan_id)

    def approve(self, token: str, spender: str, amount: int = 2**256 - 1):
        return self._erc20(token).functions.approve(spender, amount)

    # ------------------------------------------------------------------ helpers

    def _named(self, contract: str, function: str, *args) -> dict[str, Any]:
        from backend.chain import decode_named

        target = self.contracts[contract]
        return decode_named(target.abi, function, getattr(target.functions, function)(*args).call())

    def _erc20(self, token: str):
        return self.web3.eth.contract(address=self.web3.to_checksum_address(token), abi=ERC20)


ERC20 = [
    {"type": "function", "name": name, "stateMutability": mutability, "inputs": inputs,
     "outputs": [{"name": "", "type": output}]}
    for name, mutability, inputs, output in (
        ("balanceOf", "view", [{"name": "owner", "type": "address"}], "uint256"),
        ("allowance", "view", [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
         "uint256"),
        ("approve", "nonpayable", [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
         "bool"),
        ("symbol", "view", [], "string"),
        ("decimals", "view", [], "uint8"),
    )
]
