// Contract and wallet errors in plain words. Custom errors are decoded by their 4-byte selector
// against every ABI of the deployment (GET /chain); each has a message here, and a unit test checks
// that no error in the compiled ABIs lacks one.
import { decodeErrorResult, toFunctionSelector, type Abi, type AbiItem, type Hex } from "viem";
import { formatBps, formatDate, formatDuration, formatWad } from "../lib/format";
import { gradeName, statusName } from "../lib/domain";

export type ErrorContext = { amount: (v: bigint) => string };
const plainAmount: ErrorContext = { amount: (v) => `${v.toString()} base units` };

type Args = readonly unknown[];
type Message = (a: Args, c: ErrorContext) => string;
const n = (v: unknown) => BigInt(v as bigint);
const status = (v: unknown) => statusName(Number(v)).toLowerCase();

/** Every custom error of the contracts (and the OpenZeppelin code they use), by name. */
export const ERROR_MESSAGES: Record<string, Message> = {
  // LoanBook
  UnknownLoan: (a) => `Loan #${a[0]} does not exist.`,
  ZeroAmount: () => "The amount must be more than zero.",
  AmountOverflow: () => "That amount is too large for the contracts to hold.",
  LendingPaused: () => "New listings and funding are paused by the platform right now. Repayments, claims and withdrawals still work.",
  NotBorrower: (a) => `Only the borrower of loan #${a[0]} can do this.`,
  TokenNotAllowed: () => "This token is not accepted for loans.",
  GradeNotAllowed: (a) => `Borrowers graded ${gradeName(Number(a[1]))} cannot list loans in this token.`,
  PrincipalAboveLimit: (a, c) => `The amount is above your grade's limit of ${c.amount(n(a[1]))}.`,
  AprAboveLimit: (a) => `The interest rate ${formatBps(n(a[0]))} is above your grade's maximum of ${formatBps(n(a[1]))}.`,
  InvalidInstalments: (a) => `The number of instalments must be 1 to 360 (got ${a[0]}).`,
  InvalidPeriod: () => "The time between instalments must be between 1 and 365 days.",
  TermTooLong: (a) => `The loan term (${formatDuration(n(a[0]))}) is longer than the maximum of ${formatDuration(n(a[1]))}.`,
  InvalidFundingDeadline: () => "The funding deadline must be in the future and at most 60 days away.",
  InvalidMinFill: () => "The minimum funding to start must be between 1% and 100%.",
  InvalidPurpose: (a) => `Purpose code ${a[0]} is not valid (0 to 31).`,
  LoanNotListed: (a) => `Loan #${a[0]} is no longer open for funding (it is ${status(a[1])}).`,
  FundingClosed: (a) => `Funding for loan #${a[0]} closed on ${formatDate(n(a[1]))}.`,
  FundingExceedsRemaining: (a, c) => `Only ${c.amount(n(a[2]))} is still needed for loan #${a[0]}; fund that or less.`,
  BelowMinimumFunding: (a, c) => `The smallest amount you can fund is ${c.amount(n(a[1]))} (unless it completes the loan).`,
  MinimumFillNotReached: (a, c) => `Loan #${a[0]} can only start once ${c.amount(n(a[2]))} is funded; it has ${c.amount(n(a[1]))}.`,
  NotRefundable: (a) => `Loan #${a[0]} is ${status(a[1])}, so there is nothing to refund yet.`,
  NotExpired: (a) => `Loan #${a[0]} is still open for funding until ${formatDate(n(a[1]))}.`,
  NothingToRefund: (a) => `You have no refundable funding in loan #${a[0]}.`,
  NotRepayable: (a) => `Loan #${a[0]} is ${status(a[1])} and cannot be repaid.`,
  NotDefaultable: (a) => `Loan #${a[0]} cannot be marked as defaulted yet (earliest ${formatDate(n(a[2]))}).`,
  NothingToClaim: (a) => (n(a[0]) === 0n ? "There is nothing to claim yet." : `Nothing to claim from loan #${a[0]} yet.`),
  AboveHardCap: () => "That setting is above the contract's hard cap.",
  NotCollateralVault: () => "Only the collateral vault may do this.",
  CollateralVaultAlreadySet: () => "The collateral vault is already connected.",
  CollateralVaultNotSet: () => "Collateral is not available yet (no vault connected).",
  // CollateralVault
  NotLoanBook: () => "Only the loan book may do this.",
  CollateralNotAllowed: () => "This token is not accepted as collateral.",
  InsufficientCollateral: (a) => `Not enough collateral: it is worth ${formatWad(n(a[1]))} USD but ${formatWad(n(a[2]))} USD is required. Add more collateral or borrow less.`,
  NoCollateral: (a) => `Loan #${a[0]} has no collateral.`,
  WithdrawalExceedsCollateral: (a) => `You can withdraw at most ${a[2]} base units of collateral from loan #${a[0]} right now.`,
  WrongLoanStatus: (a) => `Loan #${a[0]} is ${status(a[1])}, which does not allow this.`,
  Healthy: (a) => `Loan #${a[0]} is healthy (health ${formatWad(n(a[1]))}), so it cannot be liquidated.`,
  RepayAboveMaximum: () => "That liquidation repays more than the maximum allowed at once.",
  InvalidCollateralSetting: () => "Invalid collateral setting.",
  InvalidCloseFactor: () => "Invalid close factor.",
  // PriceOracle
  NoFeed: () => "There is no price feed for this token.",
  InvalidAnswer: () => "The price feed returned an invalid price; collateral actions are paused until it recovers.",
  PriceOutOfBounds: () => "The price feed's answer is outside its allowed range; collateral actions are paused until it recovers.",
  StalePrice: (a) => `The collateral price is out of date (last update ${formatDate(n(a[1]))}); withdrawals and liquidations wait for a fresh price. Repayments still work.`,
  IncompleteRound: () => "The price feed's latest round is incomplete; try again shortly.",
  InvalidFeedSetting: () => "Invalid price feed setting.",
  InvalidFeedBounds: () => "Invalid price feed bounds.",
  UnknownToken: () => "This token is unknown to the price oracle.",
  // ScoreRegistry
  AttestationExpired: (a) => `Your credit score attestation expired on ${formatDate(n(a[0]))}. Fetch a fresh one and try again.`,
  AttestationFromFuture: () => "The score attestation is dated in the future; wait a minute and try again.",
  AttestationLifetimeTooLong: () => "The score attestation is valid for too long to be accepted.",
  InvalidGrade: (a) => `Grade code ${a[0]} is not valid.`,
  InvalidPd: () => "The probability of default in the attestation is not valid.",
  InvalidSignature: () => "The score attestation's signature is not from the platform's scoring service.",
  InvalidNonce: () => "This score attestation was already used or replaced; fetch a fresh one.",
  NoValidScore: () => "You have no valid credit score on chain; fetch a score attestation first.",
  ScoreSignerReplaced: () => "Your score was signed by a key the platform has since replaced; fetch a fresh score.",
  NotRecorder: () => "Only the loan book may record repayment history.",
  // AutoLend
  UnknownCommitment: (a) => `Auto-lend rule #${a[0]} does not exist.`,
  NotLender: (a) => `Only the owner of auto-lend rule #${a[0]} can do this.`,
  InvalidRule: () => "One of the rule's settings is out of range; check the form.",
  CommitmentExpired: (a) => `Auto-lend rule #${a[0]} expired on ${formatDate(n(a[1]))}.`,
  TokenMismatch: () => "The loan is in a different token from the rule's deposit.",
  GradeOutsideRule: (a) => `Loan #${a[1]} (grade ${gradeName(Number(a[2]))}) is outside rule #${a[0]}'s grades.`,
  AprOutsideRule: (a) => `Loan #${a[1]}'s rate ${formatBps(n(a[2]))} is outside rule #${a[0]}'s range.`,
  TermOutsideRule: (a) => `Loan #${a[1]}'s term is longer than rule #${a[0]} allows.`,
  CollateralOutsideRule: (a) => `Loan #${a[1]} has less collateral than rule #${a[0]} requires.`,
  PurposeOutsideRule: (a) => `Loan #${a[1]}'s purpose is excluded by rule #${a[0]}.`,
  PdOutsideRule: (a) => `Loan #${a[1]}'s probability of default (${formatBps(n(a[2]))}) is above rule #${a[0]}'s maximum.`,
  NotOperator: (a) => `Only rule #${a[0]}'s chosen operator may fund from it.`,
  OwnLoan: () => "An auto-lend rule cannot fund its owner's own loan.",
  InsufficientFunds: (a, c) => `Rule #${a[0]} holds only ${c.amount(n(a[2]))}.`,
  BudgetExceeded: (a, c) => `Rule #${a[0]} has only ${c.amount(n(a[2]))} of budget left.`,
  LoanLimitExceeded: (a, c) => `Rule #${a[0]} may hold at most ${c.amount(n(a[3]))} of one loan.`,
  BorrowerLimitExceeded: (a, c) => `Rule #${a[0]} may lend at most ${c.amount(n(a[3]))} to one borrower.`,
  ReinvestOff: (a) => `Reinvesting is off for rule #${a[0]}.`,
  // Governance and shared
  NotGovernance: () => "Only platform governance can do this.",
  NotPendingGovernance: () => "Only the proposed new governance can accept the role.",
  ZeroAddress: () => "An address is missing (zero address).",
  NotOwner: () => "Only the owner can do this.",
  LengthMismatch: () => "The lists given have different lengths.",
  TransferAmountMismatch: () => "The token moved a different amount than asked (fee-on-transfer tokens are not supported).",
  // OpenZeppelin
  ERC20InsufficientBalance: (a, c) => `Your balance is too low: you have ${c.amount(n(a[1]))} but need ${c.amount(n(a[2]))}.`,
  ERC20InsufficientAllowance: (a, c) => `The contract may spend only ${c.amount(n(a[1]))} of your tokens but needs ${c.amount(n(a[2]))}; approve more and try again.`,
  ERC20InvalidSender: () => "Invalid token sender.",
  ERC20InvalidReceiver: () => "Invalid token receiver.",
  ERC20InvalidApprover: () => "Invalid token approver.",
  ERC20InvalidSpender: () => "Invalid token spender.",
  ERC1155InsufficientBalance: (a) => `You hold only ${a[1]} notes of loan #${a[3]} but ${a[2]} are needed.`,
  ERC1155InvalidSender: () => "Invalid note sender.",
  ERC1155InvalidReceiver: () => "That address cannot receive loan notes.",
  ERC1155MissingApprovalForAll: () => "The auto-lend contract needs your permission to claim on your notes (approve it and try again).",
  ERC1155InvalidApprover: () => "Invalid note approver.",
  ERC1155InvalidOperator: () => "Invalid note operator.",
  ERC1155InvalidArrayLength: () => "The lists of note ids and amounts differ in length.",
  SafeERC20FailedOperation: () => "The token transfer failed.",
  SafeERC20FailedDecreaseAllowance: () => "Could not lower the token allowance.",
  ReentrancyGuardReentrantCall: () => "A contract tried to call back in the middle of this transaction; it was refused.",
  ECDSAInvalidSignature: () => "The signature is not valid.",
  ECDSAInvalidSignatureLength: () => "The signature has the wrong length.",
  ECDSAInvalidSignatureS: () => "The signature is malformed.",
  SafeCastOverflowedUintDowncast: () => "A number is too large for the contracts.",
  SafeCastOverflowedIntDowncast: () => "A number is out of range for the contracts.",
  SafeCastOverflowedIntToUint: () => "A negative number was given where none is allowed.",
  SafeCastOverflowedUintToInt: () => "A number is too large for the contracts.",
  InvalidShortString: () => "Invalid short string.",
  StringTooLong: () => "A text value is too long.",
};

