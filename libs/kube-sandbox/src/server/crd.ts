/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1): a stored CRD makes the sandbox serve its
 * custom resources at every served version, with the subresources it declares, as a real API
 * server's apiextensions controllers do.
 */
import { isRecord, kubeTime, metadataOf, stringField, type KubeObject } from './object.js';
import type { ResourceRegistry, ResourceType, ScaleSubresource } from './resources.js';
import { invalid } from './status.js';

export const CRD_GROUP = 'apiextensions.k8s.io';

const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The resource types a CRD defines: one per served version. */
export function crdTypes(crd: KubeObject): ResourceType[] {
  const spec = record(crd['spec']);
  const names = record(spec['names']);
  const group = stringField(spec, 'group') ?? '';
  const kind = stringField(names, 'kind') ?? '';
  const plural = stringField(names, 'plural') ?? '';
  const definition = String(metadataOf(crd)['name']);
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isRecord) : [];
  return versions
    .filter((version) => version['served'] !== false)
    .map((version) => {
      const subresources = record(version['subresources']);
      const scale = isRecord(subresources['scale']) ? subresources['scale'] : undefined;
      const scaleSubresource: ScaleSubresource | undefined =
        scale === undefined
          ? undefined
          : {
              specReplicasPath: stringField(scale, 'specReplicasPath') ?? '.spec.replicas',
              statusReplicasPath: stringField(scale, 'statusReplicasPath') ?? '.status.replicas',
              ...(stringField(scale, 'labelSelectorPath') !== undefined ? { labelSelectorPath: stringField(scale, 'labelSelectorPath') as string } : {}),
            };
      const schema = record(version['schema'])['openAPIV3Schema'];
      return {
        group,
        version: stringField(version, 'name') ?? '',
        name: plural,
        singularName: stringField(names, 'singular') ?? kind.toLowerCase(),
        kind,
        namespaced: spec['scope'] !== 'Cluster',
        shortNames: strings(names['shortNames']),
        categories: strings(names['categories']),
        hasStatus: isRecord(subresources['status']),
        hasSpec: true,
        ...(scaleSubresource !== undefined ? { scale: scaleSubresource } : {}),
        custom: { definition, ...(isRecord(schema) ? { schema } : {}) },
      };
    });
}

/** Refuses a CRD the API server would refuse for what the sandbox relies on: its name, group, names and versions. */
export function checkCrd(type: ResourceType, crd: KubeObject, name: string, registry: ResourceRegistry): void {
  const spec = record(crd['spec']);
  const names = record(spec['names']);
  const group = stringField(spec, 'group') ?? '';
  const plural = stringField(names, 'plural') ?? '';
  const causes: { field: string; message: string }[] = [];
  if (name !== `${plural}.${group}`) causes.push({ field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: must be spec.names.plural+"."+spec.group` });
  if (group === '' || !group.includes('.')) causes.push({ field: 'spec.group', message: `Invalid value: ${JSON.stringify(group)}: should be a domain with at least one dot` });
  if (stringField(names, 'kind') === undefined) causes.push({ field: 'spec.names.kind', message: 'Required value' });
  if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') causes.push({ field: 'spec.scope', message: `Unsupported value: ${JSON.stringify(spec['scope'] ?? '')}: supported values: "Cluster", "Namespaced"` });
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isRecord) : [];
  if (versions.length === 0) causes.push({ field: 'spec.versions', message: 'Invalid value: null: must have exactly one version marked as storage version' });
  else if (versions.filter((v) => v['storage'] === true).length !== 1) causes.push({ field: 'spec.versions', message: 'Invalid value: []apiextensions.CustomResourceDefinitionVersion: must have exactly one version marked as storage version' });
  const taken = registry.all().find((t) => t.group === group && t.name === plural && t.custom?.definition !== name);
  if (taken !== undefined) causes.push({ field: 'spec.names.plural', message: `Invalid value: ${JSON.stringify(plural)}: is already served` });
  if (causes.length > 0) throw invalid(type, name, causes);
}

/** The status the API server's naming and establishing controllers give an accepted CRD. */
export function crdStatus(crd: KubeObject, previous?: unknown): Record<string, unknown> {
  const spec = record(crd['spec']);
  const names = record(spec['names']);
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isRecord) : [];
  const storage = versions.find((v) => v['storage'] === true);
  const before = record(previous);
  const stored = new Set([...strings(before['storedVersions']), ...(storage !== undefined ? [String(storage['name'])] : [])]);
  const oldConditions = Array.isArray(before['conditions']) ? before['conditions'].filter(isRecord) : [];
  const condition = (type: string, reason: string, message: string): Record<string, unknown> => ({
    type,
    status: 'True',
    lastTransitionTime: oldConditions.find((c) => c['type'] === type)?.['lastTransitionTime'] ?? kubeTime(),
    reason,
    message,
  });
  const acceptedNames: Record<string, unknown> = { plural: names['plural'], singular: names['singular'] ?? String(names['kind'] ?? '').toLowerCase(), kind: names['kind'] };
  for (const key of ['shortNames', 'listKind', 'categories']) if (names[key] !== undefined) acceptedNames[key] = names[key];
  if (acceptedNames['listKind'] === undefined) acceptedNames['listKind'] = `${String(names['kind'] ?? '')}List`;
  return {
    conditions: [condition('NamesAccepted', 'NoConflicts', 'no conflicts found'), condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
    acceptedNames,
    storedVersions: [...stored],
  };
}
