import type { ResourceRef } from '@tandem/sync';
import { TandemProtocolError, TandemRequestError, type TandemClient } from '@tandem/sync/client';
import type { EditingSession } from './editing-session.js';

/** An error as the save notice shows it: without the request name the client puts first. */
function saveErrorMessage(error: unknown): string {
  if (error instanceof TandemRequestError || error instanceof TandemProtocolError) return error.message.replace(/^resource:save: /, '');
  return error instanceof Error ? error.message : String(error);
}

/**
 * The guarded save of the session's text (or, with `dryRun`, asks the cluster whether it would
 * accept it). A stale refusal carries the current version, which the text is rebased onto.
 */
export async function saveSession(client: Pick<TandemClient, 'request'>, ref: ResourceRef, session: EditingSession, dryRun: boolean): Promise<void> {
  const start = session.beginSave();
  if (start === null) return;
  try {
    const result = await client.request('resource:save', { ref, baseResourceVersion: start.baseResourceVersion, object: start.object, dryRun });
    if (result.dryRun) session.validated(start.baseResourceVersion);
    else session.saved(result);
  } catch (error) {
    if (error instanceof TandemRequestError && error.failure.code === 'stale') session.stale(error.failure.details);
    else session.saveFailed(saveErrorMessage(error));
  }
}
