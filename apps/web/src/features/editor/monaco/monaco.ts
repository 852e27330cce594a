/**
 * The one Monaco instance of the app: the core editor API and only the YAML language (no
 * TypeScript/CSS/HTML/JSON workers), plus monaco-yaml for validation and schema-driven completion.
 *
 * The contributions are editor.all.js's minus those nothing here feeds: no provider for YAML
 * registers colours, code lenses (monaco-yaml's are off), inlay hints, inline completions or edits,
 * signature help, semantic tokens or linked editing, and section headers show only in the minimap,
 * which is off. Each contribution is evaluated once and instantiated for every editor.
 */
import 'monaco-editor/esm/vs/editor/browser/coreCommands.js';
import 'monaco-editor/esm/vs/editor/browser/widget/codeEditor/codeEditorWidget.js';
import 'monaco-editor/esm/vs/editor/browser/widget/diffEditor/diffEditor.contribution.js';
import 'monaco-editor/esm/vs/editor/contrib/anchorSelect/browser/anchorSelect.js';
import 'monaco-editor/esm/vs/editor/contrib/bracketMatching/browser/bracketMatching.js';
import 'monaco-editor/esm/vs/editor/contrib/caretOperations/browser/caretOperations.js';
import 'monaco-editor/esm/vs/editor/contrib/caretOperations/browser/transpose.js';
import 'monaco-editor/esm/vs/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor/esm/vs/editor/contrib/codeAction/browser/codeActionContributions.js';
import 'monaco-editor/esm/vs/editor/contrib/comment/browser/comment.js';
import 'monaco-editor/esm/vs/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/esm/vs/editor/contrib/cursorUndo/browser/cursorUndo.js';
import 'monaco-editor/esm/vs/editor/contrib/dnd/browser/dnd.js';
import 'monaco-editor/esm/vs/editor/contrib/dropOrPasteInto/browser/copyPasteContribution.js';
import 'monaco-editor/esm/vs/editor/contrib/dropOrPasteInto/browser/dropIntoEditorContribution.js';
import 'monaco-editor/esm/vs/editor/contrib/find/browser/findController.js';
import 'monaco-editor/esm/vs/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/esm/vs/editor/contrib/fontZoom/browser/fontZoom.js';
import 'monaco-editor/esm/vs/editor/contrib/format/browser/formatActions.js';
import 'monaco-editor/esm/vs/editor/contrib/documentSymbols/browser/documentSymbols.js';
import 'monaco-editor/esm/vs/editor/contrib/gotoSymbol/browser/goToCommands.js';
import 'monaco-editor/esm/vs/editor/contrib/gotoSymbol/browser/link/goToDefinitionAtPosition.js';
import 'monaco-editor/esm/vs/editor/contrib/gotoError/browser/gotoError.js';
import 'monaco-editor/esm/vs/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/esm/vs/editor/contrib/indentation/browser/indentation.js';
import 'monaco-editor/esm/vs/editor/contrib/inlineProgress/browser/inlineProgress.js';
import 'monaco-editor/esm/vs/editor/contrib/inPlaceReplace/browser/inPlaceReplace.js';
import 'monaco-editor/esm/vs/editor/contrib/lineSelection/browser/lineSelection.js';
import 'monaco-editor/esm/vs/editor/contrib/linesOperations/browser/linesOperations.js';
import 'monaco-editor/esm/vs/editor/contrib/links/browser/links.js';
import 'monaco-editor/esm/vs/editor/contrib/longLinesHelper/browser/longLinesHelper.js';
import 'monaco-editor/esm/vs/editor/contrib/multicursor/browser/multicursor.js';
import 'monaco-editor/esm/vs/editor/contrib/placeholderText/browser/placeholderText.contribution.js';
import 'monaco-editor/esm/vs/editor/contrib/rename/browser/rename.js';
import 'monaco-editor/esm/vs/editor/contrib/smartSelect/browser/smartSelect.js';
import 'monaco-editor/esm/vs/editor/contrib/snippet/browser/snippetController2.js';
import 'monaco-editor/esm/vs/editor/contrib/stickyScroll/browser/stickyScrollContribution.js';
import 'monaco-editor/esm/vs/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/esm/vs/editor/contrib/tokenization/browser/tokenization.js';
import 'monaco-editor/esm/vs/editor/contrib/toggleTabFocusMode/browser/toggleTabFocusMode.js';
import 'monaco-editor/esm/vs/editor/contrib/unicodeHighlighter/browser/unicodeHighlighter.js';
import 'monaco-editor/esm/vs/editor/contrib/unusualLineTerminators/browser/unusualLineTerminators.js';
import 'monaco-editor/esm/vs/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import 'monaco-editor/esm/vs/editor/contrib/wordOperations/browser/wordOperations.js';
import 'monaco-editor/esm/vs/editor/contrib/wordPartOperations/browser/wordPartOperations.js';
import 'monaco-editor/esm/vs/editor/contrib/readOnlyMessage/browser/contribution.js';
import 'monaco-editor/esm/vs/editor/common/standaloneStrings.js';
import 'monaco-editor/esm/vs/base/browser/ui/codicons/codiconStyles.js';
import 'monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution.js';
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import { configureMonacoYaml, type JSONSchema, type SchemasSettings } from 'monaco-yaml';

export { monaco };

/**
 * Characters common in these locales are not highlighted as ambiguous. Monaco's default asks ICU
 * for the OS locale (`new Intl.NumberFormat()`, 10-30 ms on its first use, as the first editor
 * opens); the browser's language gives the same answer at no cost.
 */
export const unicodeHighlight: monaco.editor.IUnicodeHighlightOptions = {
  allowedLocales: { _vscode: true, [navigator.language]: true },
};

const monacoYaml = configureMonacoYaml(monaco, {
  validate: true,
  completion: true,
  hover: true,
  format: { enable: false },
  enableSchemaRequest: false,
  schemas: [],
});

const schemasByModel = new Map<string, SchemasSettings>();

function publishSchemas(): void {
  void monacoYaml.update({ ...monacoYaml.getOptions(), schemas: [...schemasByModel.values()] });
}

/**
 * Validates and completes the model at `modelUri` against a kind's JSON Schema (or stops, with
 * `null`). monaco-yaml restarts its worker on every change of the schema list, so an unchanged
 * schema changes nothing, and a schema set before the model exists reaches the worker's first start.
 */
export function setModelSchema(modelUri: monaco.Uri, schema: { uri: string; schema: JSONSchema } | null): void {
  const key = modelUri.toString();
  const current = schemasByModel.get(key);
  if (schema === null) {
    if (current === undefined) return;
    schemasByModel.delete(key);
  } else {
    if (current?.uri === schema.uri && current.schema === schema.schema) return;
    schemasByModel.set(key, { fileMatch: [key], uri: schema.uri, schema: schema.schema });
  }
  publishSchemas();
}

let modelCounter = 0;

/** A fresh model URI per tab; monaco-yaml matches schemas to models by this exact URI. */
export function newModelUri(kind: string, name: string): monaco.Uri {
  modelCounter += 1;
  const safe = `${kind}-${name}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return monaco.Uri.parse(`file:///tandem/${modelCounter}/${safe}.yaml`);
}
