// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPriceOracle
/// @notice Token prices from Chainlink-style feeds, checked before use and normalised to one unit:
///         USD per whole token, WAD (1e18 = $1). A feed's round is usable only if its answer is
///         positive and within the feed's sanity bounds (`minAnswer` .. `maxAnswer`, set by
///         governance, as Chainlink aggregators carry minAnswer/maxAnswer), it is complete
///         (answeredInRound >= roundId), it is not from the future, and it is at most the feed's
///         `maxAge` seconds old. Callers that must not revert on an unusable price (for example to
///         pause liquidations while repayment continues) use `tryQuote` or `tryPriceWad`.
interface IPriceOracle {
    /// @notice No feed is configured for the token.
    error NoFeed(address token);
    /// @notice The feed's answer is zero or negative.
    error InvalidAnswer(address token, int256 answer);
    /// @notice The feed's answer is outside the bounds governance set for it (all in the feed's units).
    error PriceOutOfBounds(address token, int256 answer, uint256 minAnswer, uint256 maxAnswer);
    /// @notice The feed's last update is older than its maximum age (or in the future).
    error StalePrice(address token, uint256 updatedAt, uint256 maxAge);
    /// @notice The feed's latest round has not been answered in that round.
    error IncompleteRound(address token, uint80 roundId, uint80 answeredInRound);
    /// @notice A feed's age or decimals are outside the oracle's hard limits.
    error InvalidFeedSetting(address token, uint256 maxAge, uint8 feedDecimals);
    /// @notice A feed's bounds are not 0 < minAnswer < maxAnswer <= MAX_PRICE_WAD (as a WAD price).
    error InvalidFeedBounds(address token, uint256 minAnswer, uint256 maxAnswer);

    /// @notice `aggregator` now prices `token`; bounds in the aggregator's units (its decimals).
    event FeedSet(
        address indexed token, address indexed aggregator, uint256 maxAge, uint256 minAnswer, uint256 maxAnswer
    );

    /// @notice USD per whole `token`, WAD. Reverts with one of the errors above if unusable.
    function priceWad(address token) external view returns (uint256);

    /// @notice `quote` for two tokens in one call (a loan token and its collateral).
    function quotePair(address tokenA, address tokenB)
        external
        view
        returns (uint256 priceA, uint256 unitA, uint256 priceB, uint256 unitB);

    /// @notice A feed as governance set it (bounds in the aggregator's units); all zero if none.
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
        );

    /// @notice `priceWad` and the token's unit (10 ** decimals, read once when the feed was set),
    ///         so callers convert base units without asking the token.
    function quote(address token) external view returns (uint256 priceWad, uint256 unit);

    /// @notice Like `quote`, but returns (false, 0, 0) instead of reverting when the price is
    ///         unusable, there is no feed, or the aggregator itself reverts.
    function tryQuote(address token) external view returns (bool usable, uint256 priceWad, uint256 unit);

    /// @notice Like `priceWad`, but returns (false, 0) instead of reverting when unusable.
    function tryPriceWad(address token) external view returns (bool usable, uint256 price);

    /// @notice USD value of `amount` base units of `token`, WAD, rounded down.
    function valueWad(address token, uint256 amount) external view returns (uint256);

    /// @notice Governance: use `aggregator` for `token`, accepting rounds up to `maxAge` seconds old
    ///         (0 < maxAge <= MAX_AGE_CAP) whose answer is within `minAnswer` .. `maxAnswer`
    ///         (inclusive, in the aggregator's units: 0 < minAnswer < maxAnswer, and maxAnswer worth
    ///         at most MAX_PRICE_WAD; each a whole number up to 65,535 times a power of ten, as
    ///         1e8 or 12,345e4). The feed's and the token's decimals are read once here.
    function setFeed(address token, address aggregator, uint256 maxAge, uint256 minAnswer, uint256 maxAnswer)
        external;
}
