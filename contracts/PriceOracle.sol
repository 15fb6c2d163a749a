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
    ///         and keeps the vault's products (price x amount < 2^96 x bps x bps) far inside uint256.
    uint256 public constant MAX_PRICE_WAD = 1e30;

    /// @dev One slot, so a price read costs one cold storage read besides the aggregator's: the
    ///      bounds are stored as decimal floats (mantissa x 10 ** exponent, 3 bytes each), and
    ///      `setFeed` refuses bounds that this does not represent exactly, so what is enforced is
    ///      always what governance set. A 16-bit mantissa (up to 65,535) is ample for a sanity
    ///      range such as $1 .. $1,000,000.
    struct Feed {
        AggregatorV3Interface aggregator;
        uint32 maxAge;
        uint8 feedDecimals;
        uint8 tokenDecimals;
        uint16 minMantissa;
        uint8 minExponent;
        uint16 maxMantissa;
        uint8 maxExponent;
    }

    mapping(address token => Feed) private _feeds;

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
        (uint16 minMantissa, uint8 minExponent) = _toDecimalFloat(token, minAnswer, maxAnswer, minAnswer);
        (uint16 maxMantissa, uint8 maxExponent) = _toDecimalFloat(token, minAnswer, maxAnswer, maxAnswer);
        _feeds[token] = Feed({
            aggregator: AggregatorV3Interface(aggregator),
            maxAge: uint32(maxAge),
            feedDecimals: feedDecimals,
            tokenDecimals: IERC20Metadata(token).decimals(),
            minMantissa: minMantissa,
            minExponent: minExponent,
            maxMantissa: maxMantissa,
            maxExponent: maxExponent
        });
        emit FeedSet(token, aggregator, maxAge, minAnswer, maxAnswer);
    }

    /// @inheritdoc IPriceOracle
    function feeds(address token)
        external
        view
        returns (
            address aggregator,
            uint256 maxAge,
            uint8 feedDecimals,
            uint8 tokenDecimals,
            uint256 minAnswer,
            uint256 maxAnswer
        )
    {
        Feed memory feed = _feeds[token];
        return (
            address(feed.aggregator),
            feed.maxAge,
            feed.feedDecimals,
            feed.tokenDecimals,
            _minAnswer(feed),
            _maxAnswer(feed)
        );
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

    /// @inheritdoc IPriceOracle
    function quotePair(address tokenA, address tokenB)
        external
        view
        returns (uint256 priceA, uint256 unitA, uint256 priceB, uint256 unitB)
    {
        Feed memory a = _feed(tokenA);
        Feed memory b = _feed(tokenB);
        return (_price(tokenA, a), 10 ** a.tokenDecimals, _price(tokenB, b), 10 ** b.tokenDecimals);
    }

    function _price(address token, Feed memory feed) private view returns (uint256) {
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = feed.aggregator.latestRoundData();
        if (answer <= 0) revert InvalidAnswer(token, answer);
        if (uint256(answer) < _minAnswer(feed) || uint256(answer) > _maxAnswer(feed)) {
            revert PriceOutOfBounds(token, answer, _minAnswer(feed), _maxAnswer(feed));
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
        feed = _feeds[token];
        if (address(feed.aggregator) == address(0)) revert NoFeed(token);
    }

    function _minAnswer(Feed memory feed) private pure returns (uint256) {
        return uint256(feed.minMantissa) * 10 ** feed.minExponent;
    }

    function _maxAnswer(Feed memory feed) private pure returns (uint256) {
        return uint256(feed.maxMantissa) * 10 ** feed.maxExponent;
    }

    /// @dev `value` as mantissa x 10 ** exponent with a 16-bit mantissa, or InvalidFeedBounds if
    ///      that loses digits (e.g. 123,456 is refused; 123,400 is 1,234 x 10 ** 2).
    function _toDecimalFloat(address token, uint256 minAnswer, uint256 maxAnswer, uint256 value)
        private
        pure
        returns (uint16 mantissa, uint8 exponent)
    {
        while (value > type(uint16).max && value % 10 == 0) {
            value /= 10;
            ++exponent;
        }
        if (value > type(uint16).max) revert InvalidFeedBounds(token, minAnswer, maxAnswer);
        return (uint16(value), exponent);
    }
}
