// One way to call the API: same origin, JSON in and out, the API's one error format
// ({"error": {code, message, details}}) turned into ApiError, the SIWE bearer token when signed in.

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public details: unknown = {}) {
    super(message);
    this.name = "ApiError";
  }
}

let bearer: string | null = null;
export function setBearer(token: string | null) { bearer = token; }
export function hasBearer() { return bearer !== null; }

export async function api<T>(path: string, init: { method?: string; body?: unknown; form?: FormData } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let body: BodyInit | undefined;
  if (init.form) body = init.form;
  else if (init.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(init.body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
  } catch {
    throw new ApiError(0, "offline", "Cannot reach the Lendchain server. Check your connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const e = data?.error;
    throw new ApiError(response.status, e?.code ?? "http_error", e?.message ?? `The server answered ${response.status}.`, e?.details);
  }
  return data as T;
}

/** A query string from the set values only. */
export function query(params: Record<string, string | number | bigint | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
