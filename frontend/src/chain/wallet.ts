// The connected wallet: an injected EIP-1193 wallet (MetaMask and the like), or on local chains a
// development wallet over the test mnemonic's accounts (no extension needed). One wallet client
// sends every transaction; the network is checked before each.
import { createWalletClient, custom, http, numberToHex, type EIP1193Provider, type WalletClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { store } from "../lib/store";
import type { Deployment } from "./config";
import { WrongNetworkError } from "./errors";

/** The public test mnemonic of Ganache, Hardhat and Anvil: never holds real funds. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** Every account the local chain funds (toolchain/local_chain.py SETTINGS["accounts"]): the demo
 *  uses #10 and #11 too. */
export const DEV_ACCOUNTS = 20;

export type Wallet =
  | { kind: "none" }
  | { kind: "dev"; address: `0x${string}`; index: number; client: WalletClient }
  | { kind: "injected"; address: `0x${string}`; chainId: number; client: WalletClient; provider: EIP1193Provider };

export const wallet = store<Wallet>({ kind: "none" });

declare global { interface Window { ethereum?: EIP1193Provider } }

export function injectedAvailable(): boolean {
  return typeof window !== "undefined" && !!window.ethereum;
}

export function devAddress(index: number): `0x${string}` {
  return mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).address;
}

export function connectDev(d: Deployment, index: number): void {
  if (!d.local) throw new Error("The development wallet only works on a local test chain.");
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const client = createWalletClient({ account, chain: d.chain, transport: http(d.info.rpcUrl) });
  wallet.set({ kind: "dev", address: account.address, index, client });
  localStorage.setItem("lendchain.wallet", `dev:${index}`);
}

export async function connectInjected(d: Deployment): Promise<void> {
  const provider = window.ethereum;
  if (!provider) throw new Error("No browser wallet found. Install one (such as MetaMask), or use the development wallet on a local chain.");
  const client = createWalletClient({ chain: d.chain, transport: custom(provider) });
  const [address] = await client.requestAddresses();
  const chainId = await client.getChainId();
  wallet.set({ kind: "injected", address, chainId, client, provider });
  localStorage.setItem("lendchain.wallet", "injected");
  provider.on?.("accountsChanged", (accounts: string[]) => {
    const w = wallet.get();
    if (w.kind !== "injected") return;
    if (!accounts.length) disconnect();
    else wallet.set({ ...w, address: accounts[0] as `0x${string}` });
  });
  provider.on?.("chainChanged", (id: string) => {
    const w = wallet.get();
    if (w.kind === "injected") wallet.set({ ...w, chainId: Number(id) });
  });
}

export function disconnect(): void {
  wallet.set({ kind: "none" });
  localStorage.removeItem("lendchain.wallet");
}

/** Reconnect the wallet used last time (the development wallet silently; an injected one only if it allows). */
export async function restore(d: Deployment): Promise<void> {
  const saved = localStorage.getItem("lendchain.wallet");
  if (saved?.startsWith("dev:") && d.local) connectDev(d, Number(saved.slice(4)));
  else if (saved === "injected" && injectedAvailable()) {
    const accounts = (await window.ethereum!.request({ method: "eth_accounts" })) as string[];
    if (accounts.length) await connectInjected(d).catch(() => undefined);
  }
}

/** Refuse to send on another network; offer the wallet a switch first. */
export async function ensureNetwork(d: Deployment): Promise<void> {
  const w = wallet.get();
  if (w.kind !== "injected") return;
  const actual = await w.client.getChainId();
  if (actual === d.info.chainId) return;
  try {
    await w.provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: numberToHex(d.info.chainId) }] });
  } catch {
    throw new WrongNetworkError(actual, d.info.chainId);
  }
  if ((await w.client.getChainId()) !== d.info.chainId) throw new WrongNetworkError(actual, d.info.chainId);
}
