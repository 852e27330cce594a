/**
 * @tandem/sync: the pure TypeScript core shared by the browser and the gateway.
 * No Node APIs and no I/O here (lint enforces it).
 */
export * from './field-path.js';
export * from './k8s-schema.js';
