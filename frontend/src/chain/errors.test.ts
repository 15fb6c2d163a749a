import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeErrorResult, type Abi } from "viem";
import { decodeRevert, ERROR_MESSAGES, errorAbi, explainError, minedRevertHash, revertData, WrongNetworkError } from "./errors";

const ROOT = resolve(__dirname, "../../..");

/** Every ABI we can find: compiled contracts (build/contracts) and deployment maps (deployments/*.json). */
function abis(): { source: string; abi: Abi }[] {
  const out: { source: string; abi: Abi }[] = [];
  const build = join(ROOT, "build", "contracts");
  if (existsSync(build)) for (const f of readdirSync(build).filter((n) => n.endsWith(".json"))) {
    const abi = JSON.parse(readFileSync(join(build, f), "utf8")).abi;
    if (Array.isArray(abi)) out.push({ source: `build/contracts/${f}`, abi });
  }
  const deployments = join(ROOT, "deployments");
  if (existsSync(deployments)) for (const f of readdirSync(deployments).filter((n) => n.endsWith(".json"))) {
    const map = JSON.parse(readFileSync(join(deployments, f), "utf8"));
    for (const [name, c] of Object.entries(map.contracts ?? {})) out.push({ source: `deployments/${f}:${name}`, abi: (c as { abi: Abi }).abi });
  }
  return out;
}

const found = abis();
const all = errorAbi(found.map((a) => a.abi));
const LOAN_BOOK = found.find((a) => a.source.endsWith("LoanBook.json") || a.source.endsWith(":LoanBook"));

describe("error messages", () => {
  it.skipIf(found.length === 0)("cover every custom error in the compiled ABIs and deployment maps", () => {
    const missing = new Set<string>();
    for (const { source, abi } of found) for (const item of abi) {
      if (item.type === "error" && !(item.name in ERROR_MESSAGES)) missing.add(`${item.name} (${source})`);
    }
    expect([...missing]).toEqual([]);
  });

  it.skipIf(found.length === 0)("produce a sentence for every error, with zero-valued arguments", () => {
    for (const item of all) {
      if (item.type !== "error") continue;
      const args = item.inputs.map((i) => (i.type === "address" ? "0x0000000000000000000000000000000000000001" : i.type === "bool" ? false
        : i.type === "string" ? "x" : i.type.startsWith("bytes") ? "0x" + "00".repeat(Number(i.type.slice(5)) || 0) : 0n));
      const data = encodeErrorResult({ abi: [item], errorName: item.name, args } as never);
      const decoded = decodeRevert(data, all);
      expect(decoded.name).toBe(item.name);
      expect(decoded.message).toMatch(/^[A-Z].+[.)]$/);
    }
  });

  it.skipIf(!LOAN_BOOK)("decode the named errors of the issue with their arguments", () => {
    const ctx = { amount: (v: bigint) => `${Number(v) / 1e6} mUSDC` };
    const enc = (errorName: string, args: unknown[]) => decodeRevert(encodeErrorResult({ abi: all, errorName, args } as never), all, ctx).message;
    expect(enc("AprAboveLimit", [2_500n, 2_200n])).toBe("The interest rate 25% is above your grade's maximum of 22%.");
    expect(enc("BelowMinimumFunding", [500_000n, 1_000_000n])).toContain("1 mUSDC");
    expect(enc("LendingPaused", [])).toContain("paused");
    expect(enc("ERC20InsufficientAllowance", ["0x0000000000000000000000000000000000000001", 0n, 5_000_000n])).toContain("approve");
  });
});

describe("explainError", () => {
  it("finds revert data deep in a viem-like error chain", () => {
    const data = encodeErrorResult({ abi: [{ type: "error", name: "LendingPaused", inputs: [] }], errorName: "LendingPaused" });
    const error = { shortMessage: "Execution reverted", cause: { cause: { data } } };
    expect(explainError(error, [{ type: "error", name: "LendingPaused", inputs: [] }]).name).toBe("LendingPaused");
  });
  it("says a rejected signature plainly", () => {
    expect(explainError({ code: 4001, message: "User rejected the request." }, []).kind).toBe("rejected");
    expect(explainError({ shortMessage: "User rejected the request.", cause: { code: 4001 } }, []).message).toContain("declined");
  });
  it("says a wrong network plainly", () => {
    const e = explainError(new WrongNetworkError(1, 1337), []);
    expect(e.kind).toBe("network");
    expect(e.message).toContain("1337");
  });
  it("decodes a plain revert string and a panic", () => {
    const str = encodeErrorResult({ abi: [{ type: "error", name: "Error", inputs: [{ name: "m", type: "string" }] }], errorName: "Error", args: ["nope"] });
    expect(decodeRevert(str, []).message).toBe("nope");
    expect(decodeRevert(("0x4e487b71" + "11".padStart(64, "0")) as `0x${string}`, []).message).toContain("overflow");
  });
  it("does not read Ganache's transaction hash as revert data when a sent transaction reverts", () => {
    const hash = `0x${"ab12cd34".repeat(8)}` as const;
    const sent = { shortMessage: "An internal error was received.", cause: { code: -32000, message: "VM Exception while processing transaction: revert",
      data: { hash, programCounter: 1234, result: hash, message: "revert" } } };
    expect(revertData(sent)).toBeUndefined();
    expect(minedRevertHash(sent)).toBe(hash);
    expect(explainError(sent, []).message).not.toContain("0xab12cd34");
  });
  it("reads the revert data of a call that Ganache refused, and finds no mined transaction in it", () => {
    const data = encodeErrorResult({ abi: [{ type: "error", name: "LendingPaused", inputs: [] }], errorName: "LendingPaused" });
    const called = { cause: { code: -32000, message: "VM Exception while processing transaction: revert", data } };
    expect(revertData(called)).toBe(data);
    expect(minedRevertHash(called)).toBeUndefined();
  });
});
