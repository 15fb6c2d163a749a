// Transactions as plans: what each step will do (in words) before anything is signed, then each
// step simulated (so a revert is explained before it costs gas), signed, mined, with its gas.
// Approvals are added only when the current allowance is short, for exactly the amount needed.
import { erc20Abi, type Abi, type Hex } from "viem";
import type { Deployment } from "./config";
import { explainError, minedRevertHash, type Decoded, type ErrorContext } from "./errors";
import { ensureNetwork, wallet } from "./wallet";
import { store } from "../lib/store";

/** Counts finished plans, so views of balances and positions refresh after any transaction. */
export const txCount = store(0);

export type Call = { address: `0x${string}`; abi: Abi; functionName: string; args: readonly unknown[] };
export type Step = { label: string; call: Call };
export type StepState = { status: "waiting" | "checking" | "signing" | "mining" | "done" | "failed"; hash?: Hex; gasUsed?: bigint; error?: Decoded };
export type Outcome = { ok: boolean; gasUsed: bigint; error?: Decoded; results: unknown[] };

/** A call to a contract of the deployment, by name. */
export function call(d: Deployment, contract: string, functionName: string, args: readonly unknown[]): Call {
  return { address: d.address(contract), abi: d.abi(contract), functionName, args };
}

/** The approval step needed for `spender` to pull `amount` of `token` from `owner`, if any. */
export async function approval(d: Deployment, owner: `0x${string}`, token: { address: string; symbol: string },
  spender: string, amount: bigint, describe: (amount: bigint) => string): Promise<Step[]> {
  if (amount <= 0n) return [];
  const address = token.address as `0x${string}`;
  const allowance = await d.client.readContract({ address, abi: erc20Abi, functionName: "allowance", args: [owner, d.address(spender)] });
  if (allowance >= amount) return [];
  return [{ label: `Allow the ${friendlyName(spender)} contract to move ${describe(amount)} from your wallet (this approval only)`,
    call: { address, abi: erc20Abi as Abi, functionName: "approve", args: [d.address(spender), amount] } }];
}

/** Operator approval of the lender's notes (AutoLend claims on a reinvesting rule's behalf). */
export async function notesApproval(d: Deployment, owner: `0x${string}`, operator: string): Promise<Step[]> {
  const approved = await d.client.readContract({ address: d.address("LoanBook"), abi: d.abi("LoanBook"),
    functionName: "isApprovedForAll", args: [owner, d.address(operator)] });
  if (approved) return [];
  return [{ label: `Let the ${friendlyName(operator)} contract claim repayments on your loan notes (so it can reinvest them)`,
    call: call(d, "LoanBook", "setApprovalForAll", [d.address(operator), true]) }];
}

export function friendlyName(contract: string): string {
  return ({ LoanBook: "loan book", AutoLend: "auto-lend", CollateralVault: "collateral vault" } as Record<string, string>)[contract] ?? contract;
}

/** Run the steps in order; stops at the first failure (earlier steps, like approvals, stay done). */
export async function runPlan(d: Deployment, steps: Step[], onState: (index: number, s: StepState) => void,
  ctx?: ErrorContext): Promise<Outcome> {
  let gasUsed = 0n;
  const results: unknown[] = [];
  for (let i = 0; i < steps.length; i++) {
    const { call: c } = steps[i];
    try {
      const w = wallet.get();
      if (w.kind === "none") throw new Error("Connect a wallet first.");
      await ensureNetwork(d);
      onState(i, { status: "checking" });
      const account = w.client.account ?? w.address;
      const target = { account, address: c.address, abi: c.abi, functionName: c.functionName, args: c.args } as never;
      const { request, result } = await d.client.simulateContract(target) as { request: Record<string, unknown>; result: unknown };
      const estimate = await d.client.estimateContractGas(target);
      onState(i, { status: "signing" });
      const hash = await w.client.writeContract({ ...request, account, chain: d.chain, gas: gasLimit(estimate) } as never);
      onState(i, { status: "mining", hash });
      const receipt = await d.client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") return failedOnChain(i, hash);  // counts its gas
      gasUsed += receipt.gasUsed;
      results.push(result);
      onState(i, { status: "done", hash, gasUsed: receipt.gasUsed });
    } catch (e) {
      const hash = minedRevertHash(e);
      if (hash) return failedOnChain(i, hash);
      const error = explainError(e, d.errors, ctx);
      onState(i, { status: "failed", error });
      if (i > 0) txCount.set((n) => n + 1);
      return { ok: false, gasUsed, error, results };
    }
  }
  txCount.set((n) => n + 1);
  return { ok: true, gasUsed, results };

  async function failedOnChain(index: number, hash: Hex): Promise<Outcome> {
    const { error, gasUsed: spent } = await minedRevert(d, hash, ctx);
    gasUsed += spent;
    onState(index, { status: "failed", hash, gasUsed: spent, error });
    txCount.set((n) => n + 1);
    return { ok: false, gasUsed, error, results };
  }
}

/** The gas limit sent for an estimate: half again plus 10,000, as the bots' sender does
 *  (backend/tx/sender.py `_limit`). Unused gas is not charged. A node estimates on a block it has
 *  already seen: Ganache uses the latest block's timestamp, so a loan's first repayment estimated
 *  while the latest block is still the one the loan started in misses LoanMath's elapsed-time path,
 *  42 gas dearer once the repayment is mined a second later, and runs out of gas with the bare
 *  estimate (tests/bots/test_sender.py shows both). */
export function gasLimit(estimate: bigint): bigint {
  return estimate * 3n / 2n + 10_000n;
}

/** Why a mined transaction reverted. It is replayed as a call with its own gas limit on the state
 *  it left behind (a revert changes nothing but the sender's nonce and balance), which gives the
 *  contract's error; a replay that passes means the state moved between the check and the block. */
export async function minedRevert(d: Deployment, hash: Hex, ctx?: ErrorContext): Promise<{ error: Decoded; gasUsed: bigint }> {
  const [receipt, tx] = await Promise.all([d.client.getTransactionReceipt({ hash }), d.client.getTransaction({ hash })]);
  const spent = receipt.gasUsed;
  if (spent >= tx.gas) {
    return { gasUsed: spent, error: { kind: "contract", name: "OutOfGas",
      message: `The transaction ran out of gas (it used all ${tx.gas.toLocaleString("en-US")} it was given) and changed nothing. Try again.` } };
  }
  try {
    await d.client.call({ account: tx.from, to: tx.to, data: tx.input, value: tx.value, gas: tx.gas, blockNumber: receipt.blockNumber });
  } catch (e) {
    return { gasUsed: spent, error: explainError(e, d.errors, ctx) };
  }
  return { gasUsed: spent, error: { kind: "contract",
    message: "The transaction reverted in its block, though the same call passes now: something changed in between. Nothing was taken except gas; try again." } };
}
