import { BrowsePage } from './features/browse/components/BrowsePage.js';
import { ConnectionIndicator } from './features/connection/components/ConnectionIndicator.js';
import { TandemConnection } from './features/connection/components/TandemConnection.js';
import { HistoryPage } from './features/history/components/HistoryPage.js';
import { HistoryPanel } from './features/history/components/HistoryPanel.js';
import { HISTORY_HASH, useAppView } from './navigation/useAppView.js';
import { useHistoryAccess } from './features/history/hooks/useHistoryAccess.js';
import { GatewaySignIn, SignOutButton } from './features/session/components/GatewaySignIn.js';
import { SignInPrompt } from './features/session/components/SignInPrompt.js';
import { useAuth } from './features/session/hooks/useAuth.js';
import { useSignedInUser } from './features/session/hooks/useSignedInUser.js';
import { EditorPanelContext, type EditorPanel } from './slots/editor-panel.js';

/** The gateway decides how people sign in (`/auth/me`); dev mode is today's typed-in name. */
export function App() {
  const auth = useAuth();
  if (auth.isPending) return null;
  const mode = auth.data?.mode ?? 'dev';
  if (mode === 'dev') return <DevApp />;
  const user = auth.data?.user;
  if (user === undefined) {
    return (
      <>
        <header className="app-header">
          <h1>Tandem</h1>
        </header>
        <main>
          <GatewaySignIn mode={mode} />
        </main>
      </>
    );
  }
  return <SignedInApp user={user} dev={false} />;
}

/** Dev mode: a name typed on this machine, with the gateway's own cluster credentials. */
function DevApp() {
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
  return <SignedInApp user={user} dev={true} />;
}

/** Beside each editor, for admins: the object's history, from which a version can be restored into the text. */
const HISTORY_PANEL: EditorPanel = { label: 'History', testId: 'history-panel', Panel: HistoryPanel };

function SignedInApp({ user, dev }: { user: string; dev: boolean }) {
  // A 403 from the history API hides the history beside the editors too.
  const editorPanel = useHistoryAccess() === 'admin' ? HISTORY_PANEL : null;
  return (
    <TandemConnection user={user} announceUser={dev}>
      <EditorPanelContext.Provider value={editorPanel}>
        <header className="app-header">
          <h1>Tandem</h1>
          <AppNav />
          <span className="header-spacer" />
          {dev && (
            <span className="notice-warning" data-testid="dev-mode" title="Names are typed in, not signed in; every cluster call uses the gateway's own credentials. For one machine only.">
              dev mode
            </span>
          )}
          <ConnectionIndicator />
          <span className="user" data-testid="current-user">
            {user}
          </span>
          {!dev && <SignOutButton />}
        </header>
        <main>
          <AppMain />
        </main>
      </EditorPanelContext.Provider>
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
