// Connect a wallet: the browser's (EIP-1193) or, on a local chain, the development wallet with an
// account picker and a faucet for test tokens. Shows the address, network check and balances.
import { useState } from "react";
import { erc20Abi, formatEther } from "viem";
import { useAsync, useDeployment } from "../lib/hooks";
import { useStore } from "../lib/store";
import { connectDev, connectInjected, devAddress, DEV_ACCOUNTS, disconnect, injectedAvailable, wallet } from "../chain/wallet";
import { explainError } from "../chain/errors";
import { formatMoney, shortAddress } from "../lib/format";
import { session, signIn, signOut } from "../api/session";
import { TxPanel } from "./TxPanel";
import { call, txCount } from "../chain/tx";

export function WalletBar() {
  const d = useDeployment();
  const w = useStore(wallet);
  const s = useStore(session);
  const [error, setError] = useState<string | null>(null);
  const [faucet, setFaucet] = useState(false);
  const [busy, setBusy] = useState(false);
  const ticks = useStore(txCount);
  const address = w.kind === "none" ? undefined : w.address;
  const balances = useAsync(async () => {
    if (!address) return null;
    const eth = await d.client.getBalance({ address });
    const tokens = await Promise.all(["MockUSDC", "MockWETH"].filter(d.has).map(async (name) => {
      const a = d.address(name);
      const [balance, symbol, decimals] = await Promise.all([
        d.client.readContract({ address: a, abi: erc20Abi, functionName: "balanceOf", args: [address] }),
        d.client.readContract({ address: a, abi: erc20Abi, functionName: "symbol" }),
        d.client.readContract({ address: a, abi: erc20Abi, functionName: "decimals" })]);
      return formatMoney(balance, { symbol, decimals });
    }));
    return [`${Number(formatEther(eth)).toLocaleString("en-US", { maximumFractionDigits: 2 })} ETH`, ...tokens];
  }, [address, ticks]);

  const wrongNetwork = w.kind === "injected" && w.chainId !== d.info.chainId;

  async function act(fn: () => Promise<void>) {
    setError(null); setBusy(true);
    try { await fn(); } catch (e) { setError(explainError(e, d.errors).message); } finally { setBusy(false); }
  }

  return <div className="wallet" aria-label="Wallet">
    {w.kind === "none" ? <>
      {d.local && <label className="inline">Development wallet{" "}
        <select aria-label="Development account" defaultValue="" onChange={(e) => e.target.value !== "" && connectDev(d, Number(e.target.value))}>
          <option value="" disabled>Choose a test account…</option>
          {Array.from({ length: DEV_ACCOUNTS }, (_, i) => <option key={i} value={i}>#{i} {shortAddress(devAddress(i))}</option>)}
        </select></label>}
      <button onClick={() => act(() => connectInjected(d))} disabled={!injectedAvailable() || busy}
        title={injectedAvailable() ? "" : "No browser wallet found"}>Connect browser wallet</button>
    </> : <>
      {w.kind === "dev" && <label className="inline">Account{" "}
        <select aria-label="Development account" value={w.index} onChange={(e) => { connectDev(d, Number(e.target.value)); void signOut(); }}>
          {Array.from({ length: DEV_ACCOUNTS }, (_, i) => <option key={i} value={i}>#{i} {shortAddress(devAddress(i))}</option>)}
        </select></label>}
      <span className={w.kind === "dev" ? "address sr-only" : "address"} title={w.address} data-testid="wallet-address">{shortAddress(w.address)}</span>
      {balances.data && <span className="muted balances">{balances.data.join(" · ")}</span>}
      {d.local && d.has("MockUSDC") && <button onClick={() => setFaucet(true)}>Get test tokens</button>}
      {s && s.wallet.toLowerCase() === w.address.toLowerCase()
        ? <button onClick={() => act(signOut)}>Sign out</button>
        : <button onClick={() => act(signIn)} disabled={busy}>Sign in</button>}
      <button onClick={() => { disconnect(); void signOut(); }}>Disconnect</button>
    </>}
    {wrongNetwork && <p className="notice error" role="alert">Your wallet is on network {w.kind === "injected" ? w.chainId : ""}; Lendchain runs on network {d.info.chainId}. Switch network in your wallet.</p>}
    {error && <p className="notice error" role="alert">{error}</p>}
    {faucet && address && <div className="modal"><TxPanel onClose={() => setFaucet(false)} build={async () => ({
      title: "Get test tokens",
      summary: ["Test tokens on the local chain have no value; anyone may mint them."],
      steps: [
        { label: "Mint 10,000 mUSDC (test stablecoin) to your wallet", call: call(d, "MockUSDC", "mint", [address, 10_000n * 10n ** 6n]) },
        ...(d.has("MockWETH") ? [{ label: "Mint 5 mWETH (test collateral) to your wallet", call: call(d, "MockWETH", "mint", [address, 5n * 10n ** 18n]) }] : []),
      ] })} /></div>}
  </div>;
}
