import { BrowsePage } from './features/browse/components/BrowsePage.js';
import { ConnectionIndicator } from './features/connection/components/ConnectionIndicator.js';
import { TandemConnection } from './features/connection/components/TandemConnection.js';
import { SignInPrompt } from './features/session/components/SignInPrompt.js';
import { useSignedInUser } from './features/session/hooks/useSignedInUser.js';

export function App() {
  const user = useSignedInUser();
  if (user === null) {
    return (
      <>
        <header className="app-header">
          <h1>Tandem</h1>
        </header>
        <main>
          <SignInPrompt />
        </main>
      </>
    );
  }
  return (
    <TandemConnection user={user}>
      <header className="app-header">
        <h1>Tandem</h1>
        <span className="header-spacer" />
        <ConnectionIndicator />
        <span className="user" data-testid="current-user">
          {user}
        </span>
      </header>
      <main>
        <BrowsePage />
      </main>
    </TandemConnection>
  );
}
