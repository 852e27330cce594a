import { useEffect, useRef } from 'react';
import { monaco, unicodeHighlight } from '../monaco/monaco.js';

interface DiffViewProps {
  original: string;
  modified: string;
  testId: string;
  /** Column titles, e.g. "cluster (rv 12)" and "yours". */
  originalLabel: string;
  modifiedLabel: string;
}

/** A read-only Monaco diff of two YAML texts, side by side. */
export function DiffView({ original, modified, testId, originalLabel, modifiedLabel }: DiffViewProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneDiffEditor | null>(null);

  useEffect(() => {
    const host = hostRef.current;
    if (host === null) return;
    const diff = monaco.editor.createDiffEditor(host, { readOnly: true, originalEditable: false, automaticLayout: true, renderSideBySide: true, minimap: { enabled: false }, scrollBeyondLastLine: false, unicodeHighlight });
    editorRef.current = diff;
    return () => {
      const model = diff.getModel();
      diff.dispose();
      model?.original.dispose();
      model?.modified.dispose();
      editorRef.current = null;
    };
  }, []);

  useEffect(() => {
    const diff = editorRef.current;
    if (diff === null) return;
    const previous = diff.getModel();
    diff.setModel({ original: monaco.editor.createModel(original, 'yaml'), modified: monaco.editor.createModel(modified, 'yaml') });
    previous?.original.dispose();
    previous?.modified.dispose();
  }, [original, modified]);

  return (
    <div className="diff-view" data-testid={testId}>
      <div className="diff-labels">
        <span>{originalLabel}</span>
        <span>{modifiedLabel}</span>
      </div>
      <div className="diff-host" ref={hostRef} />
    </div>
  );
}