const PANICS: Record<number, string> = {
  0x01: "an internal check failed", 0x11: "a calculation overflowed", 0x12: "a division by zero",
  0x21: "an invalid value", 0x32: "an index out of range",
};

export type Decoded = { kind: "contract" | "network" | "rejected" | "wallet" | "other"; name?: string; message: string };

/** All custom errors of the given ABIs, one per selector (the first wins). */
export function errorAbi(abis: Abi[]): Abi {
  const seen = new Map<Hex, AbiItem>();
  for (const abi of abis) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const selector = toFunctionSelector(item as never);
      if (!seen.has(selector)) seen.set(selector, item);
    }
  }
  return [...seen.values()] as Abi;
}

/** Every object in a (viem or EIP-1193) error chain, outermost first. */
function* chain(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const r = e as Record<string, unknown>;
    yield r;
    queue.push(r.data, r.cause, r.error);
  }
}

const HEX_SELECTOR = /^0x[0-9a-fA-F]{8}/;

/** Ganache's answer to a sent transaction that was mined and reverted (vmErrorsOnRPCResponse):
 *  `{ hash, programCounter, result, reason, message }` where `result` is the transaction hash,
 *  not revert data; the revert data itself is not given. */
function ganacheMinedRevert(r: Record<string, unknown>): boolean {
  return typeof r.hash === "string" && r.result === r.hash;
}

