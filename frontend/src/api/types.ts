// The API's response shapes (backend/api/schemas.py, backend/api/loan_schemas.py). Amounts are
// decimal strings of token base units; rates basis points; times unix seconds unless noted.
import type { Abi } from "viem";
import type { Token } from "../lib/format";

export type ChainInfo = {
  chainId: number; rpcUrl: string; startBlock: number;
  contracts: Record<string, { address: `0x${string}`; abi: Abi }>;
};

export type LoanSummary = {
  id: number; borrower: string; token: Token; status: string; late: boolean;
  grade: number; grade_letter: string | null; pd_bps: number; purpose: number; purpose_name: string;
  principal: string; funded: string; funded_bps: number; apr_bps: number; instalments: number; period: number;
  term_days: number; min_collateral_ratio_bps: number | null;
  collateral: { token: Token; amount: string } | null;
  funding_deadline: number; listed_at: number; start_time: number | null; outstanding: string; instalment: string | null;
};

export type Page<T> = { items: T[]; total: number; page: number; per_page: number };

export type At = { block: number; tx_hash: string; at: number | null };

export type LoanDetail = LoanSummary & {
  terms: { fee_bps: number; late_fee_bps: number; grace_period: number; default_after: number; min_fill_bps: number;
    funding_deadline: number; period: number; instalments: number };
  schedule: { start_time: number | null; instalment: string | null; instalments_paid: number;
    due_dates: { number: number; due_date: number; paid: boolean }[] };
  fundings: (At & { lender: string; amount: string; total_funded: string; commitment_id: string | null })[];
  repayments: (At & { payer: string; late_fees: string; interest: string; principal: string; platform_fee: string; outstanding: string })[];
  liquidations: (At & { liquidator: string; repaid: string; seized: string })[];
  amount_due: { late_fees: string; interest: string; to_be_current: string; payoff: string; next_due_date: number | null };
  health: { health_wad: string | null; liquidation_price_wad: string | null; seconds_until_default: number | null; price_usable: boolean | null };
  live: boolean; now: number; default_eligible_at: number | null; late_instalments: number;
  repaid: { principal: string; interest: string; late_fees: string; platform_fees: string }; written_off: string; holders: number;
};

/** GET /loans/{id}/borrower: verified checks (yes/no only) and the listing score's reasons. */
export type BorrowerChecks = { loan_id: number; borrower: string; checks: { signal: string; verified: boolean }[];
  social_accounts: number | null; score: number | null; reasons: { signal: string; state: string; pd_bps: number }[];
  scored_at: string | null };

export type PortfolioItem = LoanSummary & { notes: string; share_bps: number; bucket: string; earned: string;
  outstanding_share: string; loss: string; claimed: string; claimable: string | null; refundable: string };

export type Portfolio = {
  lender: string; live: boolean; now: number; items: PortfolioItem[];
  totals: Record<string, string | number | null>;
  net_annualised_return: number | null;
  by_grade: ({ grade: number; grade_letter: string | null; loans: number } & Record<string, string | number | null>)[];
  monthly: { month: string; repaid: string; claimed: string }[];
};

export type GradeStat = { grade: number; grade_letter: string | null; count: number; volume: string; defaulted: number;
  resolved: number; default_rate: number | null; realised_default_rate: number | null; recovery_rate: number | null;
  mean_predicted_pd: number | null };

export type Reason = { signal?: string; text?: string; description?: string; direction?: string; [k: string]: unknown };
export type Score = { id: number; wallet: string; model_id: string; pd: number; pd_bps: number; grade: string;
  grade_code: number; score: number; reasons: Reason[];
  next_verification: Record<string, unknown> | null;
  signals: Record<string, unknown>; warnings: string[]; created_at: string };

export type Attestation = {
  score: Score; signature: `0x${string}`; chain_id: number; registry: string;
  attestation: { borrower: `0x${string}`; grade: number; pdBps: number; issuedAt: number; expiresAt: number; nonce: string; modelId: `0x${string}` };
};

export type Profile = { wallet: string; display_name: string | null; email: string | null; phone: string | null;
  verified: Record<string, unknown>; operator: boolean };

export type DocumentRow = { id: number; kind: string; filename: string; status: string; submitted_at: string; review_note: string | null };

/** GET /me/notifications: alerts the bots stored for the signed-in wallet, newest first. */
export type Notification = { id: number; kind: string; loan_id: number | null; message: string; payload: Record<string, unknown>;
  created_at: string; read_at: string | null };
export type NotificationsPage = { items: Notification[]; total: number; unread: number; page: number; per_page: number };
