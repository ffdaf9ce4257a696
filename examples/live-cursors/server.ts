/**
 * The live-cursors demo server: the presence pack on the reference engine,
 * behind a WebSocket endpoint (`/sync/ws`) that speaks the real engine's
 * frames, plus the page and its scripts. The caller is whoever the socket URL
 * names (`?user=Ada`): a demo, not authentication.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createReferenceEngine, type ClusterBus, type ReferenceEngine } from '../../spec/engine.js';
import { createPresencePack, type PresencePackConfig } from '../../src/index.js';
import { createSyncConnection } from './connection.js';

/** Options of {@link startLiveCursorsServer}. */
export interface LiveCursorsOptions {
  /** Port on 127.0.0.1 (0 for any free one). */
  port?: number;
  /** Host to listen on (default 127.0.0.1). */
  host?: string;
  /** The pack's config (TTL, store...). */
  pack?: PresencePackConfig;
  /** How often the cleanup schedule runs, in ms (the demo's cron trigger). */
  cleanupEveryMs?: number;
  /** Joins the other demo servers on this bus (with a shared store in `pack.store`), so pages on any of them see each other. */
  cluster?: ClusterBus;
}

/** A running demo server. */
export interface LiveCursorsServer {
  /** `http://host:port`. */
  url: string;
  engine: ReferenceEngine;
  /** Live WebSocket connections. */
  connections(): number;
  close(): Promise<void>;
}

/** The repository root, whether this file runs from source or from `dist/`. */
const root = ((up) => (basename(up) === 'dist' ? dirname(up) : up))(normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..')));
/** Where the built browser scripts are. */
const distRoot = join(root, 'dist');
const pagePath = join(root, 'examples', 'live-cursors', 'index.html');

/** The only scripts the page may load: the presence client and the demo's own. */
const SERVED = ['src/', 'examples/live-cursors/browser/'];

const serveScript = async (path: string): Promise<string | undefined> => {
  const relative = normalize(path).replace(/^[/\\]+/, '');
  if (relative.includes('..') || !relative.endsWith('.js') || !SERVED.some((prefix) => relative.startsWith(prefix.replaceAll('/', sep)))) {
    return undefined;
  }
  return readFile(join(distRoot, relative), 'utf8').catch(() => undefined);
};

/** Starts the demo; resolves once it listens. */
export const startLiveCursorsServer = async (options: LiveCursorsOptions = {}): Promise<LiveCursorsServer> => {
  const engine = createReferenceEngine();
  engine.registerPack(createPresencePack({ getActorId: (ctx) => (ctx as { userId: string }).userId, ...options.pack }));
  const leaveCluster = options.cluster === undefined ? async () => undefined : await engine.connectCluster(options.cluster);
  const [cleanup] = engine.listSchedules();
  // The page must know the pack's TTLs to pace its heartbeats.
  const browserConfig = { heartbeatTtlSec: options.pack?.heartbeatTtlSec ?? 30, typingTtlSec: options.pack?.typingTtlSec ?? 5 };
  const sweep = setInterval(() => void (cleanup && engine.runSchedule(cleanup.name).catch(() => undefined)), options.cleanupEveryMs ?? 5000);

  const http: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/config.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(browserConfig));
      return;
    }
    const body = path === '/' ? readFile(pagePath, 'utf8').catch(() => undefined) : serveScript(path);
    void body.then((text) => {
      if (text === undefined) {
        response.writeHead(404).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': path === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      response.end(text);
    });
  });

  const sockets = new WebSocketServer({ server: http, path: '/sync/ws' });
  sockets.on('connection', (socket, request) => {
    const userId = new URL(request.url ?? '/', 'http://x').searchParams.get('user') || 'anonymous';
    const connection = createSyncConnection(engine, { userId }, (frame) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
    });
    socket.on('message', (data) => void connection.handle(String(data)));
    socket.on('close', () => connection.close());
  });

  await new Promise<void>((resolve) => http.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    engine,
    connections: () => sockets.clients.size,
    async close() {
      clearInterval(sweep);
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await leaveCluster();
    },
  };
};
