/**
 * The idle sign-out's link between the tabs of an origin: a `BroadcastChannel` carries activity
 * and "idle" announcements; `localStorage` keeps the last one (read by a tab that starts, and the
 * transport itself through `storage` events where there is no `BroadcastChannel`). Storage that
 * throws (sandboxed frame, blocked site data) leaves the channel alone; neither: this tab only.
 */

/** What one tab tells the others. `idle`: it is signing out for inactivity. */
export type IdleMessage = { type: 'activity'; at: number } | { type: 'idle'; at: number };

/** The stored record: the last announcement. */
interface Stored {
  at: number;
  idle?: true;
}

const PREFIX = 'backstage-wasm-auth:idle:';

function parse(raw: string | null): Stored | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<Stored> | null;
    if (!v || typeof v.at !== 'number' || !Number.isFinite(v.at)) return undefined;
    return v.idle === true ? { at: v.at, idle: true } : { at: v.at };
  } catch {
    return undefined;
  }
}

function isMessage(v: unknown): v is IdleMessage {
  if (!v || typeof v !== 'object') return false;
  const m = v as { type?: unknown; at?: unknown };
  return (m.type === 'activity' || m.type === 'idle') && typeof m.at === 'number' && Number.isFinite(m.at);
}

export class IdleSync {
  readonly #key: string;
  readonly #channel: BroadcastChannel | undefined;
  readonly #onStorage: ((e: StorageEvent) => void) | undefined;

  /** `scope`: one per auth API (its ref id); `onMessage`: another tab's announcement. */
  constructor(scope: string, onMessage: (message: IdleMessage) => void) {
    this.#key = PREFIX + scope;
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(this.#key);
      this.#channel.onmessage = e => {
        if (isMessage(e.data)) onMessage(e.data);
      };
    } else if (typeof window !== 'undefined') {
      this.#onStorage = e => {
        if (e.key !== this.#key) return;
        const v = parse(e.newValue);
        if (v) onMessage(v.idle ? { type: 'idle', at: v.at } : { type: 'activity', at: v.at });
      };
      window.addEventListener('storage', this.#onStorage);
    }
  }

  /** Tells the other tabs, and stores it for tabs that start later. */
  post(message: IdleMessage): void {
    this.#channel?.postMessage(message);
    this.#write(message.type === 'idle' ? { at: message.at, idle: true } : { at: message.at });
  }

  /** The last stored activity, unless the last record is an idle sign-out (nothing to resume). */
  storedActivity(): number | undefined {
    const v = this.#read();
    return v && !v.idle ? v.at : undefined;
  }

  /** Whether the last record says a tab signed out for inactivity. */
  storedIdle(): boolean {
    return this.#read()?.idle === true;
  }

  /** Forgets the stored activity (a sign-out that was not for inactivity). */
  clear(): void {
    try {
      localStorage.removeItem(this.#key);
    } catch {
      // no storage: nothing stored
    }
  }

  close(): void {
    this.#channel?.close();
    if (this.#onStorage) window.removeEventListener('storage', this.#onStorage);
  }

  #read(): Stored | undefined {
    try {
      return parse(localStorage.getItem(this.#key));
    } catch {
      return undefined;
    }
  }

  #write(v: Stored): void {
    try {
      localStorage.setItem(this.#key, JSON.stringify(v));
    } catch {
      // no storage: the channel alone
    }
  }
}
