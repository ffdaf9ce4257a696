/**
 * `npm run demo`: starts the live-cursors demo on the in-memory store.
 * `PORT` (default 3000) and `TTL_SEC` (the heartbeat TTL, default 10) are read from the environment.
 *
 * @module
 */
import { startLiveCursorsServer } from './server.js';

const port = Number(process.env['PORT'] ?? 3000);
const heartbeatTtlSec = Number(process.env['TTL_SEC'] ?? 10);
const server = await startLiveCursorsServer({ port, pack: { heartbeatTtlSec }, cleanupEveryMs: 1000 });
console.log(`live cursors: open ${server.url}/?user=Ada and ${server.url}/?user=Grace in two windows (Ctrl-C stops)`);
process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
