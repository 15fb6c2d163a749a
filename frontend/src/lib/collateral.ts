// Collateral previews with the contracts' own integer formulas (libraries/HealthMath.sol):
//   health = collateral value / (debt × required ratio × liquidation threshold), WAD; < 1 is liquidatable
//   liquidation price = debt × ratio × threshold × unit / amount (USD per whole collateral token, WAD)
import { WAD } from "./format";

const BPS2 = 10_000n * 10_000n;

/** USD value (WAD) of `amount` base units at `priceWad` USD per whole token of `decimals`. */
export function valueWad(amount: bigint, priceWad: bigint, decimals: number): bigint {
  return (amount * priceWad) / 10n ** BigInt(decimals);
}

export function healthWad(collateralWad: bigint, debtWad: bigint, ratioBps: bigint, thresholdBps: bigint): bigint | null {
  if (debtWad === 0n || ratioBps === 0n || thresholdBps === 0n) return null;
  return (collateralWad * BPS2 * WAD) / (debtWad * ratioBps * thresholdBps);
}

export function liquidationPriceWad(debtWad: bigint, ratioBps: bigint, thresholdBps: bigint, decimals: number, amount: bigint): bigint | null {
  if (amount === 0n || ratioBps === 0n) return null;
  const num = debtWad * ratioBps * thresholdBps * 10n ** BigInt(decimals);
  const den = BPS2 * amount;
  return (num + den - 1n) / den;
}

/** The collateral (base units) worth at least `ratioBps` of the debt, rounded up. */
export function requiredCollateral(debtWad: bigint, ratioBps: bigint, priceWad: bigint, decimals: number): bigint {
  if (priceWad === 0n) return 0n;
  const num = debtWad * ratioBps * 10n ** BigInt(decimals);
  const den = 10_000n * priceWad;
  return (num + den - 1n) / den;
}
