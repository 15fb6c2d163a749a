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
    /// @notice Highest price governance may accept for any token: $1e12 per whole token, USD WAD.
    ///         No asset comes within orders of magnitude of it, so it never binds a real feed; it
    ///         caps what a broken feed can claim (a collateral worth "everything" frees all of it),
    ///         keeps a feed's bounds within uint128, and keeps the vault's products (price x amount
    ///         < 2^96 x bps x bps) far inside uint256.
    uint256 public constant MAX_PRICE_WAD = 1e30;

    /// @dev Two slots: the aggregator and decimals, then the bounds (the aggregator's units).
    struct Feed {
        AggregatorV3Interface aggregator;
        uint32 maxAge;
        uint8 feedDecimals;
        uint8 tokenDecimals;
        uint128 minAnswer;
        uint128 maxAnswer;
    }

    mapping(address token => Feed) public feeds;

    constructor(address governance_) Governed(governance_) {}

    /// @inheritdoc IPriceOracle
    function setFeed(address token, address aggregator, uint256 maxAge, uint256 minAnswer, uint256 maxAnswer)
        external
        onlyGovernance
    {
        if (token == address(0) || aggregator == address(0)) revert ZeroAddress();
        uint8 feedDecimals = AggregatorV3Interface(aggregator).decimals();
        if (maxAge == 0 || maxAge > MAX_AGE_CAP || feedDecimals > 18) {
            revert InvalidFeedSetting(token, maxAge, feedDecimals);
        }
        // maxAnswer * 10 ** (18 - decimals) <= MAX_PRICE_WAD, compared without the product.
        if (minAnswer == 0 || minAnswer >= maxAnswer || maxAnswer > MAX_PRICE_WAD / 10 ** (18 - feedDecimals)) {
            revert InvalidFeedBounds(token, minAnswer, maxAnswer);
        }
        feeds[token] = Feed({
            aggregator: AggregatorV3Interface(aggregator),
            maxAge: uint32(maxAge),
            feedDecimals: feedDecimals,
            tokenDecimals: IERC20Metadata(token).decimals(),
            minAnswer: uint128(minAnswer), // < maxAnswer <= MAX_PRICE_WAD < 2^128
            maxAnswer: uint128(maxAnswer)
        });
        emit FeedSet(token, aggregator, maxAge, minAnswer, maxAnswer);
    }

    /// @inheritdoc IPriceOracle
    function priceWad(address token) external view returns (uint256) {
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
        if (uint256(answer) < feed.minAnswer || uint256(answer) > feed.maxAnswer) {
            revert PriceOutOfBounds(token, answer, feed.minAnswer, feed.maxAnswer);
        }
        if (answeredInRound < roundId) revert IncompleteRound(token, roundId, answeredInRound);
        if (updatedAt > block.timestamp || block.timestamp - updatedAt > feed.maxAge) {
            revert StalePrice(token, updatedAt, feed.maxAge);
        }
        return uint256(answer) * 10 ** (18 - feed.feedDecimals);
    }

    /// @inheritdoc IPriceOracle
    function tryQuote(address token) public view returns (bool usable, uint256 price, uint256 unit) {
        // An external self-call, so that an aggregator that reverts (or returns garbage) is caught too.
        try this.quote(token) returns (uint256 p, uint256 u) {
            return (true, p, u);
        } catch {
            return (false, 0, 0);
        }
    }

    /// @inheritdoc IPriceOracle
    function tryPriceWad(address token) external view returns (bool usable, uint256 price) {
        (usable, price,) = tryQuote(token);
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
