"""A chain in memory for the indexer's unit tests: blocks with hashes and times, logs encoded with
eth_abi from ABIs written here (the events of contracts/interfaces the tests emit), reorgs by
truncating and re-mining, and the few views the indexer reads (`call`)."""

from __future__ import annotations

import hashlib
import re

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

from backend.indexer.abi import canonical_type, signature
from backend.indexer.rpc import BlockHeader, SourceUnavailable

CHAIN_ID = 1337
BOOK = to_checksum_address("0x" + "b0" * 20)
VAULT = to_checksum_address("0x" + "c0" * 20)
FEED = to_checksum_address("0x" + "fe" * 20)
USDC = to_checksum_address("0x" + "d5" * 20)
LENS = to_checksum_address("0x" + "1e" * 20)
ZERO = "0x" + "00" * 20

TERMS = [{"name": n, "type": t} for n, t in [
    ("token", "address"), ("principal", "uint256"), ("aprBps", "uint256"), ("instalments", "uint256"),
    ("period", "uint256"), ("fundingDeadline", "uint256"), ("minFillBps", "uint256"), ("purpose", "uint256"),
    ("collateralToken", "address"), ("collateralAmount", "uint256")]]


def event(text: str) -> dict:
    """'Name(type [indexed] name, ...)' -> an ABI event entry."""
    name, body = re.fullmatch(r"(\w+)\((.*)\)", text).groups()
    inputs = []
    for part in filter(None, (p.strip() for p in body.split(","))):
        words = part.split()
        inputs.append({"type": words[0], "indexed": "indexed" in words, "name": words[-1]})
    return {"type": "event", "name": name, "anonymous": False, "inputs": inputs}


BOOK_ABI = [
    {"type": "event", "name": "LoanRequested", "anonymous": False, "inputs": [
        {"type": "uint256", "name": "loanId", "indexed": True}, {"type": "address", "name": "borrower", "indexed": True},
        {"type": "address", "name": "token", "indexed": True},
        {"type": "tuple", "name": "terms", "indexed": False, "components": TERMS},
        {"type": "uint8", "name": "grade", "indexed": False}, {"type": "uint16", "name": "pdBps", "indexed": False}]},
    event("Funded(uint256 indexed loanId, address indexed lender, uint256 amount, uint256 totalFunded)"),
    event("LoanStarted(uint256 indexed loanId, uint256 principal, uint256 instalment, uint256 startTime)"),
    event("LoanCancelled(uint256 indexed loanId)"),
    event("Repayment(uint256 indexed loanId, address indexed payer, uint256 lateFees, uint256 interest, "
          "uint256 principal, uint256 platformFee, uint256 outstanding)"),
    event("LoanRepaid(uint256 indexed loanId)"),
    event("LoanDefaulted(uint256 indexed loanId, uint256 outstanding)"),
    event("Claimed(uint256 indexed loanId, address indexed holder, uint256 amount)"),
    event("FeeSet(uint256 feeBps, address recipient)"),
    event("LatePolicySet(uint256 gracePeriod, uint256 lateFeeBps, uint256 defaultAfter)"),
    event("GradePolicySet(address indexed token, uint8 indexed grade, uint256 maxPrincipal, uint256 maxAprBps, "
          "uint256 minCollateralRatioBps)"),
    event("TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, "
          "uint256 value)"),
    event("TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, "
          "uint256[] values)"),
]
VAULT_ABI = [event("CollateralLocked(uint256 indexed loanId, address indexed token, uint256 amount, "
                   "uint256 liquidationThresholdBps, uint256 liquidationBonusBps, uint256 closeFactorBps)")]
FEED_ABI = [event("AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)")]
LENS_ABI = [{"type": "function", "name": "loan", "inputs": [{"type": "uint256", "name": "loanId"}],
             "outputs": [{"type": "tuple", "name": "", "components": [
                 {"type": "uint16", "name": n} for n in ("feeBps", "lateFeeBps", "minCollateralRatioBps")] + [
                 {"type": "uint32", "name": n} for n in ("gracePeriod", "defaultAfter")]}]}]


def deployment(start_block: int = 0) -> dict:
    return {"chainId": CHAIN_ID, "startBlock": start_block, "contracts": {
        "LoanBook": {"address": BOOK, "abi": BOOK_ABI}, "CollateralVault": {"address": VAULT, "abi": VAULT_ABI},
        "EthUsdFeed": {"address": FEED, "abi": FEED_ABI}, "LoanLens": {"address": LENS, "abi": LENS_ABI}}}


