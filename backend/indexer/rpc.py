"""A minimal JSON-RPC client for the indexer: batched requests over one HTTP session.

web3.py's middleware and formatters cost more than the decoding itself at catch-up rates, and
they cannot batch, so the indexer speaks JSON-RPC directly: `eth_chainId`, `eth_blockNumber`,
`eth_getBlockByNumber` (headers, in batches), `eth_getLogs` and `eth_call`. Any object with
these methods can stand in (the tests' FakeSource, the benchmark's replay).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import requests

HEADER_BATCH = 500


class SourceUnavailable(Exception):
    """The node cannot be reached or answered with an error: the step is retried later."""


@dataclass(frozen=True)
class BlockHeader:
    number: int
    hash: str
    timestamp: int


class RpcSource:
    def __init__(self, url: str, timeout: float = 10.0):
        self.url = url
        self.timeout = timeout
        self.http = requests.Session()
        self._ids = itertools.count(1)

    def _post(self, payload):
        try:
            response = self.http.post(self.url, json=payload, timeout=self.timeout)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as error:
            raise SourceUnavailable(f"JSON-RPC at {self.url}: {type(error).__name__}: {error}") from None

    def request(self, method: str, params: list):
        answer = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        if "error" in answer:
            raise SourceUnavailable(f"{method} at {self.url}: {answer['error']}")
        return answer.get("result")

    def batch(self, calls: list[tuple[str, list]]) -> list:
        if not calls:
            return []
        payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        answers = self._post(payload)
        if not isinstance(answers, list):
            raise SourceUnavailable(f"batch request at {self.url}: {answers.get('error', answers)}")
        by_id = {a.get("id"): a for a in answers}
        results = []
        for i, (method, _params) in enumerate(calls):
            answer = by_id.get(i, {})
            if "error" in answer or i not in by_id:
                raise SourceUnavailable(f"{method} at {self.url}: {answer.get('error', 'no answer')}")
            results.append(answer.get("result"))
        return results

    def chain_id(self) -> int:
        return int(self.request("eth_chainId", []), 16)

    def block_number(self) -> int:
        return int(self.request("eth_blockNumber", []), 16)

    def headers(self, numbers) -> dict[int, BlockHeader]:
        """Headers of the given blocks; a block the node does not have is absent from the result."""
        numbers = sorted(set(numbers))
        found: dict[int, BlockHeader] = {}
        for start in range(0, len(numbers), HEADER_BATCH):
            chunk = numbers[start:start + HEADER_BATCH]
            results = self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in chunk])
            for block in results:
                if block:
                    header = BlockHeader(int(block["number"], 16), block["hash"], int(block["timestamp"], 16))
                    found[header.number] = header
        return found

    def logs(self, from_block: int, to_block: int, addresses: list[str]) -> list[dict]:
        raw = self.request("eth_getLogs", [{"fromBlock": hex(from_block), "toBlock": hex(to_block),
                                            "address": addresses}])
        return [{"blockNumber": int(log["blockNumber"], 16), "blockHash": log["blockHash"],
                 "logIndex": int(log["logIndex"], 16), "transactionHash": log["transactionHash"],
                 "address": log["address"], "topics": log["topics"], "data": log["data"]}
                for log in raw if not log.get("removed")]

    def call(self, to: str, data: bytes) -> bytes:
        result = self.request("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"])
        return bytes.fromhex(result[2:])
