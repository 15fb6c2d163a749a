// The API's response shapes (backend/api/schemas.py). Amounts are decimal strings of token base
// units; rates are basis points; times are unix seconds or ISO strings as the backend sends them.
import type { Abi } from "viem";
import type { Token } from "../lib/format";

export type ChainInfo = {
  chainId: number; rpcUrl: string; startBlock: number;
  contracts: Record<string, { address: `0x${string}`; abi: Abi }>;
};

export type LoanSummary = {
  id: number; borrower: string; status: string; grade: number | string; pd_bps: number;
  token: Token; principal: string; funded: string; funded_bps?: number;
  apr_bps: number; instalments: number; period: number; term?: number;
  purpose: number; min_fill_bps?: number; funding_deadline?: number | string;
  min_collateral_ratio_bps?: number; collateral_ratio_bps?: number | null;
  collateral?: { token: Token; amount: string } | null;
  created_at?: string | number; start_time?: number | string | null; outstanding?: string; late?: boolean;
};

export type Page<T> = { items: T[]; total: number; page: number; per_page: number };

export type ScheduleRow = { number?: number; due_date: number | string; amount?: string; principal?: string;
  interest?: string; paid?: boolean; status?: string };

export type LoanDetail = LoanSummary & {
  terms?: Record<string, unknown>;
  schedule?: ScheduleRow[];
  fundings?: { lender: string; amount: string; tx_hash?: string; time?: number | string; block?: number }[];
  repayments?: { payer: string; late_fees?: string; interest?: string; principal?: string; amount?: string; time?: number | string; tx_hash?: string }[];
  liquidations?: { liquidator: string; repaid: string; seized: string; time?: number | string }[];
  amount_due?: { late_fees: string; interest: string; to_be_current: string; payoff: string; next_due_date: number | string } | null;
  late?: boolean;
  health?: { health_wad: string | null; liquidation_price_wad: string | null; seconds_until_default: number | string | null; price_usable: boolean } | null;
  reasons?: { signal?: string; text?: string; label?: string; direction?: string; effect?: number }[];
  verified?: Record<string, unknown> | string[];
  instalment?: string;
};

export type Holding = { loan_id: number; loan?: LoanSummary; notes: string; claimable: string; refundable?: string;
  status?: string; late?: boolean; repaid?: string; grade?: number | string };

export type Portfolio = {
  lender: string; holdings: Holding[];
  totals?: Record<string, string | number | null>;
  by_grade?: { grade: number | string; lent: string; repaid?: string; outstanding?: string; loans?: number; late?: number; defaulted?: number }[];
  repayments_over_time?: { time: number | string; amount: string }[];
  net_annualised_return_bps?: number | null;
};

export type GradeStats = { grade: number | string; loans: number; volume: string; defaulted?: number;
  default_rate_bps?: number | null; recovery_rate_bps?: number | null; predicted_pd_bps?: number | null;
  realised_default_bps?: number | null; token?: Token };

export type Score = { id: number; wallet: string; model_id: string; pd: number; pd_bps: number; grade: string;
  grade_code: number; score: number; reasons: { signal?: string; text?: string; description?: string; direction?: string; [k: string]: unknown }[];
  next_verification: { signal?: string; name?: string; grade?: string; pd_bps?: number; [k: string]: unknown } | null;
  signals: Record<string, unknown>; warnings: string[]; created_at: string };

export type Attestation = {
  score: Score; signature: `0x${string}`; chain_id: number; registry: string;
  attestation: { borrower: `0x${string}`; grade: number; pdBps: number; issuedAt: number; expiresAt: number; nonce: string; modelId: `0x${string}` };
};

export type Profile = { wallet: string; display_name: string | null; email: string | null; phone: string | null;
  verified: Record<string, unknown>; operator: boolean };

export type DocumentRow = { id: number; kind: string; filename: string; status: string; submitted_at: string; review_note: string | null };