/** The revert data carried anywhere in a (viem or EIP-1193) error chain. */
export function revertData(error: unknown): Hex | undefined {
  for (const r of chain(error)) {
    if (ganacheMinedRevert(r)) continue;
    for (const candidate of [r.data, r.result, r.raw]) {
      if (typeof candidate === "string" && HEX_SELECTOR.test(candidate)) return candidate as Hex;
    }
  }
  return undefined;
}

/** The hash of a transaction the node mined and reverted, when the node reports it as an error
 *  of the send itself (Ganache); other nodes return the hash and a receipt with status 0. */
export function minedRevertHash(error: unknown): Hex | undefined {
  for (const r of chain(error)) if (ganacheMinedRevert(r)) return r.hash as Hex;
  return undefined;
}

/** A revert's data in words: the custom error's message, a panic, or a plain revert string. */
export function decodeRevert(data: Hex, errors: Abi, ctx: ErrorContext = plainAmount): Decoded {
  if (data.startsWith("0x4e487b71")) {
    const code = Number(BigInt("0x" + data.slice(10, 74)));
    return { kind: "contract", name: "Panic", message: `The contract stopped: ${PANICS[code] ?? `panic ${code}`}.` };
  }
  try {
    const { errorName, args } = decodeErrorResult({ abi: [...errors, ERROR_STRING] as Abi, data });
    if (errorName === "Error") return { kind: "contract", name: "Error", message: String((args ?? [])[0]) };
    const message = ERROR_MESSAGES[errorName];
    return { kind: "contract", name: errorName,
      message: message ? message(args ?? [], ctx) : `The contract refused: ${errorName}.` };
  } catch {
    return { kind: "contract", message: `The contract refused (unknown error ${data.slice(0, 10)}).` };
  }
}

