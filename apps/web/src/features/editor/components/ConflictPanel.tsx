import type { ConflictChoice, FieldChange, RebaseResult } from '@tandem/sync';
import { stringify } from 'yaml';
import { DiffView } from './DiffView.js';

interface ConflictPanelProps {
  result: RebaseResult;
  /** Who made the upstream version and which one it is, e.g. "kubectl-edit (rv 31)". */
  upstream: string;
  choices: Readonly<Record<string, ConflictChoice>>;
  onChoose: (path: string, choice: ConflictChoice) => void;
  onApply: () => void;
  theirsText: string;
  mineText: string;
}

function valueText(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${c.path}: ${c.op === 'remove' ? '(removed)' : stringify(c.after ?? null, { lineWidth: 0 }).trim()}`).join('; ');
}

/** Fields both you and someone upstream changed: pick a side for each, then apply. */
export function ConflictPanel({ result, upstream, choices, onChoose, onApply, theirsText, mineText }: ConflictPanelProps) {
  const open = result.conflicts.filter((c) => choices[c.path] === undefined).length;
  return (
    <section className="conflict-banner" role="alert" data-testid="conflict-banner">
      <p>
        <strong>
          {result.conflicts.length} conflict{result.conflicts.length === 1 ? '' : 's'}
        </strong>{' '}
        with {upstream}: you and they changed the same field. Pick a side for each; nothing is saved until you do.
      </p>
      <ul>
        {result.conflicts.map((conflict) => (
          <li key={conflict.path} data-testid="conflict-field" data-path={conflict.path} data-choice={choices[conflict.path] ?? ''}>
            <code>{conflict.path}</code>
            <span className="conflict-side">mine: {valueText(conflict.mine)}</span>
            <span className="conflict-side">theirs: {valueText(conflict.theirs)}</span>
            <button type="button" aria-pressed={choices[conflict.path] === 'mine'} data-testid="keep-mine" onClick={() => onChoose(conflict.path, 'mine')}>
              Keep mine
            </button>
            <button type="button" aria-pressed={choices[conflict.path] === 'theirs'} data-testid="take-theirs" onClick={() => onChoose(conflict.path, 'theirs')}>
              Take theirs
            </button>
          </li>
        ))}
      </ul>
      <button type="button" disabled={open > 0} title={open > 0 ? `Choose a side for ${open} more field${open === 1 ? '' : 's'}` : 'Apply the choices to your text'} data-testid="apply-resolution" onClick={onApply}>
        Apply choices
      </button>
      <DiffView testId="conflict-diff" original={theirsText} modified={mineText} originalLabel={`theirs: ${upstream}`} modifiedLabel="yours" />
    </section>
  );
}
