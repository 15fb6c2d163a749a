"""Amounts and dates as people read them in notifications, from exact integers.

Amounts are token base units shown with the token's decimals and symbol, cut (never rounded up)
to `places` decimals; dates are chain timestamps in UTC. Only text is produced here: payloads keep
the exact integers.
"""

from __future__ import annotations

from datetime import datetime, timezone

from backend.sdk.types import Units

WAD_DECIMALS = 18


def amount(value: int, units: Units, places: int = 2) -> str:
    """'1,234.5 USDC' for 1_234_500_000 base units of a 6-decimal USDC (truncated to `places`; an
    amount that would read as zero keeps all its digits)."""
    whole, rest = divmod(abs(int(value)), 10**units.decimals)
    digits = str(rest).rjust(units.decimals, "0")
    fraction = (digits[:places] if whole or digits[:places].strip("0") else digits).rstrip("0")
    sign = "-" if value < 0 else ""
    return f"{sign}{whole:,}{'.' + fraction if fraction else ''} {units.symbol}"


def usd_wad(value: int) -> str:
    """'$1,234.56' for a USD amount in WAD (truncated to cents)."""
    return "$" + amount(value, Units("", WAD_DECIMALS)).rstrip()


def date(timestamp: int) -> str:
    """'2026-12-08 14:00 UTC' for a chain timestamp."""
    return datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
