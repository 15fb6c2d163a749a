// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAutoLend} from "../../../contracts/interfaces/IAutoLend.sol";
import {ICollateralVault} from "../../../contracts/interfaces/ICollateralVault.sol";
import {ILoanBook} from "../../../contracts/interfaces/ILoanBook.sol";
import {IPriceOracle} from "../../../contracts/interfaces/IPriceOracle.sol";
import {IScoreRegistry} from "../../../contracts/interfaces/IScoreRegistry.sol";
import {WithVm} from "./Vm.sol";

/// @dev The test token's faucet (contracts/mocks/MockERC20.sol).
interface IMintable {
    function mint(address to, uint256 amount) external;
    function balanceOf(address account) external view returns (uint256);
    function approve(address spender, uint256 amount) external returns (bool);
    function transfer(address to, uint256 amount) external returns (bool);
}

/// @dev The mock Chainlink feed (contracts/mocks/MockAggregator.sol).
interface IMockFeed {
    function setAnswer(int256 newAnswer) external;
    function setRound(uint80 id, int256 value, uint256 started, uint256 updated, uint80 answeredIn) external;
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
    function roundId() external view returns (uint80);
    function answer() external view returns (int256);
}

/// @title Launch
/// @notice The launch configuration of scripts/policy.py and the test fixtures, as constants.
library Launch {
    uint256 internal constant USDC = 1e6;
    uint256 internal constant WETH = 1e18;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant WAD = 1e18;
    uint256 internal constant FEE_BPS = 1_000;
    uint256 internal constant MIN_FUNDING = 1 * USDC;
    uint256 internal constant CLOSE_FACTOR_BPS = 5_000;
    uint256 internal constant WETH_THRESHOLD_BPS = 8_000;
    uint256 internal constant WETH_BONUS_BPS = 500;
    uint256 internal constant FEED_MAX_AGE = 1 days;
    uint256 internal constant START_WINDOW = 7 days;
    int256 internal constant ETH_ANSWER = 3_000e8;
    int256 internal constant USD_ANSWER = 1e8;
    uint256 internal constant SIGNER_KEY = 0x5c0e5161;
    // scripts/policy.py FEED_BOUNDS_USD in the feeds' 8 decimals: ETH $1 .. $1,000,000, USDC $0.10 .. $10.
    uint256 internal constant ETH_MIN_ANSWER = 1e8;
    uint256 internal constant ETH_MAX_ANSWER = 1e14;
    uint256 internal constant USD_MIN_ANSWER = 1e7;
    uint256 internal constant USD_MAX_ANSWER = 1e9;

    /// @notice scripts/policy.py GRADE_POLICY: (max principal in whole tokens, max APR bps, min collateral ratio bps).
    function grade(uint256 g) internal pure returns (uint256 maxWhole, uint256 maxAprBps, uint256 minRatioBps) {
        if (g == 1) return (50_000, 1_200, 0);
        if (g == 2) return (40_000, 1_500, 0);
        if (g == 3) return (30_000, 1_800, 0);
        if (g == 4) return (20_000, 2_200, 0);
        if (g == 5) return (15_000, 2_600, 5_000);
        if (g == 6) return (10_000, 3_000, 7_500);
        if (g == 7) return (7_500, 3_600, 10_000);
        if (g == 8) return (5_000, 4_200, 12_500);
        return (2_000, 5_000, 15_000);
    }
}

