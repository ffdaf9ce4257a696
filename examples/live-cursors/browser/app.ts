/**
 * The live-cursors page: who is here, their cursors, and who is typing, on
 * the presence client. `?user=Ada&channel=lobby` picks the user and channel.
 * `window.presenceDemo` exposes the view and a log of what this page saw and
 * when, for the end-to-end tests' latency numbers.
 *
 * @module
 */
import { createPresenceClient, type PresenceMember, type PresenceState, type PresenceView } from '../../../src/client/index.js';
import { createSyncClient } from './sync-client.js';

interface LogEntry {
  kind: 'moved' | 'seen' | 'cursor' | 'gone';
  actorId?: string;
  id?: string;
  x?: number;
  at: number;
}

declare global {
  interface Window {
    presenceDemo?: { sessionId: string; view(): PresenceView; log: LogEntry[]; startedAt: number; disconnect(): void };
  }
}

const query = new URLSearchParams(location.search);
const user = query.get('user') || `guest-${Math.floor(Math.random() * 1000)}`;
const channel = query.get('channel') || 'lobby';

const hue = (name: string): number => [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
const colour = (name: string): string => `hsl(${hue(name)} 70% 45%)`;

const element = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = ''): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
};

const start = async (): Promise<void> => {
  const config = (await (await fetch('/config.json')).json()) as { heartbeatTtlSec: number; typingTtlSec: number };
  const sync = createSyncClient({ url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync/ws?user=${encodeURIComponent(user)}` });
  const startedAt = Date.now();
  const presence = createPresenceClient<PresenceState>({
    handle: sync.collection({ collection: 'presence', params: { channel } }),
    channel,
    heartbeatTtlSec: config.heartbeatTtlSec,
    typingTtlSec: config.typingTtlSec,
    state: { name: user, colour: colour(user) },
  });

  const log: LogEntry[] = [];
  window.presenceDemo = { sessionId: presence.sessionId, view: () => presence.get(), log, startedAt, disconnect: () => sync.disconnect() };

  const stage = document.getElementById('stage') as HTMLElement;
  const list = document.getElementById('members') as HTMLElement;
  const status = document.getElementById('status') as HTMLElement;
  const note = document.getElementById('note') as HTMLTextAreaElement;
  (document.getElementById('who') as HTMLElement).textContent = `${user} in #${channel}`;

  stage.addEventListener('pointermove', (event) => {
    const box = stage.getBoundingClientRect();
    const cursor = { x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height };
    log.push({ kind: 'moved', x: cursor.x, at: Date.now() });
    presence.moveCursor(cursor);
  });
  stage.addEventListener('pointerleave', () => presence.moveCursor(null));
  note.addEventListener('input', () => void presence.setTyping(note.value !== ''));
  note.addEventListener('blur', () => void presence.setTyping(false));

  const cursors = new Map<string, HTMLElement>();
  const seen = new Map<string, number | undefined>();

  const render = (): void => {
    const view = presence.get();
    status.textContent = view.error ? `${view.status} — ${view.error.message}` : view.status;
    list.replaceChildren(
      ...view.members.map((member: PresenceMember) => {
        const name = String(member.state['name'] ?? member.actorId);
        const item = element('li', `member${member.isSelf ? ' self' : ''}`, `${name}${member.isSelf ? ' (you)' : ''}`);
        item.dataset['session'] = member.sessionId;
        item.style.borderColor = colour(name);
        if (member.isTyping) item.append(element('span', 'typing', ' typing…'));
        return item;
      }),
    );
    const now = Date.now();
    const present = new Set<string>();
    for (const member of view.members) {
      if (member.isSelf) continue;
      present.add(member.id);
      const cursor = member.state['cursor'] as { x: number; y: number } | null | undefined;
      if (!seen.has(member.id)) log.push({ kind: 'seen', id: member.id, actorId: member.actorId, at: now });
      if (cursor && seen.get(member.id) !== cursor.x) log.push({ kind: 'cursor', id: member.id, actorId: member.actorId, x: cursor.x, at: now });
      seen.set(member.id, cursor?.x);
      let pointer = cursors.get(member.id);
      if (!cursor) {
        pointer?.remove();
        cursors.delete(member.id);
        continue;
      }
      if (!pointer) {
        const name = String(member.state['name'] ?? member.actorId);
        pointer = element('div', 'cursor', name);
        pointer.dataset['session'] = member.sessionId;
        pointer.style.setProperty('--colour', colour(name));
        stage.append(pointer);
        cursors.set(member.id, pointer);
      }
      pointer.style.left = `${(cursor.x * 100).toFixed(2)}%`;
      pointer.style.top = `${(cursor.y * 100).toFixed(2)}%`;
    }
    for (const [id, pointer] of cursors) {
      if (present.has(id)) continue;
      pointer.remove();
      cursors.delete(id);
    }
    for (const id of [...seen.keys()]) {
      if (present.has(id)) continue;
      seen.delete(id);
      log.push({ kind: 'gone', id, at: now });
    }
  };
  presence.subscribe(render);
  render();
};

void start();
