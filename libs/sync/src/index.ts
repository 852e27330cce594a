/**
 * @tandem/sync: the pure TypeScript core shared by the browser and the gateway.
 * No Node APIs and no I/O here (lint enforces it).
 */
export * from './field-path.js';
export * from './k8s-schema.js';
export * from './json.js';
export * from './resource-ref.js';
export * from './diff.js';
export * from './apply.js';
export * from './rebase.js';
export * from './redact.js';
export * from './events.js';
export { indexYaml, pathAt, rangeOf, rangeInIndex, offsetToPosition, positionToOffset, type TextRange, type TextPosition, type YamlIndex } from './yaml-paths.js';
export { textEdits, applyTextEdits, type TextEdit, type TextEditOptions } from './text-edits.js';
export * from './protocol/protocol.js';
export * from './protocol/error-details.js';
export * from './protocol/limits.js';
export * from './protocol/lease-rules.js';
export * from './protocol/lease-book.js';
export * from './protocol/history.js';
