// Small React hooks: async data with reload, the hash route, the deployment context.
import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { Deployment } from "../chain/config";

export type Async<T> = { data: T | undefined; error: unknown; loading: boolean; reload: () => void };

/** Run `fn` when `deps` change (and on reload); keeps the last data while reloading. */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    fn().then((data) => mine === seq.current && setState({ data, loading: false }),
      (error) => mine === seq.current && setState({ error, loading: false }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export const REFRESH_MS = 15_000;

/** Call `fn` every `ms` while mounted: pages showing what others change on chain (fundings,
 *  repayments, liquidations) refresh themselves. */
export function useEvery(ms: number, fn: () => void) {
  useEffect(() => {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  }, [ms, fn]);
}

function hash() { return window.location.hash.replace(/^#/, "") || "/"; }
function subscribe(fn: () => void) { window.addEventListener("hashchange", fn); return () => window.removeEventListener("hashchange", fn); }

/** The current route: "/loans/3?x=1" -> { path: "/loans/3", parts: ["loans", "3"], query }. */
export function useRoute() {
  const h = useSyncExternalStore(subscribe, hash, () => "/");
  const [path, q = ""] = h.split("?");
  return { path, parts: path.split("/").filter(Boolean), query: new URLSearchParams(q) };
}

export function navigate(to: string) { window.location.hash = to; }

export const DeploymentContext = createContext<Deployment | null>(null);
export function useDeployment(): Deployment {
  const d = useContext(DeploymentContext);
  if (!d) throw new Error("no deployment");
  return d;
}
