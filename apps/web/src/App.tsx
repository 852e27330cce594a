import { BrowsePage } from './features/browse/components/BrowsePage.js';
import { ConnectionIndicator } from './features/connection/components/ConnectionIndicator.js';
import { TandemConnection } from './features/connection/components/TandemConnection.js';
import { HistoryPage } from './features/history/components/HistoryPage.js';
import { HISTORY_HASH, useAppView } from './features/history/hooks/useAppView.js';
import { useHistoryAccess } from './features/history/hooks/useHistoryAccess.js';
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
        <AppNav />
        <span className="header-spacer" />
        <ConnectionIndicator />
        <span className="user" data-testid="current-user">
          {user}
        </span>
      </header>
      <main>
        <AppMain />
      </main>
    </TandemConnection>
  );
}

/** Browse, and for admins the edit history (a 403 from the history API hides the link). */
function AppNav() {
  const view = useAppView();
  const access = useHistoryAccess();
  return (
    <nav className="app-nav" aria-label="Views">
      <a href="#browse" data-testid="nav-browse" aria-current={view === 'browse' ? 'page' : undefined}>
        Browse
      </a>
      {access === 'admin' && (
        <a href={HISTORY_HASH} data-testid="nav-history" aria-current={view === 'history' ? 'page' : undefined}>
          History
        </a>
      )}
    </nav>
  );
}

/** The browse view stays mounted under the history so open editors keep their unsaved text. */
function AppMain() {
  const view = useAppView();
  return (
    <>
      <div hidden={view !== 'browse'}>
        <BrowsePage />
      </div>
      {view === 'history' && <HistoryPage />}
    </>
  );
}
