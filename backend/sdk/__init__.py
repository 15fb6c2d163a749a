"""The Lendchain bot SDK: what a third party needs to run its own auto-lend or liquidation bot
(our bots use it too). See backend/sdk/README.md."""

from backend.sdk.api import ApiError, LendchainApi
from backend.sdk.client import LendchainClient
from backend.sdk.types import BPS, STATUSES, WAD, AmountDue, Head, LoanState, Position, Quote, Units

__all__ = ["ApiError", "LendchainApi", "LendchainClient", "AmountDue", "Head", "LoanState", "Position", "Quote",
           "Units", "BPS", "WAD", "STATUSES"]
