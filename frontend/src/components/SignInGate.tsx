// Pages that need a signed-in wallet (SIWE) show why and how, instead of failing.
import { useState, type ReactNode } from "react";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { session, signIn } from "../api/session";
import { explainError } from "../chain/errors";
import { useDeployment } from "../lib/hooks";
import { Notice } from "./ui";

export function SignInGate({ title, children }: { title: string; children: ReactNode }) {
  const d = useDeployment();
  const w = useStore(wallet);
  const s = useStore(session);
  const [error, setError] = useState<string | null>(null);
  if (w.kind === "none") return <><h1>{title}</h1><p>Connect a wallet (top of the page) first.</p></>;
  if (!s || s.wallet.toLowerCase() !== w.address.toLowerCase()) return <><h1>{title}</h1>
    <p>Sign in with your wallet so the platform knows this profile is yours. You sign a message; it costs nothing and sends no transaction.</p>
    <button className="primary" onClick={() => signIn().catch((e) => setError(explainError(e, d.errors).message))}>Sign in with Ethereum</button>
    {error && <Notice kind="error">{error}</Notice>}</>;
  return <>{children}</>;
}
