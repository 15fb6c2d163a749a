"""Bot signing keys from the environment: AUTOLEND_BOT_KEY, LIQUIDATOR_KEY.

On the local chain (CHAIN_ID 1337) an unset key defaults to a Ganache account of the test
mnemonic (#8 for auto-lend, #7 for the liquidator, #10 for the local price publisher), so `flask bots ... run` works out of the box;
on any other chain a missing key is an error, never a silent default.
"""

from __future__ import annotations

from typing import Mapping

from eth_account import Account
from eth_account.signers.local import LocalAccount

from toolchain.local_chain import CHAIN_ID as LOCAL_CHAIN_ID

BOT_KEYS = {"autolend": ("AUTOLEND_BOT_KEY", 8), "liquidator": ("LIQUIDATOR_KEY", 7),
            "prices": ("PRICE_PUBLISHER_KEY", 10)}  # the local price publisher (backend/bots/prices.py)


class MissingKey(RuntimeError):
    pass


def bot_account(bot: str, config: Mapping) -> LocalAccount:
    """The account `bot` signs with (its key from config, else the local default)."""
    if bot not in BOT_KEYS:
        raise MissingKey(f"no key setting for bot {bot!r} (known: {', '.join(BOT_KEYS)})")
    setting, local_index = BOT_KEYS[bot]
    key = config.get(setting) or ""
    if not key:
        if int(config.get("CHAIN_ID") or 0) != LOCAL_CHAIN_ID:
            raise MissingKey(f"set {setting}: bots only default to a test key on the local chain")
        from toolchain.local_chain import account_key

        key = account_key(local_index)
    return Account.from_key(key)
