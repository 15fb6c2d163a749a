import { describe, expect, it } from "vitest";
import { gasLimit } from "./tx";

describe("gasLimit", () => {
  it("covers what a first repayment needed over Ganache's estimate (85,707 estimated, 85,749 used up)", () => {
    expect(gasLimit(85_707n) >= 85_749n).toBe(true);
    expect(gasLimit(85_707n)).toBe(138_560n);  // half again plus 10,000, as the bots' sender
  });
});
