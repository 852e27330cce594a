import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPath, childPath, FieldPathSyntaxError, formatPath, isAncestor, item, key, order, overlaps, parsePath, type PathSegment } from './field-path.js';
import { keyChildPath } from './diff.js';
import { fieldShape, isKeyedList, mergeKeyOf, shapeOfKind, shapeOfObject } from './k8s-schema.js';

const arbText = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('name', 'example.com/owner', '$order', 'true', 'null', '80', 'a b', '"]', 'x[y]'));
const arbItemValue = fc.oneof(
  arbText,
  fc.integer(),
  // -0 and 0 name the same list item (isKeyedList treats them as one key), so -0 is not a distinct path.
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
);
const arbSegment: fc.Arbitrary<PathSegment> = fc.oneof(
  { arbitrary: arbText.map(key), weight: 3 },
  { arbitrary: fc.tuple(fc.oneof(fc.constantFrom('name', 'containerPort', 'mountPath'), arbText), arbItemValue).map(([k, v]) => item(k, v)), weight: 2 },
);
const arbSegments = fc.tuple(fc.array(arbSegment, { maxLength: 6 }), fc.boolean()).map(([segments, ordered]) => (ordered && segments.length > 0 ? [...segments, order()] : segments));

describe('field paths', () => {
  it.each([
    ['spec.replicas', [key('spec'), key('replicas')]],
    ['spec.template.spec.containers[name=web].image', [key('spec'), key('template'), key('spec'), key('containers'), item('name', 'web'), key('image')]],
    ['spec.containers[name=web].ports[containerPort=8080].protocol', [key('spec'), key('containers'), item('name', 'web'), key('ports'), item('containerPort', 8080), key('protocol')]],
    ['metadata.annotations["example.com/owner"]', [key('metadata'), key('annotations'), key('example.com/owner')]],
    ['spec.template.spec.containers[$order]', [key('spec'), key('template'), key('spec'), key('containers'), order()]],
    ['spec.ports[port="80"]', [key('spec'), key('ports'), item('port', '80')]],
    ['spec.volumes[name=data].emptyDir', [key('spec'), key('volumes'), item('name', 'data'), key('emptyDir')]],
    ['x[mountPath="/mnt/data"]', [key('x'), item('mountPath', '/mnt/data')]],
    ['list["merge key"=web]', [key('list'), item('merge key', 'web')]],
    ['["a.b"].c', [key('a.b'), key('c')]],
  ])('reads and writes %s', (text, segments) => {
    expect(parsePath(text)).toEqual(segments);
    expect(formatPath(segments)).toBe(text);
  });

  it('writes every generated path so that it reads back to the same segments', () => {
    fc.assert(
      fc.property(arbSegments, (segments) => {
        const text = formatPath(segments);
        expect(parsePath(text)).toEqual(segments);
        expect(formatPath(parsePath(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('calls a path an ancestor exactly when its segments are a proper prefix, which is its string followed by "." or "["', () => {
    fc.assert(
      fc.property(arbSegments, fc.array(arbSegment, { maxLength: 3 }), fc.nat(8), (segments, extra, cut) => {
        const descendant = [...segments.filter((s) => s.type !== 'order'), ...extra];
        const ancestor = descendant.slice(0, Math.min(cut, descendant.length));
        const a = formatPath(ancestor);
        const d = formatPath(descendant);
        const bySegments = ancestor.length < descendant.length;
        const byString = a !== d && d.startsWith(a) && (a === '' || d[a.length] === '.' || d[a.length] === '[');
        expect(isAncestor(a, d)).toBe(bySegments);
        expect(isAncestor(a, d)).toBe(byString);
        // And for unrelated paths, the string rule still agrees with the segment rule.
        const other = formatPath(segments);
        const isPrefix = parsePath(other).length < descendant.length && formatPath(descendant.slice(0, parsePath(other).length)) === other;
        expect(isAncestor(other, d)).toBe(isPrefix);
      }),
      { numRuns: 1000 },
    );
  });

  it('builds child paths like formatPath does, quoting keys with dots and slashes', () => {
    fc.assert(
      fc.property(arbSegments, arbText, (segments, k) => {
        const parent = formatPath(segments.filter((s) => s.type !== 'order'));
        expect(keyChildPath(parent, k)).toBe(childPath(parent, key(k)));
        expect(parsePath(keyChildPath(parent, k)).at(-1)).toEqual(key(k));
      }),
      { numRuns: 500 },
    );
  });

  it('treats a field and its descendants as overlapping, siblings and keyed-list order as not', () => {
    expect(overlaps('metadata.annotations', 'metadata.annotations["example.com/owner"]')).toBe(true);
    expect(overlaps('spec.replicas', 'spec.replicas')).toBe(true);
    expect(overlaps('metadata.labels', 'metadata.annotations')).toBe(false);
    expect(overlaps('spec.template', 'spec.templates')).toBe(false);
    expect(overlaps('spec.containers[$order]', 'spec.containers[name=web].image')).toBe(false);
    expect(overlaps('', 'spec')).toBe(true);
  });

  it.each([
    ['.spec', 'a path cannot start with a dot'],
    ['spec..replicas', 'expected a name'],
    ['spec[name=web', "expected ']'"],
    ['spec["unterminated', 'unterminated string'],
    ['spec[$order].image', '[$order] must be the last segment'],
    ['spec[name]', "expected '=' after the merge key"],
  ])('rejects %s with a positioned error', (text, reason) => {
    expect(() => parsePath(text)).toThrow(FieldPathSyntaxError);
    expect(() => parsePath(text)).toThrow(reason);
  });

  it('normalizes equivalent spellings to one canonical string', () => {
    expect(canonicalPath('metadata["labels"]["app"]')).toBe('metadata.labels.app');
    expect(canonicalPath('spec.ports[port=80]')).toBe('spec.ports[port=80]');
  });
});

describe('k8s schema', () => {
  it('knows the merge keys of pod template lists in a Deployment', () => {
    const deployment = shapeOfKind('apps/v1', 'Deployment');
    const podSpec = fieldShape(fieldShape(fieldShape(deployment, 'spec'), 'template'), 'spec');
    expect(mergeKeyOf(fieldShape(podSpec, 'containers'))).toBe('name');
    expect(mergeKeyOf(fieldShape(podSpec, 'volumes'))).toBe('name');
    expect(mergeKeyOf(fieldShape(podSpec, 'tolerations'))).toBeUndefined();
  });

  it('treats a field named like an Object.prototype member as unknown data', () => {
    expect(fieldShape(shapeOfObject({ apiVersion: 'v1', kind: 'ConfigMap' }), 'constructor')).toBeUndefined();
    expect(fieldShape(shapeOfKind('apps/v1', 'Deployment'), 'toString')).toBeUndefined();
  });

  it('falls back to atomic for keyed lists with repeated or missing keys', () => {
    expect(isKeyedList([{ name: 'a' }, { name: 'b' }], 'name')).toBe(true);
    expect(isKeyedList([{ name: 'a' }, { name: 'a' }], 'name')).toBe(false);
    expect(isKeyedList([{ image: 'x' }], 'name')).toBe(false);
    expect(isKeyedList([{ port: 80 }, { port: '80' }], 'port')).toBe(true);
  });
});
