import { initialsOf } from '../state/presence.js';

interface AvatarProps {
  user: string;
  color: string;
  /** The field the user is in, shown beside the name. */
  field?: string;
  idle?: boolean;
  self?: boolean;
  compact?: boolean;
}

/** A collaborator's coloured badge: initials, and unless compact, the name and the field they are in. */
export function Avatar({ user, color, field, idle = false, self = false, compact = false }: AvatarProps) {
  const label = `${user}${self ? ' (you)' : ''}${field ? ` in ${field}` : ''}${idle ? ', idle' : ''}`;
  return (
    <span className="avatar" data-testid={compact ? 'resource-presence-avatar' : 'presence-avatar'} data-user={user} data-field={field ?? ''} data-idle={idle} title={label} aria-label={label}>
      <span className="avatar-badge" style={{ background: color, opacity: idle ? 0.5 : 1 }} aria-hidden="true">
        {initialsOf(user)}
      </span>
      {!compact && (
        <span className="avatar-text">
          <span className="avatar-name">
            {user}
            {self ? ' (you)' : ''}
          </span>
          {field && <code className="avatar-field">{field}</code>}
        </span>
      )}
    </span>
  );
}
