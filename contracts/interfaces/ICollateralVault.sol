// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICollateralVault
/// @notice Holds each loan's ERC-20 collateral, values it with the price oracle and liquidates
///         unhealthy or defaulted loans. The loan book remains the ledger of debt and notes:
///         liquidation proceeds are paid through it to note holders, by the same accumulator as
///         repayments.
///
/// Units: amounts in token base units; prices and values in USD WAD (1e18 = $1) from the oracle;
/// health in WAD; ratios, thresholds, bonus and close factor in bps.
///
///  - Every loan carries the collateral ratio its grade requires (R, bps of the debt, fixed at
///    listing; 0 for the unsecured grades). The borrower must keep collateral worth R of the debt
///    to withdraw any. The loan becomes liquidatable by price only when the collateral has fallen
///    to less than the liquidation threshold (T) of that requirement:
///      health = collateral value / (debt value * R * T),
///    collateral value rounded down and debt value rounded up, so health is never overstated. With
///    R = 0 health is unbounded: voluntary collateral of an unsecured loan is claimed on default
///    only. (Health compares against the loan's own requirement, not the whole debt: a loan the
///    policy lets start half-secured must not be liquidatable on the day it starts.)
///  - A loan is liquidatable when health < 1 (WAD) while Active, or at any health once Defaulted.
///  - `liquidate(loanId, repayAmount)`: the liquidator pays `repayAmount` of debt in the loan token
///    and receives collateral worth that amount plus the loan's liquidation bonus at the oracle
///    price (rounded down). At most the loan's close factor of the debt per call while Active, all
///    of it once Defaulted. When the collateral is not worth the repayment plus bonus, all of it is
///    seized for the repayment it covers (rounded up). A liquidation raises the collateral-to-debt
///    ratio only while that ratio exceeds 1 + bonus; below it (partly secured loans) it turns the
///    collateral into early repayment before it loses more value. Once a Defaulted loan's
///    collateral is gone its remaining debt is written off (the loan is Closed and holders keep
///    what they were paid); an Active loan whose collateral is gone stays owed, unsecured, on its
///    schedule. Collateral left after all debt is paid goes back to the borrower through
///    `release`. Loans without collateral are never liquidated; once defaulted they wait for
///    recoveries.
///  - Liquidation terms are fixed at listing: `lock` copies the collateral token's liquidation
///    threshold and bonus and the vault's close factor into the loan's Position, and health, the
///    liquidation price, withdrawals and liquidations use that copy. Governance changes
///    (`setCollateral`, `setCloseFactor`) apply to new listings only.
///  - While either price is unusable (see IPriceOracle) liquidations and collateral withdrawals
///    revert; repayment, top-ups and releases never read prices and keep working.
interface ICollateralVault {
    /// @notice Governance's terms for a collateral token, copied into each new listing's Position.
    /// @param allowed Whether new listings may escrow the token.
    /// @param liquidationThresholdBps T, bps (0 < T <= MAX_LIQUIDATION_THRESHOLD_BPS).
    /// @param liquidationBonusBps Bonus paid to liquidators in collateral, bps of the repayment.
    struct CollateralConfig {
        bool allowed;
        uint16 liquidationThresholdBps;
        uint16 liquidationBonusBps;
    }

    /// @notice A loan's collateral, with what is fixed at listing (two slots: the collateral token
    ///         and amount, which move; then the fixed part), so a liquidation reads everything it
    ///         needs before asking the book, without reading governance's current settings.
    /// @param token Collateral token (zero when the listing escrowed none).
    /// @param amount Collateral held, base units.
    /// @param loanToken The loan's token (what the debt is valued in).
    /// @param minCollateralRatioBps The loan's required collateral ratio R, bps (its grade's, at listing).
    /// @param liquidationThresholdBps The token's T at listing, bps.
    /// @param liquidationBonusBps The token's liquidation bonus at listing, bps.
    /// @param closeFactorBps The vault's close factor at listing, bps of the debt.
    struct Position {
        address token;
        uint96 amount;
        address loanToken;
        uint16 minCollateralRatioBps;
        uint16 liquidationThresholdBps;
        uint16 liquidationBonusBps;
        uint16 closeFactorBps;
    }

