import { readdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const healthcheckSchema = z.object({ test: z.array(z.string()).min(2) }).loose();
const serviceSchema = z
  .object({
    image: z.string().optional(),
    build: z.union([z.string(), z.object({ context: z.string() }).loose()]).optional(),
    command: z.union([z.string(), z.array(z.string())]).optional(),
    ports: z.array(z.string()).optional(),
    volumes: z.array(z.string()).optional(),
    environment: z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional(),
    depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
    healthcheck: healthcheckSchema.optional(),
  })
  .loose();
const composeSchema = z.object({
  services: z.object({ redis: serviceSchema, 'tandem-1': serviceSchema, 'tandem-2': serviceSchema, lb: serviceSchema }).loose(),
  volumes: z.record(z.string(), z.unknown().nullable()).optional(),
});

type Service = z.infer<typeof serviceSchema>;

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(env.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

function commandOf(service: Service): string {
  return Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
}

describe('docker-compose.yml', () => {
  let compose: z.infer<typeof composeSchema>;

  beforeAll(async () => {
    compose = composeSchema.parse(parse(await readFile(resolve(workspaceRoot, 'docker-compose.yml'), 'utf8')));
  });

  it('runs Redis 7 with append-only persistence on a named volume', () => {
    const redis = compose.services.redis;
    expect(redis.image).toMatch(/^redis:7(\b|$)/);
    expect(commandOf(redis)).toMatch(/--appendonly yes/);
    const mount = redis.volumes?.find((volume) => volume.endsWith(':/data'));
    expect(mount).toBeDefined();
    const volumeName = mount?.split(':')[0] ?? '';
    expect(Object.keys(compose.volumes ?? {})).toContain(volumeName);
  });

  it('health-checks Redis with redis-cli ping', () => {
    expect(compose.services.redis.healthcheck?.test.join(' ')).toMatch(/redis-cli ping/);
  });

  const gateways = () => [compose.services['tandem-1'], compose.services['tandem-2']];

  it('builds two gateways from this repository, published only through the load balancer on loopback port 4280', () => {
    for (const gateway of gateways()) {
      const context = typeof gateway.build === 'string' ? gateway.build : gateway.build?.context;
      expect(context).toBe('.');
      expect(gateway.ports ?? []).toEqual([]);
    }
    expect(compose.services.lb.ports).toEqual(['127.0.0.1:4280:4280']);
  });

  it('points both gateways at the compose Redis with one key prefix, and starts them only once Redis is healthy', () => {
    for (const gateway of gateways()) {
      expect(environmentOf(gateway)['REDIS_URL']).toBe('redis://redis:6379');
      expect(environmentOf(gateway)['TANDEM_REDIS_PREFIX']).toBe('tandem');
      expect(gateway.depends_on?.['redis']?.condition).toBe('service_healthy');
    }
  });

  it('health-checks the gateways on /healthz and starts the load balancer once both are healthy', () => {
    for (const gateway of gateways()) expect(gateway.healthcheck?.test.join(' ')).toMatch(/\/healthz/);
    expect(compose.services.lb.depends_on?.['tandem-1']?.condition).toBe('service_healthy');
    expect(compose.services.lb.depends_on?.['tandem-2']?.condition).toBe('service_healthy');
  });

  it('balances over both gateways with WebSocket upgrade and a sticky choice of gateway per client', async () => {
    const mount = compose.services.lb.volumes?.find((volume) => volume.includes(':/etc/nginx/nginx.conf'));
    expect(mount).toBeDefined();
    const config = await readFile(resolve(workspaceRoot, (mount ?? '').split(':')[0] ?? ''), 'utf8');
    const upstream = /upstream tandem \{([^}]*)\}/.exec(config)?.[1] ?? '';
    expect(upstream).toMatch(/server tandem-1:4280/);
    expect(upstream).toMatch(/server tandem-2:4280/);
    expect(upstream).toMatch(/ip_hash;/);
    const socketIo = /location \/socket\.io\/ \{([^}]*)\}/.exec(config)?.[1] ?? '';
    expect(socketIo).toMatch(/proxy_http_version 1\.1;/);
    expect(socketIo).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(socketIo).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(config).toMatch(/proxy_set_header Host \$http_host;/);
  });
});

describe('Dockerfile', () => {
  let instructions: { keyword: string; args: string }[];

  beforeAll(async () => {
    const text = await readFile(resolve(workspaceRoot, 'Dockerfile'), 'utf8');
    // Join continuation lines, drop comments, split each instruction into keyword and arguments.
    instructions = text
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const [keyword = '', ...rest] = line.split(/\s+/);
        return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
      });
  });

  const of = (keyword: string) => instructions.filter((instruction) => instruction.keyword === keyword);
  /** The instructions of the last stage: what the shipped image is made of. */
  const runtimeStage = () => instructions.slice(instructions.map((i) => i.keyword).lastIndexOf('FROM'));

  it('builds in stages from node:20-bookworm-slim', () => {
    const bases = of('FROM').map((from) => from.args.split(/\s+/)[0]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    expect(bases.every((base) => base === 'node:20-bookworm-slim')).toBe(true);
    expect(of('RUN').some((run) => run.args.includes('npm ci'))).toBe(true);
  });

  it('exposes the gateway port and checks /healthz', () => {
    const runtime = runtimeStage();
    expect(runtime.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).toContain('4280');
    const healthcheck = runtime.find((i) => i.keyword === 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/\/healthz/);
  });

  it('installs every workspace package before npm ci, and ships the built libraries the gateway loads', async () => {
    // npm ci fails when a workspace listed in the lockfile has no package.json in the image.
    const workspaces = (await readdir(resolve(workspaceRoot, 'libs'))).map((name) => `libs/${name}`).concat('apps/api', 'apps/web', 'test');
    const copies = of('COPY').map((copy) => copy.args);
    const npmCi = instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('npm ci'));
    const copiedBeforeCi = instructions.slice(0, npmCi).filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const workspace of workspaces) expect(copiedBeforeCi.some((args) => args.startsWith(`${workspace}/package.json `))).toBe(true);
    const runtimeCopies = runtimeStage().filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const lib of workspaces.filter((w) => w.startsWith('libs/'))) {
      expect(runtimeCopies.some((args) => args.includes(`/app/${lib}/dist`))).toBe(true);
    }
    expect(copies.length).toBeGreaterThan(workspaces.length);
  });

  it('runs the built gateway as a non-root user', () => {
    const runtime = runtimeStage();
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime.find((i) => i.keyword === 'CMD')?.args).toContain('apps/api/dist/main.js');
  });
});
