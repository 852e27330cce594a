import { useEffect } from 'react';
import { uiStore, useUi } from '../../../state/ui-store.js';
import { resolveUser, USER_STORAGE_KEY } from '../state/identity.js';

/** Reads the identity from the URL or sessionStorage once, and remembers sign-ins for this tab. */
export function useSignedInUser(): string | null {
  const user = useUi((s) => s.user);
  useEffect(() => {
    if (uiStore.getState().user !== null) return;
    const found = resolveUser(window.location.search, window.sessionStorage.getItem(USER_STORAGE_KEY));
    if (found !== null) uiStore.getState().signIn(found);
  }, []);
  useEffect(() => {
    if (user !== null) window.sessionStorage.setItem(USER_STORAGE_KEY, user);
  }, [user]);
  return user;
}
