/**
 * Who may open the gateway's WebSocket, decided on the HTTP upgrade before any WebSocket exists: the
 * path, the token (`?token=` or `Authorization: Bearer`, compared in constant time) and the Origin of
 * browser pages (the gateway's own host, the listed origins, or any with '*'; clients that send no
 * Origin are not browsers and pass). A refusal is a plain HTTP response (docs/gateway.md).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** What the checks compare against. */
export interface AccessRules {
  token: string | undefined;
  origins: readonly string[] | '*' | undefined;
}

/** A refusal: the HTTP status, its text, and the metrics' reason. */
export interface Refusal {
  status: 401 | 403 | 404;
  text: string;
  reason: 'path' | 'token' | 'origin';
}

/** Undefined when `req` may upgrade to the WebSocket at `/ws`, else why not. */
export function refusal(req: IncomingMessage, rules: AccessRules): Refusal | undefined {
  const url = new URL(req.url ?? '/', 'http://gateway');
  if (url.pathname !== '/ws') return { status: 404, text: 'Not Found', reason: 'path' };
  if (rules.token !== undefined) {
    const given = Buffer.from(url.searchParams.get('token') ?? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(rules.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { status: 401, text: 'Unauthorized', reason: 'token' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && rules.origins !== '*') {
    let own = false;
    try {
      own = new URL(origin).host === req.headers.host;
    } catch {}
    if (!own && !(rules.origins ?? []).includes(origin)) return { status: 403, text: 'Forbidden', reason: 'origin' };
  }
  return undefined;
}

/** Answers an upgrade request with a plain HTTP status and closes the socket. */
export function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`,
  );
}
