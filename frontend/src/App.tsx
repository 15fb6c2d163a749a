// The app shell: loads the deployment (GET /chain), restores wallet and session, and routes by hash.
import { useEffect, type ReactNode } from "react";
import { DeploymentContext, useAsync, useRoute } from "./lib/hooks";
import { loadDeployment } from "./chain/config";
import { restore, wallet } from "./chain/wallet";
import { restoreSession } from "./api/session";
import { useStore } from "./lib/store";
import { WalletBar } from "./components/WalletBar";
import { ErrorNote, Loading } from "./components/ui";
import { Marketplace } from "./pages/Marketplace";
import { LoanPage } from "./pages/LoanPage";
import { Portfolio } from "./pages/Portfolio";
import { NewListing } from "./pages/NewListing";
import { MyLoans } from "./pages/MyLoans";
import { Verification } from "./pages/Verification";
import { ScorePage } from "./pages/ScorePage";
import { AutoLendPage } from "./pages/AutoLendPage";
import { Stats } from "./pages/Stats";
import { Notifications } from "./pages/Notifications";
import { UnreadCount } from "./components/UnreadCount";

const NAV: [string, string][] = [["/", "Marketplace"], ["/portfolio", "Portfolio"], ["/autolend", "Auto-lend"],
  ["/borrow", "Borrow"], ["/my-loans", "My loans"], ["/verify", "Verification"], ["/score", "My score"], ["/stats", "Stats"], ["/notifications", "Notifications"]];

export function App() {
  const deployment = useAsync(async () => {
    const d = await loadDeployment();
    await restore(d);
    return d;
  }, []);
  const w = useStore(wallet);
  const address = w.kind === "none" ? undefined : w.address;
  useEffect(() => restoreSession(address), [address]);
  const route = useRoute();

  return <>
    <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>Skip to content</a>
    <header>
      <a className="brand" href="#/">Lendchain</a>
      <nav aria-label="Main">
        {NAV.map(([to, label]) => <a key={to} href={`#${to}`} aria-current={route.path === to ? "page" : undefined}>{label}
          {to === "/notifications" && deployment.data && <UnreadCount />}</a>)}
      </nav>
    </header>
    {deployment.error ? <main id="main" tabIndex={-1}><h1>Lendchain is not reachable</h1><ErrorNote error={deployment.error} /></main>
      : !deployment.data ? <main id="main" tabIndex={-1}><Loading what="Connecting to the platform" /></main>
      : <DeploymentContext.Provider value={deployment.data}>
        <WalletBar />
        <main id="main" tabIndex={-1}>{page(route.parts, route.query)}</main>
      </DeploymentContext.Provider>}
    <footer><p>Loans carry real risk: borrowers can pay late or default, and lenders can lose money. Past results do not predict future ones.</p></footer>
  </>;
}

function page(parts: string[], query: URLSearchParams): ReactNode {
  switch (parts[0]) {
    case undefined: return <Marketplace query={query} />;
    case "loans": return <LoanPage id={Number(parts[1])} />;
    case "portfolio": return <Portfolio />;
    case "borrow": return <NewListing />;
    case "my-loans": return <MyLoans />;
    case "verify": return <Verification />;
    case "score": return <ScorePage />;
    case "autolend": return <AutoLendPage />;
    case "stats": return <Stats />;
    case "notifications": return <Notifications />;
    default: return <><h1>Page not found</h1><p><a href="#/">Back to the marketplace</a></p></>;
  }
}
