import { useState } from 'preact/hooks';
import { ErrorBox } from './ErrorBox';

export function SignIn({ error, onSignIn }: { error: string | null; onSignIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <main class="center">
      <form
        class="card signin"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onSignIn(key.trim());
        }}
      >
        <h1>Audit Logs</h1>
        <p>Sign in with an API key of role viewer or admin (<code>auditlog keys create</code> prints one).</p>
        {error && <ErrorBox message={error} />}
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          required
        />
        <button type="submit" class="primary">Sign in</button>
        <p class="hint">The key stays in this tab (session storage) and is sent only as an Authorization header.</p>
      </form>
    </main>
  );
}
