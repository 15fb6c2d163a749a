// Sign-In with Ethereum (EIP-4361) against the backend: nonce -> message signed by the wallet ->
// bearer token for the /me endpoints. One session per wallet, kept in sessionStorage.
import { createSiweMessage } from "viem/siwe";
import { api, setBearer } from "./client";
import { store } from "../lib/store";
import { wallet } from "../chain/wallet";

export type Session = { wallet: string; token: string; expires_at: string; operator: boolean } | null;
export const session = store<Session>(null);

const KEY = "lendchain.session";

export function restoreSession(address: string | undefined): void {
  const saved = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Session;
  const valid = saved && address && saved.wallet.toLowerCase() === address.toLowerCase() && Date.parse(saved.expires_at) > Date.now();
  session.set(valid ? saved : null);
  setBearer(valid ? saved!.token : null);
}

export async function signIn(): Promise<void> {
  const w = wallet.get();
  if (w.kind === "none") throw new Error("Connect a wallet first.");
  const nonce = await api<{ nonce: string; domain: string; chain_id: number }>("/auth/nonce", { method: "POST" });
  const message = createSiweMessage({
    domain: nonce.domain, address: w.address, chainId: nonce.chain_id, nonce: nonce.nonce,
    uri: window.location.origin, version: "1", issuedAt: new Date(),
    statement: "Sign in to Lendchain. This signature costs nothing and sends no transaction.",
  });
  const signature = await w.client.signMessage({ account: w.client.account ?? w.address, message });
  const result = await api<{ token: string; wallet: string; operator: boolean; expires_at: string }>("/auth/login",
    { body: { message, signature } });
  const s = { wallet: result.wallet, token: result.token, expires_at: result.expires_at, operator: result.operator };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  setBearer(s.token);
  session.set(s);
}

export async function signOut(): Promise<void> {
  await api("/auth/logout", { method: "POST" }).catch(() => undefined);
  sessionStorage.removeItem(KEY);
  setBearer(null);
  session.set(null);
}
