import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
import './playground.css';
import { getKey, takeKeyFromFragment } from '../api/session';

// The playground shares the console's sign-in: the key of this tab goes in
// the Authorization header, unless the Headers tab sets one.
takeKeyFromFragment();

type Params = { query: string; variables?: unknown; operationName?: string | null };

async function fetcher(params: Params, opts?: { headers?: Record<string, string> }) {
  const key = getKey();
  const resp = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...(opts?.headers ?? {}),
    },
    body: JSON.stringify(params),
  });
  return resp.json();
}

createRoot(document.getElementById('playground')!).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery: '{\n  viewer { tenant role user { name email } }\n  events(filter: {}, first: 5) {\n    totalCount\n    edges { node { id occurredAt eventTypeName priority description } }\n  }\n}\n',
  }),
);