/// @title Build
/// @notice The one place that turns the suite's own descriptions into the contracts' ABI structs
///         (loan terms, auto-lend rules, score attestations) and configures feeds: an ABI change is
///         adapted here.
library Build {
    /// @notice A listing as the handlers draw it.
    struct TermsSpec {
        address token;
        uint256 principal;
        uint256 aprBps;
        uint256 instalments;
        uint256 period;
        uint256 deadline;
        uint256 minFillBps;
        uint256 purpose;
        address collateralToken;
        uint256 collateralAmount;
    }

    /// @notice An auto-lend rule as the handlers draw it.
    struct RuleSpec {
        uint256 worstGrade;
        uint256 minAprBps;
        uint256 maxAprBps;
        uint256 maxTerm;
        uint256 minCollateralRatioBps;
        uint256 maxPerLoan;
        uint256 maxPerBorrower;
        uint256 budget;
        uint256 expiry;
        bool reinvest;
        uint256 purposeMask;
        uint256 maxPdBps;
        address operator;
    }

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant ATTESTATION_TYPEHASH = keccak256(
        "ScoreAttestation(address borrower,uint8 grade,uint16 pdBps,uint64 issuedAt,uint64 expiresAt,uint256 nonce,bytes32 modelId)"
    );
    bytes32 internal constant MODEL_ID = keccak256("lendchain forge invariant suite");

    function terms(TermsSpec memory s) internal pure returns (ILoanBook.LoanTerms memory) {
        return ILoanBook.LoanTerms({
            token: s.token,
            principal: s.principal,
            aprBps: s.aprBps,
            instalments: s.instalments,
            period: s.period,
            fundingDeadline: s.deadline,
            minFillBps: s.minFillBps,
            purpose: s.purpose,
            collateralToken: s.collateralToken,
            collateralAmount: s.collateralAmount
        });
    }

    function rule(RuleSpec memory s) internal pure returns (IAutoLend.Rule memory) {
        return IAutoLend.Rule({
            worstGrade: s.worstGrade,
            minAprBps: s.minAprBps,
            maxAprBps: s.maxAprBps,
            maxTerm: s.maxTerm,
            minCollateralRatioBps: s.minCollateralRatioBps,
            maxPerLoan: s.maxPerLoan,
            maxPerBorrower: s.maxPerBorrower,
            budget: s.budget,
            expiry: s.expiry,
            reinvest: s.reinvest,
            purposeMask: s.purposeMask,
            maxPdBps: s.maxPdBps,
            operator: s.operator
        });
    }

    function attestation(address borrower, uint8 grade_, uint16 pdBps, uint256 nonce, uint256 now_)
        internal
        pure
        returns (IScoreRegistry.ScoreAttestation memory a)
    {
        a = IScoreRegistry.ScoreAttestation({
            borrower: borrower,
            grade: grade_,
            pdBps: pdBps,
            issuedAt: uint64(now_ - 60),
            expiresAt: uint64(now_ + 30 days),
            nonce: nonce,
            modelId: MODEL_ID
        });
    }

    /// @notice The EIP-712 digest, computed here from the documented domain and type, not by the registry.
    function digest(IScoreRegistry.ScoreAttestation memory a, address registry) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH, keccak256("Lendchain ScoreRegistry"), keccak256("1"), block.chainid, registry
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                ATTESTATION_TYPEHASH, a.borrower, a.grade, a.pdBps, a.issuedAt, a.expiresAt, a.nonce, a.modelId
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function setFeed(IPriceOracle oracle, address token, address feed, uint256 maxAge, uint256 minAnswer, uint256 maxAnswer)
        internal
    {
        oracle.setFeed(token, feed, maxAge, minAnswer, maxAnswer);
    }
}

/// @title Deployment
/// @notice Deploys and configures the platform from the compiled artifacts the way
///         scripts/deploy.py and scripts/policy.py do (the test contract is governance and fee recipient).
contract Deployment is WithVm {
    IScoreRegistry public registry;
    ILoanBook public book;
    IPriceOracle public oracle;
    ICollateralVault public vault;
    IAutoLend public autolend;
    IMintable public usdc;
    IMintable public weth;
    IMockFeed public ethFeed;
    IMockFeed public usdFeed;
    address public feeRecipient = address(0xFEE);

    function deploy() public {
        address signer = vm.addr(Launch.SIGNER_KEY);
        usdc = IMintable(vm.deployCode("MockERC20.sol:MockERC20", abi.encode("Mock USD Coin", "mUSDC", uint8(6))));
        weth = IMintable(vm.deployCode("MockERC20.sol:MockERC20", abi.encode("Mock Wrapped Ether", "mWETH", uint8(18))));
        ethFeed = IMockFeed(vm.deployCode("MockAggregator.sol:MockAggregator", abi.encode(uint8(8), "ETH / USD", Launch.ETH_ANSWER)));
        usdFeed = IMockFeed(vm.deployCode("MockAggregator.sol:MockAggregator", abi.encode(uint8(8), "USDC / USD", Launch.USD_ANSWER)));
        registry = IScoreRegistry(vm.deployCode("ScoreRegistry.sol:ScoreRegistry", abi.encode(address(this), signer)));
        book = ILoanBook(vm.deployCode("LoanBook.sol:LoanBook", abi.encode(address(this), address(registry), feeRecipient)));
        oracle = IPriceOracle(vm.deployCode("PriceOracle.sol:PriceOracle", abi.encode(address(this))));
        vault = ICollateralVault(vm.deployCode("CollateralVault.sol:CollateralVault", abi.encode(address(this), address(book), address(oracle))));
        autolend = IAutoLend(vm.deployCode("AutoLend.sol:AutoLend", abi.encode(address(book))));

        registry.setRecorder(address(book), true);
        book.setLoanToken(address(usdc), true, Launch.MIN_FUNDING);
        for (uint256 g = 1; g <= 9; ++g) {
            (uint256 maxWhole, uint256 maxApr, uint256 minRatio) = Launch.grade(g);
            book.setGradePolicy(address(usdc), uint8(g), maxWhole * Launch.USDC, maxApr, minRatio);
        }
        book.setFee(Launch.FEE_BPS, feeRecipient);
        Build.setFeed(oracle, address(weth), address(ethFeed), Launch.FEED_MAX_AGE, Launch.ETH_MIN_ANSWER, Launch.ETH_MAX_ANSWER);
        Build.setFeed(oracle, address(usdc), address(usdFeed), Launch.FEED_MAX_AGE, Launch.USD_MIN_ANSWER, Launch.USD_MAX_ANSWER);
        book.setCollateralVault(address(vault));
        vault.setCloseFactor(Launch.CLOSE_FACTOR_BPS);
        vault.setCollateral(address(weth), true, Launch.WETH_THRESHOLD_BPS, Launch.WETH_BONUS_BPS);
    }
}
