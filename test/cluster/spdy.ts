// The server side of SPDY/3.1 as Kubernetes speaks it (moby/spdystream): enough for kubectl's
// port-forward and exec, over a raw upgraded socket or tunnelled inside a WebSocket. No flow
// control (spdystream ignores WINDOW_UPDATE too). See KUBE.md §2.5.

import { EventEmitter } from 'node:events';
import { constants, deflateSync, inflateSync } from 'node:zlib';

// The SPDY/3 header-compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1): a list of
// length-prefixed header names and values followed by a run of common strings.
const DICTIONARY_WORDS = [
  'options',
  'head',
  'post',
  'put',
  'delete',
  'trace',
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'accept-ranges',
  'age',
  'allow',
  'authorization',
  'cache-control',
  'connection',
  'content-base',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-md5',
  'content-range',
  'content-type',
  'date',
  'etag',
  'expect',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'pragma',
  'proxy-authenticate',
  'proxy-authorization',
  'range',
  'referer',
  'retry-after',
  'server',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'vary',
  'via',
  'warning',
  'www-authenticate',
  'method',
  'get',
  'status',
  '200 OK',
  'version',
  'HTTP/1.1',
  'url',
  'public',
  'set-cookie',
  'keep-alive',
  'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

const SPDY_DICTIONARY = Buffer.concat([...DICTIONARY_WORDS.map((word) => lengthPrefixed(Buffer.from(word, 'latin1'))), Buffer.from(DICTIONARY_TAIL, 'latin1')]);

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

const FrameType = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 };
const FLAG_FIN = 0x01;
const RST_CANCEL = 5;
const MAX_DATA_FRAME = 64 * 1024;

/**
 * Header blocks share one zlib stream per direction for the whole connection. Node has no
 * synchronous streaming inflate, so every block re-inflates everything received so far and keeps
 * the new tail: quadratic, but header blocks are a few dozen bytes.
 */
class HeaderInflater {
  private readonly received: Buffer[] = [];
  private produced = 0;

  inflate(block: Buffer): Buffer {
    this.received.push(block);
    const all = inflateSync(Buffer.concat(this.received), { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const fresh = all.subarray(this.produced);
    this.produced = all.length;
    return fresh;
  }
}

/**
 * Writes header blocks as stored (uncompressed) deflate blocks, each ended by a sync flush
 * (`00 00 00 ff ff`): Go's flate reader only hands out data once it sees that marker.
 */
class HeaderDeflater {
  private started = false;

  deflate(raw: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      // The zlib header with FDICT and the dictionary's Adler-32: the first 6 bytes node writes.
      parts.push(deflateSync(Buffer.alloc(0), { dictionary: SPDY_DICTIONARY }).subarray(0, 6));
      this.started = true;
    }
    for (let offset = 0; offset < raw.length; offset += 0xffff) {
      const chunk = raw.subarray(offset, offset + 0xffff);
      const header = Buffer.alloc(5);
      header.writeUInt16LE(chunk.length, 1);
      header.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(header, chunk);
    }
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

function encodeHeaders(headers: ReadonlyMap<string, string>): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(headers.size);
  const parts: Buffer[] = [count];
  for (const [name, value] of headers) {
    parts.push(lengthPrefixed(Buffer.from(name.toLowerCase())), lengthPrefixed(Buffer.from(value)));
  }
  return Buffer.concat(parts);
}

function decodeHeaders(raw: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  let offset = 4;
  const count = raw.readUInt32BE(0);
  const next = () => {
    const length = raw.readUInt32BE(offset);
    const text = raw.toString('utf8', offset + 4, offset + 4 + length);
    offset += 4 + length;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const name = next();
    headers.set(name, next());
  }
  return headers;
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const frame = Buffer.alloc(8 + payload.length);
  frame.writeUInt16BE(0x8003, 0);
  frame.writeUInt16BE(type, 2);
  frame.writeUInt32BE(payload.length, 4);
  frame[4] = flags;
  payload.copy(frame, 8);
  return frame;
}

function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const frame = Buffer.alloc(8 + data.length);
  frame.writeUInt32BE(streamId & 0x7fffffff, 0);
  frame.writeUInt32BE(data.length, 4);
  frame[4] = flags;
  data.copy(frame, 8);
  return frame;
}

/** One client-initiated stream. Emits 'data' (Buffer), 'end' (client sent FIN) and 'reset'. */
export class SpdyStream extends EventEmitter {
  readonly id: number;
  readonly headers: ReadonlyMap<string, string>;
  private readonly session: SpdySession;
  private finished = false;

