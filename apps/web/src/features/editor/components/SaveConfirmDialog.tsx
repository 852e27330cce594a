import { DiffView } from './DiffView.js';

interface SaveConfirmDialogProps {
  baseText: string;
  editedText: string;
  baseResourceVersion: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** The last look before writing: what the cluster has at the base version against what will be written. */
export function SaveConfirmDialog({ baseText, editedText, baseResourceVersion, onConfirm, onCancel }: SaveConfirmDialogProps) {
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-label="Review the changes to save" data-testid="save-confirm">
        <h3>Save these changes?</h3>
        <DiffView testId="save-diff" original={baseText} modified={editedText} originalLabel={`cluster (rv ${baseResourceVersion})`} modifiedLabel="will be written" />
        <div className="modal-actions">
          <button type="button" onClick={onCancel} data-testid="save-cancel">
            Cancel
          </button>
          <button type="button" className="primary" onClick={onConfirm} data-testid="save-confirm-button">
            Confirm save
          </button>
        </div>
      </div>
    </div>
  );
}