const ERROR_STRING = { type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] } as const;

function text(error: unknown): string {
  const r = error as { shortMessage?: string; message?: string; details?: string };
  return [r?.shortMessage, r?.details, r?.message].filter(Boolean).join(" ");
}

function code(error: unknown): number | undefined {
  let e = error as { code?: number; cause?: unknown } | undefined;
  for (let i = 0; e && i < 8; i++, e = e.cause as typeof e) if (typeof e.code === "number") return e.code;
  return undefined;
}

/** Any error from a read, a simulation, a signature or a transaction, in plain words. */
export function explainError(error: unknown, errors: Abi, ctx: ErrorContext = plainAmount): Decoded {
  const c = code(error);
  const words = text(error);
  if (c === 4001 || /user rejected|user denied|rejected the request/i.test(words)) {
    return { kind: "rejected", message: "You declined the request in your wallet; nothing was sent." };
  }
  if ((error as { name?: string })?.name === "WrongNetworkError") return { kind: "network", message: (error as Error).message };
  if (/chain ?id|network mismatch|does not match the target chain/i.test(words)) {
    return { kind: "network", message: "Your wallet is on a different network from Lendchain. Switch network and try again." };
  }
  const data = revertData(error);
  if (data) return decodeRevert(data, errors, ctx);
  if (/insufficient funds/i.test(words)) {
    return { kind: "wallet", message: "Your wallet does not have enough ETH to pay for gas." };
  }
  if (/fetch failed|failed to fetch|HTTP request failed|networkerror/i.test(words)) {
    return { kind: "network", message: "Cannot reach the blockchain node. Check your connection and try again." };
  }
  const short = (error as { shortMessage?: string })?.shortMessage ?? (error as Error)?.message ?? String(error);
  return { kind: "other", message: short.split("\n")[0] };
}

export class WrongNetworkError extends Error {
  name = "WrongNetworkError";
  constructor(actual: number, expected: number) {
    super(`Your wallet is on network ${actual}, but Lendchain runs on network ${expected}. Switch your wallet's network and try again.`);
  }
}
