import { useQueryClient } from '@tanstack/react-query';
import { resourceKey, type LockBlocked } from '@tandem/sync';
import { useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { EditorPanelContext } from '../../../slots/editor-panel.js';
import type { EditorTab } from '../../../state/ui-store.js';
import { useConnection } from '../../connection/hooks/useTandemClient.js';
import { Avatar } from '../../presence/components/Avatar.js';
import { applyPresenceChange, avatarsOf } from '../../presence/state/presence.js';
import { kindSchemaQuery, useKindSchema } from '../hooks/useKindSchema.js';
import { useUpdateDenied } from '../hooks/useUpdateDenied.js';
import { useAdmissionMode } from '../hooks/useAdmission.js';
import { clusterWideNote, outsideWriteMessage } from '../state/outside-writes.js';
import { useResourceSession } from '../hooks/useResourceSession.js';
import { monaco, newModelUri, setModelSchema, unicodeHighlight } from '../monaco/monaco.js';
import { PairEditor } from '../monaco/pair-editor.js';
import { EMPTY_SESSION_SNAPSHOT } from '../state/editing-session.js';
import { saveBlockReason } from '../state/pair-editing.js';
import { ConflictPanel } from './ConflictPanel.js';
import { SaveConfirmDialog } from './SaveConfirmDialog.js';
import { UpstreamBanner } from './UpstreamBanner.js';

interface ResourceEditorProps {
  tab: EditorTab;
  visible: boolean;
}

const noSubscription = () => () => undefined;
const emptySnapshot = () => EMPTY_SESSION_SNAPSHOT;

/**
 * One open object: its YAML in Monaco, who else is in it and where, field leases, live rebase of
 * upstream changes, conflicts to resolve, and the guarded save.
 */
export function ResourceEditor({ tab, visible }: ResourceEditorProps) {
  const { ref } = tab;
  const key = resourceKey(ref);
  const { client, state: connectionState } = useConnection();
  const session = useResourceSession(ref);
  const schema = useKindSchema(ref.context, ref.group, ref.version, tab.kind);
  const updateDenied = useUpdateDenied(ref);
  const clusterWide = clusterWideNote(useAdmissionMode(ref.context));
  const queryClient = useQueryClient();
  const containerRef = useRef<HTMLDivElement>(null);
  const [pair, setPair] = useState<PairEditor | null>(null);
  const [problems, setProblems] = useState(0);
  const [panelOpen, setPanelOpen] = useState(false);
  const [outsideWrites, setOutsideWrites] = useState<readonly LockBlocked[]>([]);
  // The shell decides what sits beside the editor (the history, for admins).
  const panel = useContext(EditorPanelContext);
  const editing = pair?.session ?? null;
  const snap = useSyncExternalStore(editing?.subscribe ?? noSubscription, editing?.getSnapshot ?? emptySnapshot);

  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    const modelUri = newModelUri(tab.kind, ref.name);
    // A schema already fetched (the resource list prefetches it) is set before the model exists, so
    // the yaml worker starts once with it instead of starting without it and restarting.
    const known = queryClient.getQueryData(kindSchemaQuery(ref.context, ref.group, ref.version, tab.kind).queryKey);
    if (known !== undefined) setModelSchema(modelUri, { uri: schema.uri, schema: known });
    const model = monaco.editor.createModel('', 'yaml', modelUri);
    const editor = monaco.editor.create(container, {
      model,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      tabSize: 2,
      fixedOverflowWidgets: true,
      unicodeHighlight,
    });
    const created = new PairEditor(editor, model, client, ref);
    setPair(created);
    const countProblems = () => setProblems(monaco.editor.getModelMarkers({ resource: model.uri }).filter((m) => m.severity >= monaco.MarkerSeverity.Warning).length);
    const markerListener = monaco.editor.onDidChangeMarkers((uris) => {
      if (uris.some((uri) => uri.toString() === model.uri.toString())) countProblems();
    });
    return () => {
      markerListener.dispose();
      created.dispose();
      setModelSchema(model.uri, null);
      editor.dispose();
      model.dispose();
      setPair(null);
    };
    // One editor per tab: `ref` is identified by `key`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tab.kind, key, client]);

  // Presence, leases and context removal arrive as pushes; each is about one resource or context.
  useEffect(() => {
    if (editing === null) return;
    const stops = [
      client.on('presence:changed', (event) => {
        if (resourceKey(event.ref) === key) editing.presenceChanged(applyPresenceChange(editing.getSnapshot().sessions, event));
      }),
      client.on('lock:changed', (event) => {
        if (resourceKey(event.ref) === key) editing.leaseChanged(event);
      }),
      // The cluster's admission webhook stopped (or warned about) a write to a field this tab holds.
      client.on('lock:blocked', (event) => {
        if (resourceKey(event.ref) === key && editing.getSnapshot().ownLeases.includes(event.path)) setOutsideWrites((shown) => [...shown.slice(-2), event]);
      }),
      client.onState((state) => {
        if (state !== 'connected') editing.connectionLost();
      }),
      client.on('contexts:changed', (event) => editing.setContextRemoved(!event.contexts.some((c) => c.name === ref.context))),
    ];
    return () => stops.forEach((stop) => stop());
  }, [editing, client, key, ref.context]);

  const joined = session.phase === 'joined' ? session.joined : null;
  const lastChange = session.phase === 'joined' ? session.lastChange : null;

  useEffect(() => {
    if (editing === null || joined === null) return;
    editing.joined(joined.object, joined.resourceVersion, joined.presence, joined.leases);
  }, [editing, joined]);

  useEffect(() => {
    if (editing !== null && lastChange !== null) editing.upstreamChanged(lastChange);
  }, [editing, lastChange]);

  useEffect(() => {
    if (pair === null) return;
    setModelSchema(pair.model.uri, schema.data ? { uri: schema.uri, schema: schema.data } : null);
  }, [pair, schema.data, schema.uri]);

  // The cluster's RBAC first: no edit of this user's would be accepted, whatever the text.
  const blocked =
    updateDenied ??
    saveBlockReason({
      readOnly: snap.readOnly,
      connected: connectionState === 'connected',
      conflicts: snap.conflict?.result.conflicts.length ?? 0,
      behind: snap.behind !== null,
      parsed: snap.parsed,
      base: snap.base,
      saving: snap.saving,
    });
  const avatars = avatarsOf(snap.sessions, client.id);
  const upstreamWho = snap.conflict ? `${snap.conflict.theirs.by ?? 'someone'} (rv ${snap.conflict.theirs.resourceVersion})` : '';

  return (
    <section className="resource-editor" hidden={!visible} data-testid="editor-panel" data-active={visible} data-readonly={snap.readOnly} aria-label={`${tab.kind} ${ref.name}`}>
      <header className="editor-toolbar">
        <strong>
          {tab.kind} {ref.namespace ? `${ref.namespace}/` : ''}
          {ref.name}
        </strong>
        <span className="muted">{ref.context}</span>
        {snap.baseResourceVersion !== null && (
          <span className="muted" data-testid="base-resource-version" title="The version your text is based on">
            rv {snap.baseResourceVersion}
          </span>
        )}
        <span className={problems > 0 ? 'notice-error' : 'muted'} data-testid="problem-count">
          {problems === 0 ? 'No problems' : `${problems} problem${problems === 1 ? '' : 's'}`}
        </span>
        {schema.error && (
          <span className="notice-warning" data-testid="schema-error" title={schema.error.message}>
            No schema for {tab.kind}: checking YAML syntax only
          </span>
        )}
        <span className="header-spacer" />
        {panel !== null && (
          <button type="button" data-testid={`${panel.testId}-toggle`} aria-pressed={panelOpen} onClick={() => setPanelOpen(!panelOpen)}>
            {panel.label}
          </button>
        )}
        <span className="presence-avatars" data-testid="presence-avatars" aria-label="Who has this open">
          {avatars.map((a) => (
            <Avatar key={a.user} user={a.user} color={a.color} idle={a.idle} self={a.self} {...(a.field !== undefined ? { field: a.field } : {})} />
          ))}
        </span>
      </header>
      <div className="save-bar">
        <button type="button" className="primary" data-testid="save-button" disabled={blocked !== null} title={blocked ?? 'Review the changes, then write them to the cluster (Ctrl/Cmd+S)'} onClick={() => editing?.requestSave()}>
          Save
        </button>
        <button type="button" data-testid="validate-button" disabled={blocked !== null} title={blocked ?? 'Ask the cluster whether it would accept this (dry run)'} onClick={() => void pair?.save(true)}>
          Validate
        </button>
        {blocked !== null && (
          <span className="muted" data-testid="save-disabled-reason">
            {blocked}
          </span>
        )}
        {snap.ownLeases.length > 0 && (
          <span className="muted" data-testid="own-leases" data-cluster-wide={clusterWide !== ''} title="Fields you hold while you edit them; others cannot change them meanwhile">
            You are editing {snap.ownLeases.join(', ')}
            {clusterWide !== '' && ` (${clusterWide})`}
          </span>
        )}
      </div>
      {outsideWrites.map((write) => (
        <p key={`${write.at}-${write.token}-${write.requester}`} role="status" className="notice notice-warning" data-testid="outside-write-blocked" data-user={write.requester} data-path={write.path}>
          {outsideWriteMessage(write)}{' '}
          <button type="button" onClick={() => setOutsideWrites((shown) => shown.filter((other) => other !== write))}>
            Dismiss
          </button>
        </p>
      ))}
      {snap.readOnly && (
        <p role="alert" className="notice notice-warning readonly-banner" data-testid="editor-readonly-banner">
          The context {ref.context} was removed from the kubeconfig: this editor is read-only. Your text stays here so you can copy it.
        </p>
      )}
      {snap.outcome !== null &&
        (snap.outcome.kind === 'error' ? (
          <p role="alert" className="notice notice-error save-error" data-testid="save-error">
            {snap.outcome.message}
          </p>
        ) : (
          <p role="status" className="notice save-notice" data-testid="save-notice" data-kind={snap.outcome.kind}>
            {snap.outcome.message}
          </p>
        ))}
      {snap.refused !== null && (
        <p role="alert" className="notice notice-error edit-refused" data-testid="edit-refused">
          {snap.refused}
        </p>
      )}
      {snap.behind !== null && (
        <p className="notice notice-warning" data-testid="rebase-waiting">
          {snap.behind}
        </p>
      )}
      {snap.locks.length > 0 && (
        <ul className="lock-list" aria-label="Fields others are editing">
          {snap.locks.map(({ lease }) => (
            <li key={`${lease.path}-${lease.token}`} data-testid="lock-decoration" data-path={lease.path} data-user={lease.owner} title={`locked by ${lease.owner}`}>
              <span className="lock-swatch" style={{ background: snap.sessions.find((s) => s.user === lease.owner)?.color ?? '#808080' }} aria-hidden="true" />
              {lease.path} — locked by {lease.owner}
              {clusterWide !== '' && ` (${clusterWide})`}
            </li>
          ))}
        </ul>
      )}
      {session.phase === 'joining' && (
        <p className="notice" data-testid="editor-loading">
          Opening {ref.name}…
        </p>
      )}
      {session.phase === 'failed' && !snap.readOnly && (
        <p role="alert" className="notice notice-error" data-testid="editor-error">
          Could not open {ref.name}: {session.error}
        </p>
      )}
      {snap.upstream && <UpstreamBanner change={snap.upstream.change} keptLocalEdits={snap.upstream.keptLocalEdits} onDismiss={() => editing?.dismissUpstream()} />}
      {snap.conflict !== null && editing !== null && (
        <ConflictPanel
          result={snap.conflict.result}
          upstream={upstreamWho}
          choices={snap.choices}
          onChoose={(path, choice) => editing.choose(path, choice)}
          onApply={() => editing.applyResolution()}
          theirsText={snap.conflict.theirsText}
          mineText={snap.conflict.mineText}
        />
      )}
      <div className="monaco-host" ref={containerRef} data-testid="monaco-host" />
      {panel !== null && panelOpen && <panel.Panel target={ref} object={editing} />}
      {snap.confirm !== null && snap.baseResourceVersion !== null && pair !== null && (
        <SaveConfirmDialog
          baseText={snap.confirm.baseText}
          editedText={snap.confirm.editedText}
          baseResourceVersion={snap.baseResourceVersion}
          onConfirm={() => void pair.save(false)}
          onCancel={() => pair.session.cancelSave()}
        />
      )}
    </section>
  );
}
