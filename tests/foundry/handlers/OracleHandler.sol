// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMockFeed, Launch} from "../utils/Platform.sol";
import {Ghost} from "./Ghost.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @title OracleHandler
/// @notice Price moves on the mock Chainlink feeds (contracts/mocks/MockAggregator.sol): anywhere in
///         a wide band, to within a few percent of a loan's liquidation price, and unusable rounds
///         (zero or negative answers, incomplete, stale or future rounds).
contract OracleHandler is HandlerBase {
    // ETH $50 .. $50,000 and USDC $0.50 .. $2, in the feeds' 8 decimals.
    uint256 internal constant ETH_MIN = 50e8;
    uint256 internal constant ETH_MAX = 50_000e8;
    uint256 internal constant USD_MIN = 5e7;
    uint256 internal constant USD_MAX = 2e8;

    constructor(Ghost ghost_) HandlerBase(ghost_) {}

    function moveEth(uint256 answerSeed) external step {
        ethFeed.setAnswer(int256(_bound(answerSeed, ETH_MIN, ETH_MAX)));
    }

    function moveUsd(uint256 answerSeed) external step {
        usdFeed.setAnswer(int256(_bound(answerSeed, USD_MIN, USD_MAX)));
    }

    /// @notice ETH to within -3% .. +3% of the price at which a secured loan's health is 1.
    function nearLiquidation(uint256 loanSeed, uint256 bpsSeed) external step {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isRepayable);
        if (!found) return;
        uint256 liquidationPriceWad;
        try vault.health(loanId) returns (uint256, uint256 priceWad, uint256) {
            liquidationPriceWad = priceWad;
        } catch {
            return;
        }
        if (liquidationPriceWad == 0) return;
        uint256 answer = liquidationPriceWad / 1e10 * _bound(bpsSeed, 9_700, 10_300) / Launch.BPS;
        ethFeed.setAnswer(int256(_bound(answer, 1, ETH_MAX)));
    }

    /// @notice An unusable round on either feed.
    function unusable(bool eth, uint256 kind) external step {
        IMockFeed feed = eth ? ethFeed : usdFeed;
        (uint80 roundId, int256 answer,,,) = feed.latestRoundData();
        uint256 now_ = block.timestamp;
        kind %= 6;
        if (kind == 0) feed.setRound(roundId + 1, 0, now_, now_, roundId + 1);
        else if (kind == 1) feed.setRound(roundId + 1, -1 - (answer > 0 ? answer : int256(0)), now_, now_, roundId + 1);
        else if (kind == 2) feed.setRound(roundId + 1, answer, now_, now_, roundId);
        else if (kind == 3) feed.setRound(roundId + 1, answer, now_ - Launch.FEED_MAX_AGE - 1, now_ - Launch.FEED_MAX_AGE - 1, roundId + 1);
        else if (kind == 4) feed.setRound(roundId + 1, answer, now_ + 1, now_ + 1, roundId + 1);
        else feed.setAnswer(int256(eth ? Launch.ETH_MAX_ANSWER + 1 : Launch.USD_MAX_ANSWER + 1)); // out of bounds
    }

    /// @notice A fresh, usable round at the last positive answer (or the launch price).
    function restore(bool eth) external step {
        IMockFeed feed = eth ? ethFeed : usdFeed;
        int256 answer = feed.answer();
        if (answer <= 0) answer = eth ? Launch.ETH_ANSWER : Launch.USD_ANSWER;
        feed.setAnswer(answer);
    }
}
