import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, onUnauthenticated, request } from './api/client';
import { ViewerQuery } from './api/operations';
import type { ViewerQuery as ViewerResult } from './gql/graphql';
import { clearKey, getKey, setKey, takeKeyFromFragment } from './api/session';
import { navigate, onLinkClick, usePath } from './router';
import { SignIn } from './components/SignIn';
import { Explore } from './pages/explore/Explore';
import { FilterManagement } from './pages/settings/FilterManagement';
import { ComponentSettings } from './pages/settings/ComponentSettings';
import { NotificationBell } from './components/NotificationBell';
import { ErrorBox } from './components/ErrorBox';

export type Viewer = ViewerResult['viewer'];

export function App() {
  const [key, setKeyState] = useState(getKey());
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = usePath();

  const signOut = useCallback((why?: string) => {
    clearKey();
    setKeyState(null);
    setViewer(null);
    setError(why ?? null);
  }, []);

  // A #key= link followed while the console is open signs in with it.
  useEffect(() => {
    const onHash = () => {
      if (takeKeyFromFragment()) {
        setViewer(null);
        setError(null);
        setKeyState(getKey());
      }
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => onUnauthenticated(() => signOut('Your API key was not accepted: it is unknown, revoked or expired. Sign in with a valid key.')), [signOut]);

  useEffect(() => {
    if (!key) return;
    let live = true;
    request(ViewerQuery)
      .then((d) => {
        if (!live) return;
        if (d.viewer.role === 'emitter') {
          signOut('This key is an emitter key: it may only send events. Sign in with a viewer or admin key.');
          return;
        }
        setViewer(d.viewer);
        setError(null);
      })
      .catch((e: ApiError) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [key, signOut]);

  useEffect(() => {
    if (path === '/' || path === '') navigate('/explore');
  }, [path]);

  if (!key) {
    return (
      <SignIn
        error={error}
        onSignIn={(k) => {
          setKey(k);
          setError(null);
          setKeyState(k);
        }}
      />
    );
  }
  if (!viewer) {
    return (
      <main class="center">
        {error ? (
          <div>
            <ErrorBox message={error} />
            <button type="button" onClick={() => signOut()}>Sign out</button>
          </div>
        ) : (
          <p role="status">Signing in…</p>
        )}
      </main>
    );
  }

  const isAdmin = viewer.role === 'admin';
  const settings = path.startsWith('/settings/audit-logs');
  const componentId = settings ? decodeURIComponent(path.slice('/settings/audit-logs/'.length)) : '';
  return (
    <div class="app">
      <header class="topbar">
        <span class="brand">Audit Logs</span>
        <nav aria-label="Main">
          <a href="/explore" aria-current={!settings ? 'page' : undefined} onClick={(e) => onLinkClick(e, '/explore')}>
            Explore
          </a>
          {isAdmin && (
            <a
              href="/settings/audit-logs"
              aria-current={settings ? 'page' : undefined}
              onClick={(e) => onLinkClick(e, '/settings/audit-logs')}
            >
              Settings → Audit Logs
            </a>
          )}
        </nav>
        <span class="spacer" />
        <NotificationBell />
        <span class="who" title={`${viewer.role} · tenant ${viewer.tenant}`}>
          {viewer.user.name || viewer.user.email || viewer.user.id} <small>({viewer.role})</small>
        </span>
        <button type="button" onClick={() => signOut()}>Sign out</button>
      </header>
      {settings && !isAdmin ? (
        <main class="page">
          <ErrorBox message="Filter Management is for admins: your key's role is viewer." />
        </main>
      ) : settings && componentId ? (
        <ComponentSettings id={componentId} />
      ) : settings ? (
        <FilterManagement />
      ) : (
        <Explore viewer={viewer} />
      )}
    </div>
  );
}
