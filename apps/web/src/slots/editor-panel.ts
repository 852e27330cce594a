import type { JsonObject, JsonValue, ResourceRef } from '@tandem/sync';
import { createContext, type ComponentType } from 'react';

/**
 * A panel the app shell puts beside each open editor (the object's history, for admins). The
 * editor renders whatever the shell provides here, so the editor and the panel's feature never
 * import each other.
 */

/** What a whole-object edit did. */
export type ObjectEditResult =
  | { readonly kind: 'applied' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'unparseable'; readonly problem: string }
  | { readonly kind: 'read-only' };

/** The object open in an editor, as a panel beside it may change it. */
export interface OpenObject {
  /**
   * Changes the object as the user would by typing: minimal text edits from the current text's
   * object to `change(object)`, left unsaved for the guarded save to write.
   */
  editObject(change: (current: JsonObject) => JsonValue): ObjectEditResult;
}

export interface EditorPanelProps {
  readonly target: ResourceRef;
  /** Null until the editor is ready. */
  readonly object: OpenObject | null;
}

export interface EditorPanel {
  /** The toggle button's text. */
  readonly label: string;
  /** `data-testid` of the toggle is `<testId>-toggle`. */
  readonly testId: string;
  readonly Panel: ComponentType<EditorPanelProps>;
}

/** The panel beside each editor, or null for none. */
export const EditorPanelContext = createContext<EditorPanel | null>(null);
