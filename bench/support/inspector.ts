/**
 * Full garbage collections in a child process started with `--inspect=127.0.0.1:0`, over the
 * DevTools protocol: the gateway's memory is read the way the peer's server reads its own
 * (after forced collections), without a test hook in the gateway.
 */
import WebSocket from 'ws';

interface DevToolsReply {
  readonly id?: number;
  readonly result?: { readonly usedSize?: number };
  readonly error?: { readonly message: string };
}

/** The DevTools WebSocket address Node prints on stderr when started with --inspect. */
export function inspectorUrlOf(output: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
}

/** Runs two full collections a moment apart and returns the JS heap in use afterwards, in bytes. */
export async function collectGarbage(inspectorUrl: string): Promise<{ heapUsed: number }> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 0;
  const waiting = new Map<number, (reply: DevToolsReply) => void>();
  socket.on('message', (data: Buffer) => {
    const reply = JSON.parse(data.toString()) as DevToolsReply;
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
  });
  const send = (method: string): Promise<DevToolsReply> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, (reply) => (reply.error === undefined ? resolve(reply) : reject(new Error(`${method}: ${reply.error.message}`))));
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    await send('HeapProfiler.enable');
    for (let i = 0; i < 2; i++) {
      await send('HeapProfiler.collectGarbage');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await send('HeapProfiler.disable');
    const usage = await send('Runtime.getHeapUsage');
    return { heapUsed: usage.result?.usedSize ?? Number.NaN };
  } finally {
    socket.close();
  }
}