    error NotLoanBook(address caller);
    error NotBorrower(uint256 loanId, address caller);
    error CollateralNotAllowed(address token);
    error InsufficientCollateral(uint256 loanId, uint256 valueWad, uint256 requiredWad);
    error NoCollateral(uint256 loanId);
    error WithdrawalExceedsCollateral(uint256 loanId, uint256 amount, uint256 available);
    error WrongLoanStatus(uint256 loanId, uint8 status);
    error Healthy(uint256 loanId, uint256 healthWad);
    error RepayAboveMaximum(uint256 loanId, uint256 repayAmount, uint256 maxRepay);
    error ZeroAmount();
    error InvalidCollateralSetting(address token, uint256 liquidationThresholdBps, uint256 liquidationBonusBps);
    error InvalidCloseFactor(uint256 closeFactorBps);

    /// @notice Collateral escrowed for a new listing, with the liquidation terms fixed for its life.
    event CollateralLocked(
        uint256 indexed loanId,
        address indexed token,
        uint256 amount,
        uint256 liquidationThresholdBps,
        uint256 liquidationBonusBps,
        uint256 closeFactorBps
    );
    event CollateralAdded(uint256 indexed loanId, address indexed from, uint256 amount, uint256 total);
    event CollateralWithdrawn(uint256 indexed loanId, uint256 amount, uint256 total);
    event CollateralReleased(uint256 indexed loanId, address indexed borrower, uint256 amount);
    event Liquidated(
        uint256 indexed loanId, address indexed liquidator, uint256 repaid, uint256 seized, uint256 healthWad
    );
    event CollateralSet(address indexed token, bool allowed, uint256 liquidationThresholdBps, uint256 liquidationBonusBps);
    event CloseFactorSet(uint256 closeFactorBps);

    /// @notice Loan book only: escrow `amount` of `token` from `borrower` for a new listing, fix its
    ///         liquidation terms (the token's threshold and bonus, the close factor) and check it is
    ///         worth at least `minRatioBps` of `principal` (of `loanToken`).
    function lock(
        uint256 loanId,
        address borrower,
        address token,
        uint256 amount,
        address loanToken,
        uint256 principal,
        uint256 minRatioBps
    ) external;

    /// @notice Add collateral to a listed, active or defaulted loan (anyone may, for the borrower).
    function topUp(uint256 loanId, uint256 amount) external;

    /// @notice Borrower: take back collateral of an active loan while the rest stays worth the
    ///         loan's required ratio of its debt. Never while listed: lenders fund against what is
    ///         escrowed (a cancelled or expired listing gets all of it back through `release`).
    ///         Needs usable prices.
    function withdraw(uint256 loanId, uint256 amount) external;

    /// @notice Return all remaining collateral of a repaid, cancelled, expired or closed loan to
    ///         its borrower (anyone may trigger it).
    function release(uint256 loanId) external returns (uint256 amount);

    /// @notice Repay `repayAmount` of an unhealthy or defaulted loan's debt and take collateral
    ///         worth it plus the liquidation bonus. The liquidator approves the loan book, which
    ///         pulls the payment and pays it to note holders.
    function liquidate(uint256 loanId, uint256 repayAmount) external returns (uint256 seized);

    /// @notice Health (WAD; max when there is no debt), the collateral price (USD WAD per whole
    ///         token) at which health reaches 1, and seconds until the loan can be marked
    ///         defaulted (0 when it already can, or is not active).
    function health(uint256 loanId)
        external
        view
        returns (uint256 healthWad, uint256 liquidationPriceWad, uint256 secondsUntilDefault);

    /// @notice Loan `loanId`'s collateral and liquidation terms (all zero when it has none).
    function positions(uint256 loanId)
        external
        view
        returns (
            address token,
            uint96 amount,
            address loanToken,
            uint16 minCollateralRatioBps,
            uint16 liquidationThresholdBps,
            uint16 liquidationBonusBps,
            uint16 closeFactorBps
        );

    /// @notice Governance's current terms for collateral `token` (new listings copy them).
    function collaterals(address token)
        external
        view
        returns (bool allowed, uint16 liquidationThresholdBps, uint16 liquidationBonusBps);

    /// @notice The close factor new listings copy: the largest share (bps) of an active loan's
    ///         debt one liquidation may repay.
    function closeFactorBps() external view returns (uint256);

    /// @notice Governance: allow a collateral token with its liquidation threshold (0 < T <= 95%)
    ///         and bonus (<= 20%); T * (1 + bonus) must stay below 100%. Applies to new listings.
    function setCollateral(address token, bool allowed, uint256 liquidationThresholdBps, uint256 liquidationBonusBps)
        external;

    /// @notice Governance: the largest share (bps, 10% .. 100%) of an active loan's debt one
    ///         liquidation may repay. Applies to new listings.
    function setCloseFactor(uint256 closeFactorBps) external;
}
