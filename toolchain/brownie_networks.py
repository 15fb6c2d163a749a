"""Register this project's local chains with brownie (idempotent).

Brownie takes a development network's launch command from its user-level network-config.yaml,
not from the project, so the setup commands (re)write these entries:

- `lendchain-local` (port 8545): the chain the run command starts and leaves running.
- `lendchain-test` (port 8555): the chain tests start. Brownie attaches to anything already
  listening on a network's port, so tests must never share the demo chain's port.

Both launch npm's Ganache 7 from this checkout. Ganache 7.9 knows hardforks up to shanghai, which
is the EVM version the contracts are compiled for. A fixed mnemonic makes accounts reproducible.
"""

from pathlib import Path

import yaml
from brownie._config import _get_data_folder

ROOT = Path(__file__).resolve().parent.parent
GANACHE = ROOT / "node_modules" / ".bin" / "ganache"
MNEMONIC = "test test test test test test test test test test test junk"
PORTS = {"lendchain-local": 8545, "lendchain-test": 8555}


def network_entry(network_id: str, port: int) -> dict:
    return {
        "name": f"Lendchain Ganache ({network_id.split('-')[1]})",
        "id": network_id,
        "cmd": str(GANACHE),
        "host": "http://127.0.0.1",
        "timeout": 60,
        "cmd_settings": {
            "port": port,
            "evm_version": "shanghai",
            "gas_limit": 30_000_000,
            "accounts": 20,
            "chain_id": 1337,
            "default_balance": 1_000_000,
            "mnemonic": MNEMONIC,
        },
    }


def register() -> Path:
    path = _get_data_folder() / "network-config.yaml"
    config = yaml.safe_load(path.read_text())
    development = [n for n in config["development"] if n["id"] not in PORTS]
    development += [network_entry(network_id, port) for network_id, port in PORTS.items()]
    config["development"] = development
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


if __name__ == "__main__":
    print(f"brownie networks {', '.join(PORTS)} registered in {register()}")
