import { describe, expect, it } from "vitest";
import { encodeErrorResult, type Abi } from "viem";
import type { Deployment } from "./config";
import { gasLimit, minedRevert, runPlan } from "./tx";
import { wallet } from "./wallet";

describe("gasLimit", () => {
  it("covers what a first repayment needed over Ganache's estimate (85,707 estimated, 85,749 used up)", () => {
    expect(gasLimit(85_707n) >= 85_749n).toBe(true);
    expect(gasLimit(85_707n)).toBe(138_560n);  // half again plus 10,000, as the bots' sender
  });
});

const PAUSED: Abi = [{ type: "error", name: "LendingPaused", inputs: [] }];

/** A deployment whose node answers for one mined transaction: its receipt, itself, and a replay. */
function node(gasUsed: bigint, gas: bigint, replay: () => Promise<unknown>): Deployment {
  const client = {
    getTransactionReceipt: async () => ({ gasUsed, blockNumber: 7n }),
    getTransaction: async () => ({ from: "0x01", to: "0x02", input: "0x", value: 0n, gas }),
    call: replay,
  };
  return { client, errors: PAUSED } as unknown as Deployment;
}

describe("minedRevert", () => {
  it("says a transaction that used all its gas ran out of gas", async () => {
    const { error, gasUsed } = await minedRevert(node(90_000n, 90_000n, async () => ({})), "0xab");
    expect(gasUsed).toBe(90_000n);
    expect(error.name).toBe("OutOfGas");
    expect(error.message).toContain("90,000");
  });
  it("replays the transaction and names the contract's error", async () => {
    const data = encodeErrorResult({ abi: PAUSED, errorName: "LendingPaused" });
    const { error } = await minedRevert(node(40_000n, 90_000n, async () => { throw { cause: { data } }; }), "0xab");
    expect(error.name).toBe("LendingPaused");
  });
  it("says the state moved when the replay passes", async () => {
    const { error } = await minedRevert(node(40_000n, 90_000n, async () => ({ data: "0x" })), "0xab");
    expect(error.message).toContain("something changed in between");
  });
});

describe("runPlan", () => {
  it("counts a step mined with status 0 once, with its reason", async () => {
    const d = node(40_000n, 90_000n, async () => { throw { cause: { data: encodeErrorResult({ abi: PAUSED, errorName: "LendingPaused" }) } }; });
    Object.assign(d.client, {
      simulateContract: async () => ({ request: {}, result: undefined }),
      estimateContractGas: async () => 60_000n,
      waitForTransactionReceipt: async () => ({ status: "reverted", gasUsed: 40_000n }),
    });
    wallet.set({ kind: "dev", address: "0x01", index: 0, client: { account: undefined, writeContract: async () => "0xab" } } as never);
    const step = { label: "pay", call: { address: "0x02" as const, abi: PAUSED, functionName: "repay", args: [] } };
    const outcome = await runPlan(d, [step], () => undefined);
    expect(outcome.ok).toBe(false);
    expect(outcome.gasUsed).toBe(40_000n);
    expect(outcome.error?.name).toBe("LendingPaused");
  });
});
