/**
 * The one Monaco instance of the app: the core editor API with its standard contributions and only
 * the YAML language (no TypeScript/CSS/HTML/JSON workers), plus monaco-yaml for validation and
 * schema-driven completion.
 */
import 'monaco-editor/esm/vs/editor/editor.all.js';
import 'monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution.js';
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import { configureMonacoYaml, type JSONSchema, type SchemasSettings } from 'monaco-yaml';

export { monaco };

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

/** Validates and completes one editor model against a kind's JSON Schema (or stops, with `null`). */
export function setModelSchema(model: monaco.editor.ITextModel, schema: { uri: string; schema: JSONSchema } | null): void {
  const modelUri = model.uri.toString();
  if (schema === null) schemasByModel.delete(modelUri);
  else schemasByModel.set(modelUri, { fileMatch: [modelUri], uri: schema.uri, schema: schema.schema });
  publishSchemas();
}

let modelCounter = 0;

/** A fresh model URI per tab; monaco-yaml matches schemas to models by this exact URI. */
export function newModelUri(kind: string, name: string): monaco.Uri {
  modelCounter += 1;
  const safe = `${kind}-${name}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return monaco.Uri.parse(`file:///tandem/${modelCounter}/${safe}.yaml`);
}
