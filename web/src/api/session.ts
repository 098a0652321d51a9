// The API key of this browser tab. It lives in sessionStorage (gone when
// the tab closes) and leaves the browser only as an Authorization header.

const storageKey = 'auditlog.apiKey';

export function getKey(): string | null {
  try {
    return sessionStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

export function setKey(key: string): void {
  sessionStorage.setItem(storageKey, key.trim());
}

export function clearKey(): void {
  sessionStorage.removeItem(storageKey);
}

// takeKeyFromFragment signs in with a `#key=…` link (what `auditlog serve`
// prints on first start) and removes the key from the address bar and the
// history entry. A fragment is never sent to the server.
export function takeKeyFromFragment(loc: Location = location): boolean {
  const m = /(?:^#|&)key=([^&]+)/.exec(loc.hash);
  if (!m) return false;
  setKey(decodeURIComponent(m[1]));
  history.replaceState(history.state, '', loc.pathname + loc.search);
  return true;
}
