// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPriceOracle
/// @notice Token prices from Chainlink-style feeds, checked before use and normalised to one unit:
///         USD per whole token, WAD (1e18 = $1). A feed's round is usable only if its answer is
///         positive, it is complete (answeredInRound >= roundId), it is not from the future, and it
///         is at most the feed's `maxAge` seconds old. Callers that must not revert on an unusable
///         price (for example to pause liquidations while repayment continues) use `tryPriceWad`.
interface IPriceOracle {
    /// @notice No feed is configured for the token.
    error NoFeed(address token);
    /// @notice The feed's answer is zero or negative.
    error InvalidAnswer(address token, int256 answer);
    /// @notice The feed's last update is older than its maximum age (or in the future).
    error StalePrice(address token, uint256 updatedAt, uint256 maxAge);
    /// @notice The feed's latest round has not been answered in that round.
    error IncompleteRound(address token, uint80 roundId, uint80 answeredInRound);
    /// @notice A feed setting is outside the oracle's hard limits.
    error InvalidFeedSetting(address token, uint256 maxAge, uint8 feedDecimals);

    event FeedSet(address indexed token, address indexed aggregator, uint256 maxAge);

    /// @notice USD per whole `token`, WAD. Reverts with one of the errors above if unusable.
    function priceWad(address token) external view returns (uint256);

    /// @notice `priceWad` and the token's unit (10 ** decimals, read once when the feed was set),
    ///         so callers convert base units without asking the token.
    function quote(address token) external view returns (uint256 priceWad, uint256 unit);

    /// @notice Like `priceWad`, but returns (false, 0) instead of reverting when unusable.
    function tryPriceWad(address token) external view returns (bool usable, uint256 price);

    /// @notice USD value of `amount` base units of `token`, WAD, rounded down.
    function valueWad(address token, uint256 amount) external view returns (uint256);

    /// @notice Governance: use `aggregator` for `token`, accepting rounds up to `maxAge` seconds old
    ///         (0 < maxAge <= MAX_AGE_CAP). The feed's and the token's decimals are read once here.
    function setFeed(address token, address aggregator, uint256 maxAge) external;
}
