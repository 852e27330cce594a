/**
 * Turns a cluster's OpenAPI v3 group-version document into a self-contained JSON Schema for one
 * kind, the form editors (Monaco's JSON/YAML language services) validate and complete with.
 */

type JsonSchemaNode = unknown;

export interface KindSchema {
  readonly $schema: string;
  readonly definitions: Record<string, JsonSchemaNode>;
  readonly [key: string]: unknown;
}

const COMPONENT_REF = '#/components/schemas/';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** True when a schema is tagged as this kind (`x-kubernetes-group-version-kind`, a list or a single entry). */
function isTaggedAs(schema: Record<string, unknown>, wanted: GroupVersionKind): boolean {
  const tag = schema['x-kubernetes-group-version-kind'];
  const tags: unknown[] = Array.isArray(tag) ? tag : [tag];
  return tags.some((entry) => isRecord(entry) && entry['kind'] === wanted.kind && entry['version'] === wanted.version && (entry['group'] ?? '') === wanted.group);
}

/** Copies a schema node with every `#/components/schemas/X` reference pointed at `#/definitions/X`, collecting the names. */
function rewriteRefs(node: JsonSchemaNode, referenced: Set<string>): JsonSchemaNode {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, referenced));
  if (!isRecord(node)) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) {
      const name = decodeURIComponent(value.slice(COMPONENT_REF.length));
      referenced.add(name);
      copy[key] = `#/definitions/${encodeURIComponent(name)}`;
    } else {
      copy[key] = rewriteRefs(value, referenced);
    }
  }
  return copy;
}

/**
 * The JSON Schema (draft-07) of one kind from an OpenAPI v3 document, with every schema it
 * references (transitively) under `definitions`; undefined when the document has no such kind.
 * `group` is `''` (or `core`) for the core group.
 */
export function kindSchema(document: unknown, gvk: GroupVersionKind): KindSchema | undefined {
  const wanted = { ...gvk, group: gvk.group === 'core' ? '' : gvk.group };
  const components = isRecord(document) && isRecord(document['components']) ? document['components']['schemas'] : undefined;
  if (!isRecord(components)) return undefined;
  const rootName = Object.keys(components).find((name) => {
    const schema = components[name];
    return isRecord(schema) && isTaggedAs(schema, wanted);
  });
  if (rootName === undefined) return undefined;
  const referenced = new Set<string>();
  const root = rewriteRefs(components[rootName], referenced) as Record<string, unknown>;
  const definitions: Record<string, JsonSchemaNode> = {};
  const queue = [...referenced];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (Object.hasOwn(definitions, name)) continue;
    const found = new Set<string>();
    // A dangling reference stays resolvable (as "anything") rather than breaking the whole schema.
    definitions[name] = Object.hasOwn(components, name) ? rewriteRefs(components[name], found) : {};
    for (const next of found) if (!Object.hasOwn(definitions, next)) queue.push(next);
  }
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: rootName, ...root, definitions };
}