  constructor(session: SpdySession, id: number, headers: ReadonlyMap<string, string>) {
    super();
    this.session = session;
    this.id = id;
    this.headers = headers;
  }

  write(data: Buffer): void {
    if (this.finished) return;
    for (let offset = 0; offset < data.length; offset += MAX_DATA_FRAME) {
      this.session.send(dataFrame(this.id, 0, data.subarray(offset, offset + MAX_DATA_FRAME)));
    }
  }

  /** Half-closes our side with an empty DATA frame carrying FIN. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.session.send(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)));
  }

  reset(): void {
    this.finished = true;
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(this.id, 0);
    payload.writeUInt32BE(RST_CANCEL, 4);
    this.session.send(controlFrame(FrameType.RST_STREAM, 0, payload));
  }
}

export interface SpdyTransport {
  write(bytes: Buffer): void;
  close(): void;
}

/**
 * A server-side SPDY/3.1 session: feed it the bytes from the client with `receive`; it answers
 * each SYN_STREAM with an empty SYN_REPLY (as spdystream servers do), echoes PINGs and hands new
 * streams to `onStream`.
 */
export class SpdySession {
  private readonly transport: SpdyTransport;
  private readonly onStream: (stream: SpdyStream) => void;
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflater = new HeaderInflater();
  private readonly deflater = new HeaderDeflater();
  private pending: Buffer = Buffer.alloc(0);
  private closed = false;

  constructor(transport: SpdyTransport, onStream: (stream: SpdyStream) => void) {
    this.transport = transport;
    this.onStream = onStream;
  }

  send(frame: Buffer): void {
    if (!this.closed) this.transport.write(frame);
  }

  receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4) & 0xffffff;
      if (this.pending.length < 8 + length) return;
      const frame = this.pending.subarray(0, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      this.handleFrame(frame);
    }
  }

  /** The connection is gone: every stream is reset. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) stream.emit('reset');
    this.streams.clear();
    this.transport.close();
  }

  private handleFrame(frame: Buffer): void {
    const flags = frame[4]!;
    const payload = frame.subarray(8);
    if ((frame[0]! & 0x80) === 0) {
      const stream = this.streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (!stream) return;
      if (payload.length > 0) stream.emit('data', Buffer.from(payload));
      if (flags & FLAG_FIN) stream.emit('end');
      return;
    }
    switch (frame.readUInt16BE(2)) {
      case FrameType.SYN_STREAM: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        const stream = new SpdyStream(this, id, decodeHeaders(this.inflater.inflate(payload.subarray(10))));
        this.streams.set(id, stream);
        const reply = Buffer.alloc(4);
        reply.writeUInt32BE(id);
        this.send(controlFrame(FrameType.SYN_REPLY, 0, Buffer.concat([reply, this.deflater.deflate(encodeHeaders(new Map()))])));
        this.onStream(stream);
        if (flags & FLAG_FIN) stream.emit('end');
        return;
      }
      case FrameType.RST_STREAM: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        this.streams.get(id)?.emit('reset');
        this.streams.delete(id);
        return;
      }
      case FrameType.PING:
        this.send(frame);
        return;
      case FrameType.GOAWAY:
        this.close();
        return;
      case FrameType.HEADERS:
        // Header blocks must still go through the shared inflater to keep it in step.
        this.inflater.inflate(payload.subarray(4));
        return;
      default:
        // SETTINGS and WINDOW_UPDATE: spdystream has no flow control, neither do we.
        return;
    }
  }
}
