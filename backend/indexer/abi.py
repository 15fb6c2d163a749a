"""Event decoding with eth_abi, by (address, topic0), from the deployment map's ABIs.

`EventDecoder(contracts)` builds one table entry per event of every indexed contract: the topic
(keccak of the canonical signature), the indexed inputs (decoded one topic each; a dynamic
indexed value is only its hash, kept as hex) and the data inputs (decoded in one call). Values
become JSON-safe: integers as decimal strings (uint256 does not fit JSON numbers), addresses
checksummed, bytes as 0x-hex, structs as objects by field name. Nothing is hard-coded per event,
so an event that gains a field costs a redeploy, not a code change. A log no entry decodes (an
unknown topic, a changed ABI, bad data) is returned undecoded and stored raw by the indexer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_utils import keccak

try:  # compiled (same results), ~30x faster than eth_utils' on addresses not yet in the cache
    from faster_eth_utils import to_checksum_address
except ImportError:  # pragma: no cover
    from eth_utils import to_checksum_address

from eth_abi.grammar import parse as parse_type

try:  # the compiled drop-in (same API), several times faster
    from faster_eth_abi import decode as abi_decode, encode as abi_encode
except ImportError:  # pragma: no cover
    from eth_abi import decode as abi_decode, encode as abi_encode

DYNAMIC = ("string", "bytes", "tuple")


def canonical_type(item: dict) -> str:
    """The ABI type string of an input/output (`tuple` expanded to `(t1,t2,...)`, array suffixes kept)."""
    kind = item["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(canonical_type(c) for c in item["components"]) + ")" + kind[len("tuple"):]
    return kind


def signature(entry: dict) -> str:
    return f"{entry['name']}({','.join(canonical_type(i) for i in entry.get('inputs', []))})"


def selector(entry: dict) -> bytes:
    return keccak(text=signature(entry))[:4]


@lru_cache(maxsize=65536)
def checksum(address: str) -> str:
    return to_checksum_address(address)


def to_json(item: dict, value: Any) -> Any:
    """A decoded value in JSON-safe form, following the ABI item (for struct field names)."""
    kind = item["type"]
    if kind.endswith("]"):
        inner = dict(item, type=kind[:kind.rindex("[")])
        return [to_json(inner, v) for v in value]
    if kind == "tuple":
        return {c["name"] or str(i): to_json(c, v) for i, (c, v) in enumerate(zip(item["components"], value))}
    if kind == "address":
        return checksum(value)
    if kind == "bool":
        return bool(value)
    if kind.startswith(("uint", "int")):
        return str(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def _hex_bytes(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def converter(item: dict):
    """A function turning a decoded value of `item` into its JSON-safe form (what `to_json` does,
    resolved once per ABI item instead of per value)."""
    kind = item["type"]
    if kind.endswith("]"):
        inner = converter(dict(item, type=kind[:kind.rindex("[")]))
        return lambda value: [inner(v) for v in value]
    if kind == "tuple":
        fields = [(c["name"] or str(i), converter(c)) for i, c in enumerate(item["components"])]
        return lambda value: {name: convert(v) for (name, convert), v in zip(fields, value)}
    if kind == "address":
        return checksum
    if kind == "bool":
        return bool
    if kind.startswith(("uint", "int")):
        return str
    if kind.startswith("bytes"):
        return lambda value: "0x" + value.hex()
    return lambda value: "0x" + value.hex() if isinstance(value, bytes) else value


def _hashed(value: bytes) -> str:
    return "0x" + value.hex()


@dataclass(frozen=True)
class EventSpec:
    contract: str
    name: str
    indexed: tuple  # ABI input items, in topic order
    data: tuple  # ABI input items, in data order
    data_types: tuple
    order: tuple  # input names in declaration order

    def __post_init__(self):
        # indexed values: a static one is decoded from its topic, a dynamic one is only its hash;
        # all of an event's topics are decoded in one eth_abi call
        hashed = tuple(i["type"].startswith(DYNAMIC) or i["type"].endswith("]") for i in self.indexed)
        object.__setattr__(self, "topic_types", tuple("bytes32" if h else canonical_type(i)
                                                      for i, h in zip(self.indexed, hashed)))
        object.__setattr__(self, "topic_converters", tuple(_hashed if h else converter(i)
                                                           for i, h in zip(self.indexed, hashed)))
        object.__setattr__(self, "topic_names", tuple(i["name"] for i in self.indexed))
        object.__setattr__(self, "data_converters", tuple(converter(i) for i in self.data))
        object.__setattr__(self, "data_names", tuple(i["name"] for i in self.data))
        object.__setattr__(self, "in_order", self.order == self.topic_names + self.data_names)
        # when the data is all static (no offsets into it), topics and data decode as one tuple: one
        # eth_abi call per log instead of two (the usual case: ids, amounts, addresses, structs of them)
        static = bool(self.indexed) and not any(parse_type(t).is_dynamic for t in self.data_types)
        object.__setattr__(self, "joined_types", self.topic_types + self.data_types if static else None)
        object.__setattr__(self, "joined", tuple(zip(self.topic_names + self.data_names,
                                                     self.topic_converters + self.data_converters)))

    def decode(self, topics: list[str], data: str) -> dict:
        if len(topics) != 1 + len(self.indexed):
            raise ValueError(f"{self.name}: {len(topics) - 1} indexed topics, ABI has {len(self.indexed)}")
        if self.joined_types is not None:
            raw = bytes.fromhex("".join(t[2:] if t.startswith("0x") else t for t in topics[1:]))
            if len(raw) != 32 * len(self.indexed):
                raise ValueError(f"{self.name}: malformed topics")
            values = abi_decode(self.joined_types, raw + _hex_bytes(data))
            args = {name: convert(value) for (name, convert), value in zip(self.joined, values)}
            return args if self.in_order else {name: args[name] for name in self.order}
        args = {}
        if self.indexed:
            raw = b"".join(_hex_bytes(t) for t in topics[1:])
            if len(raw) != 32 * len(self.indexed):
                raise ValueError(f"{self.name}: malformed topics")
            values = abi_decode(self.topic_types, raw)
            for name, convert, value in zip(self.topic_names, self.topic_converters, values):
                args[name] = convert(value)
        if self.data:
            values = abi_decode(self.data_types, _hex_bytes(data))
            for name, convert, value in zip(self.data_names, self.data_converters, values):
                args[name] = convert(value)
        return args if self.in_order else {name: args[name] for name in self.order}


def is_erc20(abi: list[dict]) -> bool:
    events = {e["name"]: e for e in abi if e.get("type") == "event"}
    return "Transfer" in events and len(events["Transfer"]["inputs"]) == 3 and "TransferSingle" not in events


def indexed_contracts(contracts: dict[str, dict]) -> dict[str, dict]:
    """The map's contracts whose events the indexer follows: all with events, except ERC-20 tokens
    (their transfers are not platform state) — the book (with its ERC-1155 notes), vault, auto-lend,
    registry, oracle and the Chainlink-style price feeds."""
    return {name: entry for name, entry in contracts.items()
            if any(e.get("type") == "event" for e in entry["abi"]) and not is_erc20(entry["abi"])}


class EventDecoder:
    """(address, topic0) -> EventSpec for the given contracts {name: {address, abi}}."""

    def __init__(self, contracts: dict[str, dict]):
        self.names: dict[str, str] = {}
        self.table: dict[tuple[str, str], EventSpec] = {}
        for name, entry in contracts.items():
            address = entry["address"].lower()
            self.names[address] = name
            for event in entry["abi"]:
                if event.get("type") != "event" or event.get("anonymous"):
                    continue
                inputs = event.get("inputs", [])
                data = tuple(i for i in inputs if not i.get("indexed"))
                spec = EventSpec(name, event["name"], tuple(i for i in inputs if i.get("indexed")), data,
                                 tuple(canonical_type(i) for i in data), tuple(i["name"] for i in inputs))
                self.table[(address, "0x" + keccak(text=signature(event)).hex())] = spec

    @property
    def addresses(self) -> list[str]:
        return [checksum(a) for a in self.names]

    def addresses_by_lower(self, address: str) -> str:
        return checksum(address.lower())

    def decode(self, log: dict) -> tuple[str | None, str | None, dict | None]:
        """(contract name, event name, args); event and args are None when the log cannot be decoded."""
        address = log["address"].lower()
        contract = self.names.get(address)
        topics = log["topics"]
        spec = self.table.get((address, topics[0].lower())) if topics else None
        if spec is None:
            return contract, None, None
        try:
            return contract, spec.name, spec.decode(topics, log["data"])
        except Exception:  # noqa: BLE001 - wrong topic count, short or malformed data: keep it raw
            return contract, None, None


def function_entry(abi: list[dict], name: str) -> dict:
    entry = next((e for e in abi if e.get("type") == "function" and e.get("name") == name), None)
    if entry is None:
        raise KeyError(f"the ABI has no function {name}")
    return entry


def encode_call(abi: list[dict], name: str, args: tuple = ()) -> bytes:
    entry = function_entry(abi, name)
    return selector(entry) + abi_encode([canonical_type(i) for i in entry["inputs"]], list(args))


def decode_result(abi: list[dict], name: str, raw: bytes) -> Any:
    """A call's return in JSON-safe form; a single output is returned alone (a struct as a dict)."""
    outputs = function_entry(abi, name)["outputs"]
    values = abi_decode([canonical_type(o) for o in outputs], raw)
    if len(outputs) == 1:
        return to_json(outputs[0], values[0])
    return {o["name"] or str(i): to_json(o, v) for i, (o, v) in enumerate(zip(outputs, values))}
