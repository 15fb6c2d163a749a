// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MockAggregator
/// @notice Chainlink AggregatorV3Interface look-alike whose rounds tests and the local demo set.
contract MockAggregator {
    uint8 public immutable decimals;
    string public description;
    uint256 public constant version = 4;

    uint80 public roundId;
    int256 public answer;
    uint256 public startedAt;
    uint256 public updatedAt;
    uint80 public answeredInRound;

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
        roundId = id;
        answer = value;
        startedAt = started;
        updatedAt = updated;
        answeredInRound = answeredIn;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, startedAt, updatedAt, answeredInRound);
    }
}
