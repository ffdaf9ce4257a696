/**
 * Splitting a payload into NOTIFY-sized parts and joining them again.
 *
 * PostgreSQL drops a NOTIFY payload of 8000 bytes or more. A longer batch
 * is sent as several notifications in ONE transaction: PostgreSQL delivers a
 * transaction's notifications together, in order, and never interleaves
 * another transaction's inside them, so a listener sees a batch's parts back
 * to back, or (its connection down) none of them. A part is
 * `<sender>:<sequence>:<index>:<count>:<text>`; the payload is ASCII (see
 * codec.ts), so characters are bytes.
 *
 * @module
 */
import { ClusterMessageDecodeError } from './codec.js';

/** The largest NOTIFY payload PostgreSQL accepts (it must be shorter than 8000 bytes). */
export const NOTIFY_PAYLOAD_LIMIT = 7_999;

/** Splits `payload` into parts of at most `limit` characters, headers included. */
export const splitPayload = (payload: string, sender: string, sequence: number, limit = NOTIFY_PAYLOAD_LIMIT): string[] => {
  // Index and count never exceed the payload's length, so its digits bound theirs.
  const digits = String(payload.length).length;
  const room = limit - (sender.length + String(sequence).length + 2 * digits + 4);
  if (room <= 0) throw new RangeError(`a part limit of ${limit} leaves no room for text after the header`);
  const count = Math.max(1, Math.ceil(payload.length / room));
  return Array.from({ length: count }, (_, index) => `${sender}:${sequence}:${index}:${count}:${payload.slice(index * room, (index + 1) * room)}`);
};

/** Joins parts per sender; a sender's incomplete batch is dropped when its next batch starts. */
export const createReassembler = () => {
  const partial = new Map<string, { sequence: string; parts: string[]; missing: number }>();
  /** Takes one part; returns the whole payload once its last part is in, else `undefined`. */
  return (part: string): string | undefined => {
    const fields = /^([^:]*):(\d+):(\d+):(\d+):/.exec(part);
    if (fields === null) throw new ClusterMessageDecodeError('notification has no part header');
    const [header, sender, sequence, index, count] = fields as unknown as [string, string, string, string, string];
    const text = part.slice(header.length);
    if (count === '1') return text;
    let batch = partial.get(sender);
    if (batch === undefined || batch.sequence !== sequence) {
      batch = { sequence, parts: [], missing: Number(count) };
      partial.set(sender, batch);
    }
    if (batch.parts[Number(index)] === undefined) batch.missing -= 1;
    batch.parts[Number(index)] = text;
    if (batch.missing > 0) return undefined;
    partial.delete(sender);
    return batch.parts.join('');
  };
};
