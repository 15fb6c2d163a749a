// New listing: the grade decides the limits (maximum amount and APR, required collateral, read
// from LoanBook's grade policy); collateral shows live value, health and liquidation price; the
// score attestation is fetched (POST /me/attestation) and submitted with requestLoan.
import { useState, type FormEvent } from "react";
import { erc20Abi } from "viem";
import { api, query } from "../api/client";
import type { Attestation, Score } from "../api/types";
import { session } from "../api/session";
import { useAsync, useDeployment, navigate } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { approval, call } from "../chain/tx";
import { collateralTokenAddress, loanTokenAddress, tokenInfo } from "../chain/tokens";
import { formatBps, formatMoney, formatWad, parseUnits } from "../lib/format";
import { gradeName, PURPOSES, PURPOSE_KEYS, purposeName } from "../lib/domain";
import { healthWad, liquidationPriceWad, requiredCollateral, valueWad } from "../lib/collateral";
import { checkAmount, checkApr, checkWhole } from "../lib/validate";
import { ErrorNote, Field, GradeBadge, Health, Loading, Notice } from "../components/ui";
import { TxPanel } from "../components/TxPanel";

const MONTH = 30n * 86_400n;

export function NewListing() {
  const d = useDeployment();
  const w = useStore(wallet);
  const s = useStore(session);
  const signedIn = !!s && w.kind !== "none" && s.wallet.toLowerCase() === w.address.toLowerCase();
  const [f, setF] = useState({ amount: "1000", months: "12", apr: "", purpose: "0", days: "14", minFill: "70", collateral: "0" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [ready, setReady] = useState<null | { principal: bigint; apr: number; months: number; purpose: number; days: number; minFill: number; collateral: bigint }>(null);

  const owner = w.kind === "none" ? null : w.address;
  const ctx = useAsync(async () => {
    if (!signedIn) return null;
    const loanAddress = loanTokenAddress(d)!;
    const collAddress = collateralTokenAddress(d);
    const [score, loanToken, collToken] = await Promise.all([
      api<Score>(`/me/score${query({ loan_amount: Number(f.amount.replace(/,/g, "")) || undefined, term_months: Number(f.months) || undefined })}`),
      tokenInfo(d, loanAddress), collAddress ? tokenInfo(d, collAddress) : Promise.resolve(null)]);
    const [maxPrincipal, maxAprBps, minRatioBps] = await d.client.readContract({ address: d.address("LoanBook"), abi: d.abi("LoanBook"),
      functionName: "gradePolicies", args: [loanAddress, score.grade_code] }) as [bigint, number, number];
    const price = async (a: `0x${string}`) => {
      const [usable, p] = await d.client.readContract({ address: d.address("PriceOracle"), abi: d.abi("PriceOracle"), functionName: "tryPriceWad", args: [a] }) as [boolean, bigint];
      return usable ? p : null;
    };
    const [loanPrice, collPrice, threshold, collBalance] = await Promise.all([price(loanAddress), collAddress ? price(collAddress) : null,
      collAddress ? d.client.readContract({ address: d.address("CollateralVault"), abi: d.abi("CollateralVault"), functionName: "collaterals", args: [collAddress] }) as Promise<[boolean, number, number]> : null,
      collAddress && owner ? d.client.readContract({ address: collAddress, abi: erc20Abi, functionName: "balanceOf", args: [owner] }) : null]);
    return { score, loanToken, collToken, maxPrincipal, maxAprBps: Number(maxAprBps), minRatioBps: BigInt(minRatioBps),
      loanPrice, collPrice, thresholdBps: threshold ? BigInt(threshold[1]) : 0n, collBalance };
  }, [signedIn, owner]);

  if (w.kind === "none") return <><h1>Borrow</h1><p>Connect a wallet (top of the page) to ask for a loan.</p></>;
  if (!signedIn) return <><h1>Borrow</h1><p>Sign in (top of the page) so the platform can score your verified profile. Signing in costs nothing.</p></>;
  const c = ctx.data;
  if (!c) return <><h1>Borrow</h1>{ctx.error ? <ErrorNote error={ctx.error} /> : <Loading what="Scoring your profile" />}</>;
  const lt = c.loanToken;
  const principal = parseUnits(f.amount, lt.decimals);
  const coll = c.collToken ? parseUnits(f.collateral || "0", c.collToken.decimals) : null;
  const debtWad = principal.ok && c.loanPrice ? valueWad(principal.value, c.loanPrice, lt.decimals) : null;
  const collValue = coll?.ok && c.collPrice && c.collToken ? valueWad(coll.value, c.collPrice, c.collToken.decimals) : null;
  const needed = debtWad !== null && c.collPrice && c.collToken ? requiredCollateral(debtWad, c.minRatioBps, c.collPrice, c.collToken.decimals) : null;
  const health = debtWad !== null && collValue !== null ? healthWad(collValue, debtWad, c.minRatioBps || 10_000n, c.thresholdBps) : null;
  const liqPrice = debtWad !== null && coll?.ok && c.collToken ? liquidationPriceWad(debtWad, c.minRatioBps || 10_000n, c.thresholdBps, c.collToken.decimals, coll.value) : null;
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => {
    setF({ ...f, [k]: e.target.value });
    if (errors[k]) setErrors(({ [k]: _, ...rest }) => rest);
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    const problems: Record<string, string> = {};
    const a = checkAmount(f.amount, lt, c!.maxPrincipal, `grade ${c!.score.grade}'s limit`);
    if (!a.ok) problems.amount = a.error;
    const m = checkWhole(f.months, "Monthly instalments", 1, 120);
    if (!m.ok) problems.months = m.error;
    const r = checkApr(f.apr, c!.maxAprBps);
    if (!r.ok) problems.apr = r.error;
    const dd = checkWhole(f.days, "Days to raise funds", 1, 60);
    if (!dd.ok) problems.days = dd.error;
    const mf = checkWhole(f.minFill, "Minimum to start", 1, 100);
    if (!mf.ok) problems.minFill = mf.error;
    let collateral = 0n;
    if (c!.collToken) {
      const cc = parseUnits(f.collateral || "0", c!.collToken.decimals);
      if (!cc.ok) problems.collateral = cc.error;
      else {
        collateral = cc.value;
        if (needed !== null && c!.minRatioBps > 0n && collateral < needed) problems.collateral = `Grade ${c!.score.grade} needs at least ${formatMoney(needed, c!.collToken, 6)} of collateral for this amount.`;
        else if (c!.collBalance !== null && collateral > c!.collBalance) problems.collateral = `You have only ${formatMoney(c!.collBalance, c!.collToken, 6)}.`;
      }
    }
    setErrors(problems);
    if (Object.keys(problems).length || !a.ok || !m.ok || !r.ok || !dd.ok || !mf.ok) return;
    setReady({ principal: a.value, apr: r.value, months: m.value, purpose: Number(f.purpose), days: dd.value, minFill: mf.value, collateral });
  }

  return <>
    <h1>Ask for a loan</h1>
    <section className="card" aria-label="Your grade">
      <p><GradeBadge grade={c.score.grade} /> Your grade is <strong>{c.score.grade}</strong> (score {c.score.score}/100; predicted chance of default {formatBps(c.score.pd_bps)}).
        {" "}<a href="#/score">Why?</a> · <a href="#/verify">Verify more to improve it</a></p>
      <p>Grade {c.score.grade} allows up to <strong>{formatMoney(c.maxPrincipal, lt, 0)}</strong> at up to <strong>{formatBps(c.maxAprBps)}</strong> a year
        {c.minRatioBps > 0n ? <>, with collateral worth at least <strong>{formatBps(c.minRatioBps, 0)}</strong> of the loan</> : ", without collateral"}.</p>
    </section>
    <form className="card" onSubmit={submit} noValidate aria-label="New listing">
      <Field label={`Amount (${lt.symbol})`} error={errors.amount}>{(p) => <input {...p} inputMode="decimal" value={f.amount} onChange={set("amount")} />}</Field>
      <Field label="Monthly instalments" hint="How many months to repay over (equal payments)." error={errors.months}>{(p) => <input {...p} inputMode="numeric" value={f.months} onChange={set("months")} />}</Field>
      <Field label="Interest rate (APR, %)" hint={`At most ${formatBps(c.maxAprBps)} for grade ${c.score.grade}. A higher rate attracts lenders faster.`} error={errors.apr}>{(p) => <input {...p} inputMode="decimal" value={f.apr} onChange={set("apr")} placeholder="e.g. 12" />}</Field>
      <Field label="Purpose" error={errors.purpose}>{(p) => <select {...p} value={f.purpose} onChange={set("purpose")}>
        {Array.from({ length: 32 }, (_, i) => <option key={i} value={i}>{purposeName(i)}</option>)}</select>}</Field>
      <Field label="Days to raise the money" hint="1 to 60 days. If not enough is raised by then, lenders get their money back." error={errors.days}>{(p) => <input {...p} inputMode="numeric" value={f.days} onChange={set("days")} />}</Field>
      <Field label="Start with at least (% funded)" hint="Once this share is funded you may start the loan early with what was raised." error={errors.minFill}>{(p) => <input {...p} inputMode="numeric" value={f.minFill} onChange={set("minFill")} />}</Field>
      {c.collToken && <>
        <Field label={`Collateral (${c.collToken.symbol})`} error={errors.collateral}
          hint={<>{c.collBalance !== null && <>You have {formatMoney(c.collBalance, c.collToken, 4)}. </>}
            {needed !== null && c.minRatioBps > 0n && <>At least {formatMoney(needed, c.collToken, 6)} is needed.</>}</>}>
          {(p) => <input {...p} inputMode="decimal" value={f.collateral} onChange={set("collateral")} />}</Field>
        <div aria-live="polite" className="preview">
          {c.collPrice === null ? <Notice kind="warn">The collateral price is unavailable right now; listings with collateral must wait.</Notice> : <>
            <p>Collateral value: <strong>{collValue !== null ? `${formatWad(collValue)} USD` : "—"}</strong> (1 {c.collToken.symbol} = {formatWad(c.collPrice)} USD)</p>
            {health !== null && collValue !== null && collValue > 0n && <p><Health wad={health} /></p>}
            {liqPrice !== null && <p>If {c.collToken.symbol} falls below <strong>{formatWad(liqPrice)} USD</strong>, part of your collateral can be sold to repay lenders.</p>}
          </>}
        </div>
      </>}
      <Notice kind="info">If you pay late, a late fee is added after the grace period; after about 120 days unpaid the loan defaults, it is recorded in your on-chain history, and your collateral can be sold.</Notice>
      <button className="primary" type="submit" disabled={ready !== null}>Review listing</button>
    </form>
    {ready && <TxPanel onClose={() => setReady(null)} onDone={() => setTimeout(() => navigate("/my-loans"), 1500)}
      ctx={{ amount: (v) => formatMoney(v, lt) }}
      build={async () => {
        const att = await api<Attestation>("/me/attestation", { body: { loan_amount: Math.max(1, Number(ready.principal / 10n ** BigInt(lt.decimals))),
          term_months: ready.months, purpose: PURPOSE_KEYS[ready.purpose] ?? "other" } });
        const block = await d.client.getBlock();
        const terms = { token: lt.address, principal: ready.principal, aprBps: BigInt(ready.apr), instalments: BigInt(ready.months), period: MONTH,
          fundingDeadline: block.timestamp + BigInt(ready.days) * 86_400n, minFillBps: BigInt(ready.minFill * 100), purpose: BigInt(ready.purpose),
          collateralToken: ready.collateral > 0n ? c.collToken!.address : "0x0000000000000000000000000000000000000000", collateralAmount: ready.collateral };
        const a = att.attestation;
        const attestation = { ...a, nonce: BigInt(a.nonce) };
        const notes: string[] = [];
        if (a.grade !== c.score.grade_code) {
          // The score depends on the loan's amount, term and purpose: check the terms against the grade actually signed.
          const [maxP, maxApr, ratio] = await d.client.readContract({ address: d.address("LoanBook"), abi: d.abi("LoanBook"),
            functionName: "gradePolicies", args: [lt.address, a.grade] }) as [bigint, number, number];
          const g = gradeName(a.grade);
          if (ready.principal > maxP) throw new Error(`For these terms your grade is ${g}, which allows at most ${formatMoney(maxP, lt, 0)}.`);
          if (ready.apr > Number(maxApr)) throw new Error(`For these terms your grade is ${g}, which allows at most ${formatBps(Number(maxApr))} APR.`);
          if (c.collPrice && c.loanPrice && c.collToken && BigInt(ratio) > 0n) {
            const need = requiredCollateral(valueWad(ready.principal, c.loanPrice, lt.decimals), BigInt(ratio), c.collPrice, c.collToken.decimals);
            if (ready.collateral < need) throw new Error(`For these terms your grade is ${g}, which needs at least ${formatMoney(need, c.collToken, 6)} of collateral.`);
          }
          notes.push(`For these terms your grade is ${g} (the page showed ${c.score.grade} for a standard loan).`);
        }
        return { title: `List a loan of ${formatMoney(ready.principal, lt)}`,
          summary: [`${formatMoney(ready.principal, lt)} over ${ready.months} months at ${formatBps(ready.apr)}, for ${PURPOSES[ready.purpose] ?? purposeName(ready.purpose)}. Lenders have ${ready.days} days to fund it.`,
            `Your signed score (grade ${gradeName(a.grade)}, valid until ${new Date(a.expiresAt * 1000).toLocaleDateString("en-GB")}) is sent with the listing.`, ...notes],
          steps: [
            ...(ready.collateral > 0n ? await approval(d, w.address, c.collToken!, "CollateralVault", ready.collateral, (v) => formatMoney(v, c.collToken!, 6)) : []),
            { label: `List the loan${ready.collateral > 0n ? ` and lock ${formatMoney(ready.collateral, c.collToken!, 6)} as collateral` : ""}`,
              call: call(d, "LoanBook", "requestLoan", [terms, attestation, att.signature]) }] };
      }} />}
  </>;
}
