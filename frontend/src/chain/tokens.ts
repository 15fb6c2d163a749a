// The platform's loan and collateral tokens (symbol, decimals) read from the chain once.
import { erc20Abi } from "viem";
import type { Deployment } from "./config";
import type { Token } from "../lib/format";
import { useAsync, useDeployment } from "../lib/hooks";

const cache = new Map<string, Promise<Token>>();

export function tokenInfo(d: Deployment, address: `0x${string}`): Promise<Token> {
  const key = address.toLowerCase();
  if (!cache.has(key)) {
    cache.set(key, Promise.all([
      d.client.readContract({ address, abi: erc20Abi, functionName: "symbol" }),
      d.client.readContract({ address, abi: erc20Abi, functionName: "decimals" }),
    ]).then(([symbol, decimals]) => ({ address, symbol, decimals })));
  }
  return cache.get(key)!;
}

/** The loan token: the local stablecoin, or the first ERC-20 named *USD* in the deployment. */
export function loanTokenAddress(d: Deployment): `0x${string}` | null {
  const name = Object.keys(d.info.contracts).find((n) => /usd/i.test(n) && !/feed/i.test(n));
  return name ? d.address(name) : null;
}

export function collateralTokenAddress(d: Deployment): `0x${string}` | null {
  const name = Object.keys(d.info.contracts).find((n) => /weth|eth$/i.test(n) && !/feed/i.test(n));
  return name ? d.address(name) : null;
}

export function useLoanToken() {
  const d = useDeployment();
  return useAsync(async () => { const a = loanTokenAddress(d); return a ? tokenInfo(d, a) : null; }, []);
}
