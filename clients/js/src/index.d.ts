// Types of Tether's browser client (see docs/js-client.md).

export type Unsubscribe = () => void;
export type Delivery = "keep" | "drop" | "latest";

export interface ConnectOptions {
  auth?: Record<string, unknown>;
  info?: Record<string, unknown>;
  session?: boolean;
  transports?: Array<"websocket" | "polling">;
  minDelay?: number;
  maxDelay?: number;
  connectTimeout?: number;
  maxRetries?: number;
  maxRedirects?: number;
  persist?: boolean;
  agent?: string;
  pollWaitMs?: number;
}

export interface CallOptions {
  timeout?: number;
  signal?: AbortSignal;
}

export interface ClientEvents {
  connecting: { url: string; attempt: number; transport: string };
  connected: { node: string; conn: string; session: string | null; resumed: boolean; transport: string };
  disconnected: { code: number | null; reason: string; reconnect: boolean; delay?: number };
  resumed: { lastSeq: number };
  resume_gap: { reason: string };
  session: { session: string; fresh: boolean };
  closed: { code: number | null; reason: string };
  state: { state: "connecting" | "connected" | "disconnected" | "closed" };
}

export declare class TetherError extends Error {
  code: string;
  retry: boolean;
}

export interface Upload<T = unknown> {
  id: number;
  write(part: unknown): void;
  end(part?: unknown): void;
  result: Promise<T>;
}

export interface RoomMessage {
  from: string;
  name: string;
  payload: any;
}

export declare class Room {
  readonly id: string;
  members: string[];
  away: Set<string>;
  info: Record<string, any>;
  props: Record<string, any>;
  owner: string | null;
  joined: boolean;
  join(options?: CallOptions): Promise<{ room: string; members: string[]; props: Record<string, any> }>;
  leave(options?: CallOptions): Promise<void>;
  broadcast(name: string, payload?: unknown, options?: CallOptions & { excludeSelf?: boolean; delivery?: Delivery; key?: string }): Promise<unknown>;
  send(to: string[], name: string, payload?: unknown, options?: CallOptions & { delivery?: Delivery; key?: string }): Promise<unknown>;
  getProps(keys?: string[]): Promise<Record<string, any>>;
  setProps(props: Record<string, unknown>, options?: { ifAbsent?: boolean }): Promise<string[]>;
  cas(key: string, expect: unknown, value: unknown): Promise<any>;
  incr(key: string, by?: number): Promise<number>;
  info(): Promise<any>;
  kick(member: string): Promise<unknown>;
  invite(members: string[], payload?: unknown, options?: { ttlS?: number }): Promise<unknown>;
  delete(): Promise<unknown>;
  on(event: "message", fn: (m: RoomMessage) => void): Unsubscribe;
  on(event: "joined" | "left" | "kicked" | "owner" | "props" | "deleted" | "away" | "back", fn: (payload: any) => void): Unsubscribe;
}

export declare class Client {
  readonly state: "connecting" | "connected" | "disconnected" | "closed";
  readonly session: string | null;
  readonly sessionKey: string | null;
  readonly node: { version: number; node: string; conn: string; heartbeatMs: number; limits: Record<string, number> } | null;
  readonly transportName: "websocket" | "polling" | null;
  connected(): Promise<void>;
  call<T = any>(op: string, payload?: unknown, options?: CallOptions): Promise<T>;
  stream<T = any>(op: string, payload?: unknown, options?: CallOptions): AsyncIterable<T>;
  upload<T = any>(op: string, payload?: unknown, options?: CallOptions): Upload<T>;
  signal(name: string, payload?: unknown): boolean;
  on(name: string, fn: (payload: any, name: string) => void): Unsubscribe;
  onEvent<K extends keyof ClientEvents>(type: K, fn: (detail: ClientEvents[K]) => void): Unsubscribe;
  handle(op: string, fn: (payload: any) => unknown | Promise<unknown>): Unsubscribe;
  room(id: string): Room;
  createRoom(options?: { type?: string; maxMembers?: number; ttlS?: number; props?: Record<string, unknown>; presence?: boolean }): Promise<Room>;
  reconnect(): void;
  close(reason?: string): void;
  closeSession(): Promise<void>;
}

export declare function connect(url: string, options?: ConnectOptions): Client;
export declare function encodeBatch(frames: unknown[][]): Uint8Array;
export declare function decodeBatch(bytes: Uint8Array): unknown[][];
export declare const kinds: Readonly<Record<string, number>>;
