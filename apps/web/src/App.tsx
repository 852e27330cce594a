import { BrowsePage } from './features/browse/components/BrowsePage.js';

export function App() {
  return (
    <>
      <header className="app-header">
        <h1>Tandem</h1>
      </header>
      <main>
        <BrowsePage />
      </main>
    </>
  );
}
