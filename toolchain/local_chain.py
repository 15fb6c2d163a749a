"""The project's local chains: one set of Ganache settings, registered with brownie (idempotent)
and used to start the persistent chain of the run command.

Brownie takes a development network's launch command from its user-level network-config.yaml,
not from the project, so the setup commands (re)write these entries:

- `lendchain-local` (8545): the chain the run command starts itself and leaves running.
- `lendchain-test` (8555): the chain the test suite starts and stops.
- `lendchain-bench` (8565): the chain the gas benchmark starts and stops.
- `lendchain-backend` (8605): the chain the backend's indexer tests start, restart and stop.
- `lendchain-e2e` (8585), `lendchain-bots` (8615), `lendchain-autolend` (8625): the browser and bot
  tests' chains; `lendchain-restart` (8635): the bot scenario that restarts its node, state kept.

Brownie attaches to anything already listening on a network's port, so each use has its own.
Ganache 7.9 knows hardforks up to shanghai, which is the EVM version the contracts are compiled
for. A fixed mnemonic makes accounts reproducible.
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
GANACHE = ROOT / "node_modules" / ".bin" / "ganache"
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"  # Foundry's node, from the npm package @foundry-rs/anvil
MNEMONIC = "test test test test test test test test test test test junk"
PORTS = {"lendchain-local": 8545, "lendchain-test": 8555, "lendchain-bench": 8565, "lendchain-backend": 8605, "lendchain-e2e": 8585,
         "lendchain-bots": 8615, "lendchain-autolend": 8625, "lendchain-restart": 8635}
CHAIN_ID = 1337
SETTINGS = {
    "evm_version": "shanghai",
    "gas_limit": 30_000_000,
    "accounts": 20,
    "chain_id": CHAIN_ID,
    "default_balance": 1_000_000,
    "mnemonic": MNEMONIC,
}


def network_entry(network_id: str, port: int) -> dict:
    return {
        "name": f"Lendchain Ganache ({network_id.split('-')[1]})",
        "id": network_id,
        "cmd": str(GANACHE),
        "host": "http://127.0.0.1",
        "timeout": 60,
        "cmd_settings": {"port": port, **SETTINGS},
    }


def register() -> Path:
    from brownie._config import _get_data_folder

    path = _get_data_folder() / "network-config.yaml"
    config = yaml.safe_load(path.read_text())
    development = [n for n in config["development"] if n["id"] not in PORTS]
    development += [network_entry(network_id, port) for network_id, port in PORTS.items()]
    config["development"] = development
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def account_key(index: int) -> str:
    """Private key of local account `index` (the mnemonic's BIP-44 path m/44'/60'/0'/0/index)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}").key.hex()


def ganache_command(port: int, database: Path | None = None) -> list[str]:
    """The Ganache 7 command line for the same chain brownie would launch (see SETTINGS); with
    `database`, the chain is kept in that directory, so a restarted node resumes it."""
    kept = ["--database.dbPath", str(database)] if database else []
    return [
        str(GANACHE), *kept,
        "--server.port", str(port),
        "--chain.hardfork", SETTINGS["evm_version"],
        "--miner.blockGasLimit", str(SETTINGS["gas_limit"]),
        "--wallet.totalAccounts", str(SETTINGS["accounts"]),
        "--chain.chainId", str(CHAIN_ID),
        "--wallet.defaultBalance", str(SETTINGS["default_balance"]),
        "--wallet.mnemonic", MNEMONIC,
        "--chain.vmErrorsOnRPCResponse", "true",
    ]


def anvil_command(port: int) -> list[str]:
    """The same chain (accounts, chain id, gas limit, hardfork, one block per transaction) on anvil,
    the faster node: it runs the EVM natively where Ganache interprets it in JavaScript."""
    return [
        str(ANVIL),
        "--port", str(port),
        "--hardfork", SETTINGS["evm_version"],
        "--gas-limit", str(SETTINGS["gas_limit"]),
        "--accounts", str(SETTINGS["accounts"]),
        "--chain-id", str(CHAIN_ID),
        "--balance", str(SETTINGS["default_balance"]),
        "--mnemonic", MNEMONIC,
        "--silent",
    ]


if __name__ == "__main__":
    print(f"brownie networks {', '.join(PORTS)} registered in {register()}")
