import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import YamlWorker from './yaml.worker.ts?worker';

/**
 * Monaco asks `self.MonacoEnvironment.getWorker` (`window` here) for its web workers the moment the first editor
 * or model exists, so this must run before the first render; without it Monaco would fetch
 * workers from a URL (a CDN in its docs), which fails offline and breaks validation silently.
 * The workers are bundled by Vite (`?worker`), so everything is served by the gateway itself.
 */
window.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === 'yaml') return new YamlWorker();
    return new EditorWorker();
  },
};
