// Pages that need a signed-in wallet (SIWE) show why and how, instead of failing.
import { useState, type ReactNode } from "react";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { session, signIn, type Session } from "../api/session";
import { explainError } from "../chain/errors";
import { useDeployment } from "../lib/hooks";
import { Notice } from "./ui";

/** The session when the connected wallet is signed in (SIWE), else null. */
export function useSignedIn(): Session {
  const w = useStore(wallet);
  const s = useStore(session);
  return s && w.kind !== "none" && s.wallet.toLowerCase() === w.address.toLowerCase() ? s : null;
}

/** `title`: the page's heading (a page-wide gate); without it the gate sits inside a page.
 *  `why`: what signing in is for, said before the button. */
export function SignInGate({ title, why = "so the platform knows this profile is yours", children }: {
  title?: string; why?: string; children: ReactNode }) {
  const d = useDeployment();
  const w = useStore(wallet);
  const s = useSignedIn();
  const [error, setError] = useState<string | null>(null);
  const heading = title && <h1>{title}</h1>;
  if (w.kind === "none") return <>{heading}<p>Connect a wallet (top of the page) first.</p></>;
  if (!s) return <>{heading}
    <p>Sign in with your wallet {why}. You sign a message; it costs nothing and sends no transaction.</p>
    <button className="primary" onClick={() => signIn().catch((e) => setError(explainError(e, d.errors).message))}>Sign in with Ethereum</button>
    {error && <Notice kind="error">{error}</Notice>}</>;
  return <>{children}</>;
}
