import { resolve } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: repoRoot });

/** The rule ids ESLint reports for `source` as if it were the file at `path` (relative to the repository root). */
async function ruleIdsFor(path: string, source: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(source, { filePath: resolve(repoRoot, path) });
  return (result?.messages ?? []).map((message: Linter.LintMessage) => message.ruleId);
}

describe('the gateway modules only import downwards', () => {
  it('refuses a lower module importing the socket gateway above it', async () => {
    const ids = await ruleIdsFor('apps/api/src/kube/backward.ts', "import { RealtimeGateway } from '../realtime/realtime.gateway.js';\nexport const gateway = RealtimeGateway;\n");
    expect(ids).toContain('boundaries/dependencies');
  });

  it('refuses two modules of one layer importing each other', async () => {
    const ids = await ruleIdsFor('apps/api/src/locks/sideways.ts', "import { PresenceService } from '../presence/presence.service.js';\nexport const presence = PresenceService;\n");
    expect(ids).toContain('boundaries/dependencies');
  });

  it('lets the socket gateway call the capabilities below it', async () => {
    const ids = await ruleIdsFor('apps/api/src/realtime/downward.ts', "import { EditsService } from '../edits/edits.service.js';\nexport const edits = EditsService;\n");
    expect(ids).not.toContain('boundaries/dependencies');
  });
});

describe('the web features only import downwards', () => {
  it('refuses the editor importing the history panel beside it', async () => {
    const ids = await ruleIdsFor('apps/web/src/features/editor/backward.ts', "import { HistoryPanel } from '../history/components/HistoryPanel.js';\nexport const panel = HistoryPanel;\n");
    expect(ids).toContain('boundaries/dependencies');
  });

  it('refuses the shared state reaching into a feature', async () => {
    const ids = await ruleIdsFor('apps/web/src/state/backward.ts', "import { HistoryPanel } from '../features/history/components/HistoryPanel.js';\nexport const panel = HistoryPanel;\n");
    expect(ids).toContain('boundaries/dependencies');
  });
});

describe('no import cycles', () => {
  it('refuses a file importing a file that imports it back', async () => {
    const ids = await ruleIdsFor('tools/lint/fixtures/cycle/first.ts', "import { second } from './second.js';\nexport const first = 'first';\nexport const both = second;\n");
    expect(ids).toContain('import-x/no-cycle');
  });

  it('accepts the same files without the import back', async () => {
    const ids = await ruleIdsFor('tools/lint/fixtures/cycle/first.ts', "export const first = 'first';\n");
    expect(ids).not.toContain('import-x/no-cycle');
  });
});