ABIS = {BOOK: BOOK_ABI, VAULT: VAULT_ABI, FEED: FEED_ABI}


def _value(item, value):
    if item["type"] == "tuple":
        return tuple(value[c["name"]] for c in item["components"])
    return value


class FakeSource:
    """The indexer's source interface over in-memory blocks. `fork` names the chain (hashes differ)."""

    def __init__(self, fork: str = "a", genesis_time: int = 1_700_000_000):
        self.fork = fork
        self.blocks: list[BlockHeader] = []
        self.logs_by_block: dict[int, list[dict]] = {}
        self.down = False
        self.calls = 0
        self.views: dict = {}
        self.mine(time=genesis_time)

    def _check(self):
        if self.down:
            raise SourceUnavailable("connection refused")

    def mine(self, *logs, time: int | None = None) -> int:
        """A new block holding `logs` (from `log()`); returns its number."""
        number = len(self.blocks)
        time = time if time is not None else self.blocks[-1].timestamp + 15
        block_hash = "0x" + hashlib.sha256(f"{self.fork}:{number}:{time}:{len(logs)}".encode()).hexdigest()
        self.blocks.append(BlockHeader(number, block_hash, time))
        self.logs_by_block[number] = [dict(entry, blockNumber=number, blockHash=block_hash, logIndex=i,
                                           transactionHash="0x" + keccak(text=f"{block_hash}{i}").hex())
                                      for i, entry in enumerate(logs)]
        return number

    def reorg(self, keep: int, fork: str) -> None:
        """Drop the blocks above `keep`; blocks mined afterwards get new hashes."""
        del self.blocks[keep + 1:]
        for number in [n for n in self.logs_by_block if n > keep]:
            del self.logs_by_block[number]
        self.fork = fork

    # -- the source interface ---------------------------------------------------------------------

    def chain_id(self):
        self._check()
        return CHAIN_ID

    def block_number(self):
        self._check()
        return len(self.blocks) - 1

    def headers(self, numbers):
        self._check()
        return {n: self.blocks[n] for n in numbers if 0 <= n < len(self.blocks)}

    def logs(self, first, last, addresses):
        self._check()
        wanted = {a.lower() for a in addresses}
        return [entry for n in range(first, min(last, len(self.blocks) - 1) + 1)
                for entry in self.logs_by_block.get(n, []) if entry["address"].lower() in wanted]

    def call(self, to, data):
        self._check()
        self.calls += 1
        if to == LENS:
            loan_id = decode(["uint256"], data[4:])[0]
            view = self.views[loan_id]
            return encode(["(uint16,uint16,uint16,uint32,uint32)"], [(view["feeBps"], view["lateFeeBps"],
                          view["minCollateralRatioBps"], view["gracePeriod"], view["defaultAfter"])])
        if to == USDC:
            if data[:4] == keccak(text="symbol()")[:4]:
                return encode(["string"], ["mUSDC"])
            return encode(["uint8"], [6])
        raise SourceUnavailable(f"execution reverted: no contract at {to}")


def log(address: str, name: str, **args) -> dict:
    """A raw log of event `name` of the contract at `address`, encoded with eth_abi."""
    entry = next(e for e in ABIS[address] if e["name"] == name)
    topics = ["0x" + keccak(text=signature(entry)).hex()]
    data_types, data_values = [], []
    for item in entry["inputs"]:
        if item["indexed"]:
            topics.append("0x" + encode([item["type"]], [args[item["name"]]]).hex())
        else:
            data_types.append(canonical_type(item))
            data_values.append(_value(item, args[item["name"]]))
    return {"address": address, "topics": topics, "data": "0x" + encode(data_types, data_values).hex()}


def terms(principal=1_000 * 10**6, apr_bps=1_200, instalments=12, period=30 * 86400, deadline=1_800_000_000,
          min_fill_bps=7_000, purpose=1, collateral_token=ZERO, collateral_amount=0) -> dict:
    return {"token": USDC, "principal": principal, "aprBps": apr_bps, "instalments": instalments, "period": period,
            "fundingDeadline": deadline, "minFillBps": min_fill_bps, "purpose": purpose,
            "collateralToken": collateral_token, "collateralAmount": collateral_amount}
