import type { TypedDocumentString } from '../gql/graphql';
import { getKey } from './session';

// ApiError is a failed request, with a message meant for the user.
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

type GraphQLError = { message: string; extensions?: { code?: string; field?: string; reason?: string } };

// Listeners told when the key stops working, so the app can ask for another.
const unauthenticated = new Set<() => void>();
export function onUnauthenticated(fn: () => void): () => void {
  unauthenticated.add(fn);
  return () => unauthenticated.delete(fn);
}

// explain turns an API error into words a dashboard user can act on.
export function explain(code: string, message: string, status?: number, retryAfter?: string | null): string {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 'Your API key was not accepted: it is unknown, revoked or expired. Sign in with a valid key.';
    case 'FORBIDDEN':
      return `Your key's role does not allow this (${message}).`;
    case 'RATE_LIMITED':
      return `Too many requests from this key: rate limited. Try again in ${retryAfter || 'a few'} second(s).`;
    case 'UNAVAILABLE':
      return 'The audit log engine is unavailable or busy right now. Try again in a moment.';
    case 'NETWORK':
      return 'The auditlog server cannot be reached. Check that it is running.';
    case 'INTERNAL':
      if (status === 503 || /unavailable|connection|opensearch/i.test(message))
        return `The audit log engine is unavailable: ${message}`;
      return `The server failed: ${message}`;
    default:
      return message;
  }
}

// request runs one typed GraphQL operation with the tab's key.
export async function request<R, V>(doc: TypedDocumentString<R, V>, variables?: V): Promise<R> {
  const key = getKey();
  let resp: Response;
  try {
    resp = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError(explain('NETWORK', ''), 'NETWORK');
  }
  let body: { data?: R; errors?: GraphQLError[] } = {};
  try {
    body = await resp.json();
  } catch {
    // A proxy's HTML error page, or an empty body.
  }
  const err = body.errors?.[0];
  if (err || !resp.ok || !body.data) {
    const code = err?.extensions?.code ?? (resp.status === 429 ? 'RATE_LIMITED' : resp.status === 503 ? 'UNAVAILABLE' : 'INTERNAL');
    const msg = err?.message ?? `HTTP ${resp.status}`;
    if (code === 'UNAUTHENTICATED') unauthenticated.forEach((fn) => fn());
    throw new ApiError(explain(code, msg, resp.status, resp.headers.get('Retry-After')), code, err?.extensions?.field, resp.status);
  }
  return body.data;
}
