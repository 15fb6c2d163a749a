// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title MockAggregator
/// @notice Chainlink AggregatorV3Interface look-alike whose rounds tests and the local demo set. It
///         emits Chainlink's `AnswerUpdated` and `NewRound` events as real feeds do, so an indexer
///         or bot can follow it the same way.
/// @dev The round is stored packed, as Chainlink's OCR aggregator packs its transmissions: two
///      slots (the answer; the round ids and timestamps) instead of five, so `latestRoundData`
///      costs two storage reads (a real feed behind its proxy costs about three, plus a call).
///      Answers keep the full int256 range (tests publish type(int256).max); timestamps are
///      stored in 48 bits, so `setRound` reverts for a timestamp at or after 2^48 seconds (in
///      about 8.9 million years); every other round reads back exactly as published.
contract MockAggregator {
    uint8 public immutable decimals;
    string public description;
    uint256 public constant version = 4;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);

    int256 public answer;
    uint80 public roundId;
    uint80 public answeredInRound;
    uint48 private _startedAt;
    uint48 private _updatedAt;

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        setAnswer(initialAnswer);
    }

    /// @notice Publish a new complete round at the current time.
    function setAnswer(int256 newAnswer) public {
        setRound(roundId + 1, newAnswer, block.timestamp, block.timestamp, roundId + 1);
    }

    /// @notice Publish any round, including stale, incomplete or non-positive ones.
    function setRound(uint80 id, int256 value, uint256 started, uint256 updated, uint80 answeredIn) public {
        answer = value;
        (roundId, answeredInRound) = (id, answeredIn);
        (_startedAt, _updatedAt) = (SafeCast.toUint48(started), SafeCast.toUint48(updated));
        emit AnswerUpdated(value, id, updated);
        emit NewRound(id, msg.sender, started);
    }

    function startedAt() external view returns (uint256) {
        return _startedAt;
    }

    function updatedAt() external view returns (uint256) {
        return _updatedAt;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, _startedAt, _updatedAt, answeredInRound);
    }
}
