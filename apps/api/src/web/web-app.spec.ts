import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, HASHED_ASSET_CACHE_CONTROL, serveWebApp } from './web-app.js';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A GET with exactly these headers, body as sent (node's fetch would add Accept-Encoding and decode). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving the built web app', () => {
  const script = Buffer.from(`export const answer = ${JSON.stringify('x'.repeat(4000))};\n`);
  const font = Buffer.from('not really a font, but served as one');
  let workDir: string;
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tandem-web-app-spec-'));
    const assets = join(workDir, 'assets');
    await mkdir(assets, { recursive: true });
    await writeFile(join(workDir, 'index.html'), '<!doctype html><title>Tandem</title><script type="module" src="/assets/index-AbC12345.js"></script>');
    await writeFile(join(assets, 'index-AbC12345.js'), script);
    await writeFile(join(assets, 'index-AbC12345.js.br'), brotliCompressSync(script));
    await writeFile(join(assets, 'index-AbC12345.js.gz'), gzipSync(script));
    await writeFile(join(assets, 'plain-XyZ98765.js'), script);
    await writeFile(join(assets, 'codicon-QwE45678.ttf'), font);
    class WebOnlyModule {}
    Module({})(WebOnlyModule);
    app = await NestFactory.create<NestExpressApplication>(WebOnlyModule, new ExpressAdapter(), { logger: false });
    serveWebApp(app, workDir);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('sends the brotli file built next to an asset to a browser that accepts br, cached for good', async () => {
    const response = await get(base, '/assets/index-AbC12345.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe(HASHED_ASSET_CACHE_CONTROL);
    expect(response.headers['vary']).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(response.body).equals(script)).toBe(true);
    expect(response.body.length).toBeLessThan(script.length / 10);
  });

  it('falls back to gzip, then to the file itself, as Accept-Encoding allows', async () => {
    const gzip = await get(base, '/assets/index-AbC12345.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(script)).toBe(true);

    const identity = await get(base, '/assets/index-AbC12345.js');
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers['content-type']).toMatch(/javascript/);
    expect(identity.body.equals(script)).toBe(true);
  });

  it('serves assets without compressed siblings as they are, still cached for good', async () => {
    const plain = await get(base, '/assets/plain-XyZ98765.js', { 'accept-encoding': 'br, gzip' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe(HASHED_ASSET_CACHE_CONTROL);
    expect(plain.body.equals(script)).toBe(true);

    const ttf = await get(base, '/assets/codicon-QwE45678.ttf', { 'accept-encoding': 'br' });
    expect(ttf.status).toBe(200);
    expect(ttf.body.equals(font)).toBe(true);
  });

  it('has index.html revalidated on every load, so a new build is picked up', async () => {
    const index = await get(base, '/', { accept: 'text/html' });
    expect(index.status).toBe(200);
    expect(index.body.toString()).toContain('/assets/index-AbC12345.js');
    expect(index.headers['cache-control']).toMatch(/max-age=0/);
    const route = await get(base, '/some/client/route', { accept: 'text/html' });
    expect(route.body.toString()).toContain('<title>Tandem</title>');
  });

  it('answers 404 for an asset that is not there and never serves files outside assets/', async () => {
    expect((await get(base, '/assets/missing-00000000.js', { 'accept-encoding': 'br' })).status).toBe(404);
    const escape = await get(base, '/assets/..%2Findex.html', { 'accept-encoding': 'br' });
    expect(escape.headers['cache-control']).not.toBe(HASHED_ASSET_CACHE_CONTROL);
  });

  it('reads Accept-Encoding as HTTP defines it', () => {
    expect([...acceptedEncodings('gzip, deflate, br')]).toEqual(['gzip', 'deflate', 'br']);
    expect([...acceptedEncodings('br;q=0, gzip;q=0.5')]).toEqual(['gzip']);
    expect([...acceptedEncodings(['br', ' GZIP '])]).toEqual(['br', 'gzip']);
    expect(acceptedEncodings(undefined).size).toBe(0);
  });
});
