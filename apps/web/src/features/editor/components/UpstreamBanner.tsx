import type { ResourceChanged } from '@tandem/sync';
import { describeUpstreamChange } from '../state/editor-view.js';

interface UpstreamBannerProps {
  change: ResourceChanged;
  /** True when the user had unsaved edits when the change arrived (they are rebased onto it, or conflict). */
  keptLocalEdits: boolean;
  onDismiss: () => void;
}

/** Says who changed the open object upstream, which fields, and at which version. */
export function UpstreamBanner({ change, keptLocalEdits, onDismiss }: UpstreamBannerProps) {
  return (
    <div className="upstream-banner" role="status" data-testid="upstream-banner">
      <span>
        {describeUpstreamChange(change)}
        {keptLocalEdits ? ' — your unsaved edits are kept on top of it.' : ' — the editor now shows this version.'}
      </span>
      <button type="button" onClick={onDismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
