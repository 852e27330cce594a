/**
 * Who is acting, as the gateway's services see it: the signed-in user, their groups, and how the
 * gateway reaches a cluster as them. Services take an Actor, never a socket or a request, so
 * sockets, REST and tests share one path.
 */

/** How cluster calls made for an actor authenticate. */
export type ClusterAccess =
  /** dev mode: the gateway's own kubeconfig credential (one machine, one person). */
  | { readonly kind: 'gateway' }
  /** oidc and proxy modes: the gateway's credential with Impersonate-User / Impersonate-Group. */
  | { readonly kind: 'impersonate' }
  /** token mode: the person's own bearer token, checked by a TokenReview at sign-in. */
  | { readonly kind: 'token'; readonly token: string };

export interface Actor {
  readonly user: string;
  readonly groups: readonly string[];
  readonly access: ClusterAccess;
}

/** An actor for tests and dev mode: the gateway's credential, no groups. */
export function devActor(user: string): Actor {
  return { user, groups: [], access: { kind: 'gateway' } };
}
