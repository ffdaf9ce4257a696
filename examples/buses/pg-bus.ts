/**
 * A minimal reference `ClusterBus` over PostgreSQL LISTEN/NOTIFY (pg), for
 * this package's tests, bench and demo. Production users take the published
 * `@absolutejs/sync-bus-pg`, which has the same contract.
 *
 * Publishing runs `pg_notify` on the caller's pool, one batch at a time in
 * publish order; each `subscribe` opens its own dedicated client (LISTEN
 * belongs to a session, so it cannot be a pooled one) with the pool's
 * connection settings, and reopens it when it drops. A batch over the 8000-byte NOTIFY limit is split into parts sent in
 * one transaction (chunks.ts), not spilled to a table: nothing to vacuum, and
 * a listener gets all of a batch or none. Delivery is at-most-once: a batch
 * published while a subscriber's client is down never reaches it.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PresenceError } from '../../src/errors.js';
import { createReassembler, splitPayload } from './chunks.js';
import type { ClusterBus } from '../../spec/engine/cluster.js';
import type { ClosableClusterBus } from './closable-bus.js';
import { deliverPayload, encodeClusterMessage } from './codec.js';
import { backoffDelay, listening, listeningBus, type ListenerOptions } from './listener.js';

/** `createPostgresClusterBus` options. */
export interface PostgresClusterBusOptions {
  /** Publishes, and lends its connection settings to each subscriber's client; the caller owns and ends it. */
  pool: pg.Pool;
  /** The NOTIFY channel, used verbatim (case and all); every node of one cluster uses the same. Default `presence_cluster`. */
  channel?: string;
  /** Told of undecodable payloads and listener connection losses; default `console.warn`. */
  onError?: (error: unknown) => void;
  /** Wait before reopening a lost subscriber client; default 100 ms doubling to 5 s. */
  reconnectDelay?: ListenerOptions['reconnectDelay'];
}

/** PostgreSQL truncates identifiers to 63 bytes, which would silently merge channels. */
const MAX_CHANNEL_BYTES = 63;

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const closeClient = async (client: pg.Client): Promise<void> => {
  await client.end().catch(() => undefined);
};

/** A bus over LISTEN/NOTIFY on `options.channel`. */
export const createPostgresClusterBus = (options: PostgresClusterBusOptions): ClosableClusterBus => {
  const { pool, channel = 'presence_cluster', onError = (error: unknown) => console.warn(error), reconnectDelay = backoffDelay } = options;
  const bytes = Buffer.byteLength(channel);
  if (bytes === 0 || bytes > MAX_CHANNEL_BYTES || channel.includes('\0')) {
    throw new PresenceError('INVALID_ARGS', `cluster bus channel must be 1 to ${MAX_CHANNEL_BYTES} bytes without NUL, got ${JSON.stringify(channel)} (${bytes} bytes)`);
  }
  const listen = `LISTEN ${quoteIdentifier(channel)}`;
  const sender = randomUUID().slice(0, 8);
  let sequence = 0;
  // The pool runs concurrent statements on different connections, which may
  // commit in either order; the engine publishes fire-and-forget after every
  // commit, so this bus sends one batch at a time to keep a node's batches in
  // the order it committed them.
  let sent: Promise<unknown> = Promise.resolve();
  const publish: ClusterBus['publish'] = (message) => {
    const parts = splitPayload(encodeClusterMessage(message), sender, (sequence += 1));
    // One statement is one transaction: the parts arrive back to back, or not at all.
    const send = sent.then(() => pool.query('SELECT pg_notify($1, part) FROM unnest($2::text[]) AS part', [channel, parts]));
    sent = send.catch(() => undefined);
    return send.then(() => undefined);
  };

  return listeningBus({
    reconnectDelay,
    onError,
    publish,
    open: (onMessage, lost) => {
      const client = new pg.Client(pool.options);
      // A fresh connection starts with nothing half-received.
      const reassemble = createReassembler();
      // Every failure ends the connection, and its 'end' is what reports the loss.
      client.on('error', () => undefined);
      client.on('notification', ({ channel: from, payload }) => {
        if (from !== channel || payload === undefined) return;
        let whole: string | undefined;
        try {
          whole = reassemble(payload);
        } catch (error) {
          onError(error);
          return;
        }
        if (whole !== undefined) deliverPayload(whole, onMessage, onError);
      });
      const start = async () => {
        await client.connect();
        await client.query(listen);
      };
      return listening({ start, close: () => closeClient(client), ended: (callback) => void client.once('end', callback) }, lost);
    },
  });
};
