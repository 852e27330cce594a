import { isJsonObject, offsetToPosition, textEdits, type JsonObject, type ResourceChanged } from '@tandem/sync';
import { useEffect, useRef, useState } from 'react';
import type { EditorTab } from '../../../state/ui-store.js';
import { useKindSchema } from '../hooks/useKindSchema.js';
import { useResourceSession } from '../hooks/useResourceSession.js';
import { monaco, newModelUri, setModelSchema } from '../monaco/monaco.js';
import { editorViewOf, editorYamlOf } from '../state/editor-view.js';
import { UpstreamBanner } from './UpstreamBanner.js';

interface ResourceEditorProps {
  tab: EditorTab;
  visible: boolean;
}

interface BannerState {
  change: ResourceChanged;
  keptLocalEdits: boolean;
}

/** One open object: its YAML in Monaco, the version the text is based on, and upstream changes. */
export function ResourceEditor({ tab, visible }: ResourceEditorProps) {
  const { ref } = tab;
  const session = useResourceSession(ref);
  const schema = useKindSchema(ref.context, ref.group, ref.version, tab.kind);
  const containerRef = useRef<HTMLDivElement>(null);
  const modelRef = useRef<monaco.editor.ITextModel | null>(null);
  // The model's alternative version id when its text last equalled a server version: anything else is an unsaved edit.
  const cleanVersionRef = useRef(0);
  // The server object the clean text shows: live updates of a clean editor are computed from it.
  const cleanObjectRef = useRef<JsonObject | null>(null);
  const [baseResourceVersion, setBaseResourceVersion] = useState<string | null>(null);
  const [banner, setBanner] = useState<BannerState | null>(null);
  const [problems, setProblems] = useState(0);

  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    const model = monaco.editor.createModel('', 'yaml', newModelUri(tab.kind, ref.name));
    modelRef.current = model;
    const editor = monaco.editor.create(container, {
      model,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      tabSize: 2,
      fixedOverflowWidgets: true,
    });
    const countProblems = () => setProblems(monaco.editor.getModelMarkers({ resource: model.uri }).filter((m) => m.severity >= monaco.MarkerSeverity.Warning).length);
    const markerListener = monaco.editor.onDidChangeMarkers((uris) => {
      if (uris.some((uri) => uri.toString() === model.uri.toString())) countProblems();
    });
    return () => {
      markerListener.dispose();
      setModelSchema(model, null);
      editor.dispose();
      model.dispose();
      modelRef.current = null;
    };
  }, [tab.kind, ref.name]);

  const joined = session.phase === 'joined' ? session.joined : null;
  const lastChange = session.phase === 'joined' ? session.lastChange : null;

  useEffect(() => {
    const model = modelRef.current;
    if (model === null || joined === null) return;
    // A re-join after a reconnect must not overwrite unsaved text; it stays based on its old version.
    if (cleanObjectRef.current !== null && model.getAlternativeVersionId() !== cleanVersionRef.current) return;
    model.setValue(editorYamlOf(joined.object));
    cleanVersionRef.current = model.getAlternativeVersionId();
    cleanObjectRef.current = joined.object;
    setBaseResourceVersion(joined.resourceVersion);
  }, [joined]);

  useEffect(() => {
    const model = modelRef.current;
    const cleanObject = cleanObjectRef.current;
    if (model === null || lastChange === null || cleanObject === null) return;
    const dirty = model.getAlternativeVersionId() !== cleanVersionRef.current;
    if (!dirty && lastChange.object !== undefined && isJsonObject(lastChange.object)) {
      // Nothing to lose: show the new version through minimal edits so the cursor and scroll stay put.
      const text = model.getValue();
      const edits = textEdits(text, editorViewOf(cleanObject), editorViewOf(lastChange.object), { verify: true });
      model.pushEditOperations(
        [],
        edits.map((edit) => {
          const start = offsetToPosition(text, edit.range.start);
          const end = offsetToPosition(text, edit.range.end);
          return { range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column), text: edit.text };
        }),
        () => null,
      );
      cleanVersionRef.current = model.getAlternativeVersionId();
      cleanObjectRef.current = lastChange.object;
      setBaseResourceVersion(lastChange.resourceVersion);
    }
    setBanner({ change: lastChange, keptLocalEdits: dirty });
  }, [lastChange]);

  useEffect(() => {
    const model = modelRef.current;
    if (model === null) return;
    setModelSchema(model, schema.data ? { uri: schema.uri, schema: schema.data } : null);
  }, [schema.data, schema.uri]);

  return (
    <section className="resource-editor" hidden={!visible} data-testid="editor-panel" data-active={visible} aria-label={`${tab.kind} ${ref.name}`}>
      <header className="editor-toolbar">
        <strong>
          {tab.kind} {ref.namespace ? `${ref.namespace}/` : ''}
          {ref.name}
        </strong>
        <span className="muted">{ref.context}</span>
        {baseResourceVersion !== null && (
          <span className="muted" data-testid="base-resource-version" title="The version your text is based on">
            rv {baseResourceVersion}
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
      </header>
      {session.phase === 'joining' && (
        <p className="notice" data-testid="editor-loading">
          Opening {ref.name}…
        </p>
      )}
      {session.phase === 'failed' && (
        <p role="alert" className="notice notice-error" data-testid="editor-error">
          Could not open {ref.name}: {session.error}
        </p>
      )}
      {banner && <UpstreamBanner change={banner.change} keptLocalEdits={banner.keptLocalEdits} onDismiss={() => setBanner(null)} />}
      <div className="monaco-host" ref={containerRef} data-testid="monaco-host" />
    </section>
  );
}
