// Auto-lend: a lender's on-chain commitments (a deposit and a rule the AutoLend contract enforces
// on every funding, whoever calls it) and the off-chain settings that bind only the platform's bot.
import { useState } from "react";
import { api } from "../api/client";
import { REFRESH_MS, useAsync, useDeployment, useEvery } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { approval, call, notesApproval } from "../chain/tx";
import { loanTokenAddress, tokenInfo } from "../chain/tokens";
import { formatMoney } from "../lib/format";
import { describeRule, NEW_RULE, onChain } from "../lib/rules";
import { ErrorNote, Loading } from "../components/ui";
import { TxPanel, type Plan } from "../components/TxPanel";
import { RuleEditor } from "../components/RuleEditor";
import { RuleCard, type Commitment } from "../components/RuleCard";

export function AutoLendPage() {
  const d = useDeployment();
  const w = useStore(wallet);
  const address = w.kind === "none" ? null : w.address;
  const [plan, setPlan] = useState<(() => Promise<Plan>) | null>(null);
  const token = useAsync(() => tokenInfo(d, loanTokenAddress(d)!), []);
  const mine = useAsync(async () => address ? {
    commitments: await api<Commitment[]>(`/lenders/${address}/commitments`),
    now: Number((await d.client.getBlock()).timestamp) } : null, [address]);
  useEvery(REFRESH_MS, mine.reload);  // a new rule shows once indexed; the bot's fundings change what each holds
  const t = token.data;

  if (!address) return <><h1>Auto-lend</h1><WhoIsBound /><p>Connect a wallet (top of the page) to set up automatic lending.</p></>;
  if (!t) return <><h1>Auto-lend</h1>{token.error ? <ErrorNote error={token.error} /> : <Loading />}</>;
  const m = (v: bigint) => formatMoney(v, t);
  return <>
    <h1>Auto-lend</h1>
    <p className="lead">Deposit money with a rule, and loans that match it are funded for you.</p>
    <WhoIsBound />
    <h2>New rule</h2>
    <RuleEditor initial={NEW_RULE} token={t} lender={address} withDeposit submitLabel="Review rule"
      onReady={(rule, deposit) => setPlan(() => async () => ({ title: `Create an auto-lend rule with ${m(deposit)}`,
        summary: [describeRule(rule, t), "You can withdraw the unlent part at any time."],
        steps: [...await approval(d, address, t, "AutoLend", deposit, m),
          ...(rule.reinvest ? await notesApproval(d, address, "AutoLend") : []),
          { label: `Deposit ${m(deposit)} into a new auto-lend rule`, call: call(d, "AutoLend", "createCommitment", [t.address, onChain(rule), deposit]) }] }))} />
    {plan && <TxPanel build={plan} onClose={() => setPlan(null)} onSettled={mine.reload} ctx={{ amount: m }} />}
    <h2>Your rules</h2>
    {mine.error ? <ErrorNote error={mine.error} /> : !mine.data ? <Loading /> : mine.data.commitments.length === 0 ? <p>No rules yet.</p> :
      mine.data.commitments.slice().reverse().map((c) => <RuleCard key={c.id} c={c} token={t} now={mine.data!.now}
        onChanged={mine.reload} />)}
  </>;
}

/** Which limits bind everyone and which only the platform's bot, said plainly. */
function WhoIsBound() {
  return <section className="cards" aria-label="Who each limit binds">
    <div className="card"><h2>Enforced by the contract</h2>
      <p>The rule is stored on chain with your deposit. The AutoLend contract refuses any funding outside it, whoever asks:
        the platform's bot, someone else's bot or a person.</p>
      <ul>
        <li>Worst grade accepted and highest chance of default</li>
        <li>Interest-rate range (lowest and highest APR)</li>
        <li>Longest term and minimum collateral</li>
        <li>Most per loan and most per borrower</li>
        <li>Total budget, and never more than you deposited</li>
        <li>Expiry date</li>
        <li>Loan purposes</li>
        <li>Who may fund from it: anyone, or one address you name</li>
      </ul></div>
    <div className="card"><h2>Followed only by the platform's bot</h2>
      <p>Stored by the platform, not on chain (you change them after signing in). They narrow what <strong>our</strong> bot funds;
        anyone else allowed to fund from the rule is held to the contract's limits alone.</p>
      <ul>
        <li>Pause and resume</li>
        <li>Borrowers never to fund</li>
        <li>At most so many loans a day</li>
        <li>A minimum score</li>
        <li>Which matching loans to fund first (it may miss some)</li>
      </ul></div>
  </section>;
}
