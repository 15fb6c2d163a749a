// The signed-in wallet's unread notifications, as a count beside the nav link: fetched here every
// REFRESH_MS, and set by the Notifications page whenever it loads (so marking one read shows at once).
import { api } from "../api/client";
import type { NotificationsPage } from "../api/types";
import { REFRESH_MS, useAsync, useEvery } from "../lib/hooks";
import { store, useStore } from "../lib/store";
import { useSignedIn } from "./SignInGate";

export const unread = store(0);

export function UnreadCount() {
  const s = useSignedIn();
  const count = useStore(unread);
  const fetched = useAsync(async () => unread.set(s ? (await api<NotificationsPage>("/me/notifications?per_page=1&unread=true")).unread : 0),
    [s?.token]);
  useEvery(REFRESH_MS, fetched.reload);
  return count ? <>{" "}<span className="count">{count}<span className="sr-only"> unread</span></span></> : null;
}
