import { useState, type FormEvent } from 'react';
import { uiStore } from '../../../state/ui-store.js';
import { userNameProblem } from '../state/identity.js';

/** Asks for a development identity; real authentication replaces this later. */
export function SignInPrompt() {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    const found = userNameProblem(trimmed);
    if (found !== null) {
      setProblem(found);
      return;
    }
    uiStore.getState().signIn(trimmed);
  };
  return (
    <form className="sign-in" onSubmit={submit} data-testid="sign-in">
      <h2>Who is editing?</h2>
      <p>Pick the name other editors will see next to your changes.</p>
      <label>
        Name{' '}
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" data-testid="sign-in-name" />
      </label>{' '}
      <button type="submit">Start</button>
      {problem && (
        <p role="alert" className="notice-error">
          {problem}
        </p>
      )}
    </form>
  );
}
