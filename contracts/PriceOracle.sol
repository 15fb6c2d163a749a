// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {Governed} from "./Governed.sol";

/// @title PriceOracle
/// @notice See {IPriceOracle}. Reads only the configured aggregators (never a spot price a trade
///         in the same block could move).
contract PriceOracle is IPriceOracle, Governed {
    using FixedPointMath for uint256;

    /// @notice Longest staleness governance may accept for any feed.
    uint256 public constant MAX_AGE_CAP = 2 days;

    struct Feed {
        AggregatorV3Interface aggregator;
        uint32 maxAge;
        uint8 feedDecimals;
        uint8 tokenDecimals;
    }

    mapping(address token => Feed) public feeds;

    constructor(address governance_) Governed(governance_) {}

    /// @inheritdoc IPriceOracle
    function setFeed(address token, address aggregator, uint256 maxAge) external onlyGovernance {
        if (token == address(0) || aggregator == address(0)) revert ZeroAddress();
        uint8 feedDecimals = AggregatorV3Interface(aggregator).decimals();
        if (maxAge == 0 || maxAge > MAX_AGE_CAP || feedDecimals > 18) {
            revert InvalidFeedSetting(token, maxAge, feedDecimals);
        }
        feeds[token] = Feed(
            AggregatorV3Interface(aggregator), uint32(maxAge), feedDecimals, IERC20Metadata(token).decimals()
        );
        emit FeedSet(token, aggregator, maxAge);
    }

    /// @inheritdoc IPriceOracle
    function priceWad(address token) public view returns (uint256) {
        return _price(token, _feed(token));
    }

    /// @inheritdoc IPriceOracle
    function quote(address token) external view returns (uint256 price, uint256 unit) {
        Feed memory feed = _feed(token);
        return (_price(token, feed), 10 ** feed.tokenDecimals);
    }

    function _price(address token, Feed memory feed) private view returns (uint256) {
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = feed.aggregator.latestRoundData();
        if (answer <= 0) revert InvalidAnswer(token, answer);
        if (answeredInRound < roundId) revert IncompleteRound(token, roundId, answeredInRound);
        if (updatedAt > block.timestamp || block.timestamp - updatedAt > feed.maxAge) {
            revert StalePrice(token, updatedAt, feed.maxAge);
        }
        return uint256(answer) * 10 ** (18 - feed.feedDecimals);
    }

    /// @inheritdoc IPriceOracle
    function tryPriceWad(address token) external view returns (bool usable, uint256 price) {
        try this.priceWad(token) returns (uint256 p) {
            return (true, p);
        } catch {
            return (false, 0);
        }
    }

    /// @inheritdoc IPriceOracle
    function valueWad(address token, uint256 amount) external view returns (uint256) {
        Feed memory feed = _feed(token);
        return amount.mulDivDown(_price(token, feed), 10 ** feed.tokenDecimals);
    }

    function _feed(address token) private view returns (Feed memory feed) {
        feed = feeds[token];
        if (address(feed.aggregator) == address(0)) revert NoFeed(token);
    }
}
