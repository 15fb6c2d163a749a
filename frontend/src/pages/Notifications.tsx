// The signed-in wallet's notifications (GET /me/notifications): alerts the bots raised about its
// loans and auto-lend rules, newest first, unread ones marked, each one markable as read.
import { useState } from "react";
import { api, query } from "../api/client";
import type { NotificationsPage } from "../api/types";
import { REFRESH_MS, useAsync, useEvery } from "../lib/hooks";
import { formatDate, plural } from "../lib/format";
import { SignInGate } from "../components/SignInGate";
import { Badge, ErrorNote, Loading } from "../components/ui";
import { unread } from "../components/UnreadCount";

const PER_PAGE = 20;
const KINDS: Record<string, [string, string]> = { collateral_20: ["warn", "Collateral"], collateral_10: ["bad", "Collateral"],
  instalment_due: ["", "Payment due"], grace_started: ["warn", "Payment missed"], late: ["bad", "Late"], defaulted: ["bad", "Defaulted"],
  liquidated: ["bad", "Liquidated"], autolend_fill: ["ok", "Auto-lend"] };

export function Notifications() {
  return <SignInGate title="Notifications" why="to see the alerts about your loans and auto-lend rules"><NotificationList /></SignInGate>;
}

function NotificationList() {
  const [page, setPage] = useState(1);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const notes = useAsync(() => api<NotificationsPage>(`/me/notifications${query({ page, per_page: PER_PAGE, unread: unreadOnly ? "true" : undefined })}`)
    .then((p) => { unread.set(p.unread); return p; }), [page, unreadOnly]);
  useEvery(REFRESH_MS, notes.reload);
  const data = notes.data;
  async function read(id: number) {
    setFailure(null);
    try { await api(`/me/notifications/${id}/read`, { method: "POST" }); notes.reload(); }
    catch (e) { setFailure(e); }
  }
  return <>
    <h1>Notifications</h1>
    <p className="lead">Alerts about your loans and auto-lend rules: before a payment is due, when collateral gets close to its
      liquidation price, when a loan is late, defaults or is liquidated, and when a rule lends.</p>
    <label className="inline"><input type="checkbox" checked={unreadOnly} onChange={(e) => { setUnreadOnly(e.target.checked); setPage(1); }} /> Unread only</label>
    {notes.error ? <ErrorNote error={notes.error} /> : !data ? <Loading /> : <>
      <p aria-live="polite">{data.total === 0 ? (unreadOnly ? "No unread notifications." : "No notifications yet.")
        : `${plural(data.total, unreadOnly ? "unread notification" : "notification")}${unreadOnly ? "" : `, ${data.unread} unread`}.`}</p>
      <ErrorNote error={failure} />
      {data.items.length > 0 && <ul className="notes">{data.items.map((n) => {
        const [kind, label] = KINDS[n.kind] ?? ["", n.kind];
        return <li key={n.id} className={n.read_at ? "read" : "unread"} data-kind={n.kind}>
          <p><Badge kind={kind}>{label}</Badge> {n.read_at ? null : <strong>New </strong>}{n.message}</p>
          <p className="muted">{formatDate(n.created_at)}{n.loan_id !== null && <> · <a href={`#/loans/${n.loan_id}`}>Loan #{n.loan_id}</a></>}
            {!n.read_at && <> · <button className="link" onClick={() => void read(n.id)}>Mark as read</button></>}</p>
        </li>;
      })}</ul>}
      {data.total > PER_PAGE && <nav className="pager" aria-label="Pages of notifications">
        <button disabled={page === 1} onClick={() => setPage(page - 1)}>Newer</button>
        <span>Page {page} of {Math.ceil(data.total / PER_PAGE)}</span>
        <button disabled={page * PER_PAGE >= data.total} onClick={() => setPage(page + 1)}>Older</button></nav>}
    </>}
  </>;
}
