// A big /config_dump is mostly sections a command does not show: `pc route` needs the
// RoutesConfigDump, not ten thousand listeners and clusters. This scanner finds the elements of the
// top-level `configs` array in the raw bytes, without decoding them, so only the wanted ones become
// strings and go through JSON.parse (making a string of a 100 MB file alone costs more than parsing
// one section). Every structural character of JSON is ASCII and no byte of a multi-byte UTF-8
// sequence is, so scanning bytes is exact. It only recognises the standard shape; for anything else
// (or anything it cannot follow, such as a truncated file) it answers undefined and the caller
// parses the whole input as usual.

/** One element of `configs`: its byte span and its `@type` when that comes first, as Envoy writes it. */
export interface ConfigSlice {
  start: number;
  end: number;
  typeUrl: string | undefined;
}

/** The `configs` elements of `{"configs": [ … ]}`, or undefined when the text is not of that shape. */
export function sliceConfigs(bytes: Buffer): ConfigSlice[] | undefined {
  const scanner = new Scanner(bytes);
  try {
    scanner.expect(OPEN_BRACE);
    let slices: ConfigSlice[] | undefined;
    if (scanner.peek() === CLOSE_BRACE) return undefined;
    for (;;) {
      const key = scanner.key();
      if (key === 'configs' && scanner.peek() === OPEN_BRACKET) slices = scanner.arrayElements();
      else scanner.skipValue();
      if (scanner.peek() === COMMA) {
        scanner.advance();
        continue;
      }
      scanner.expect(CLOSE_BRACE);
      break;
    }
    return scanner.atEnd() ? slices : undefined;
  } catch (error) {
    if (error instanceof Unrecognised) return undefined;
    throw error;
  }
}

/** An element of one of the top-level arrays of a section object, and the array's field name. */
export interface FieldElement {
  field: string;
  start: number;
  end: number;
}

/**
 * The element, of one of the top-level arrays of the object starting at `objectStart` (a `configs`
 * element), whose bytes contain `position`; undefined when no array element does. Scanning stops
 * there, so finding one cluster among ten thousand costs a partial scan, not a parse.
 */
export function elementContaining(bytes: Buffer, objectStart: number, position: number): FieldElement | undefined {
  const scanner = new Scanner(bytes, objectStart);
  try {
    scanner.expect(OPEN_BRACE);
    if (scanner.peek() === CLOSE_BRACE) return undefined;
    for (;;) {
      const field = scanner.key();
      if (scanner.peek() === OPEN_BRACKET) {
        scanner.advance();
        while (scanner.peek() !== CLOSE_BRACKET) {
          const start = scanner.position;
          scanner.skipValue();
          if (position >= start && position < scanner.position) return { field, start, end: scanner.position };
          if (scanner.peek() === COMMA) scanner.advance();
        }
        scanner.advance();
      } else {
        const start = scanner.position;
        scanner.skipValue();
        if (position >= start && position < scanner.position) return undefined;
      }
      if (scanner.peek() !== COMMA) return undefined;
      scanner.advance();
    }
  } catch (error) {
    if (error instanceof Unrecognised) return undefined;
    throw error;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Where Envoy puts an element's `@type`: first, so a short look at its start finds it. */
const TYPE_WINDOW = 512;
const TYPE_KEY = /^\{\s*"@type"\s*:\s*("(?:[^"\\]|\\.)*")/;

class Unrecognised extends Error {}

class Scanner {
  private readonly bytes: Buffer;
  private at = 0;

  constructor(bytes: Buffer, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }

  get position(): number {
    return this.at;
  }

  peek(): number {
    this.skipWhitespace();
    if (this.at >= this.bytes.length) throw new Unrecognised();
    return this.bytes[this.at] ?? 0;
  }

  advance(): void {
    this.at++;
  }

  expect(char: number): void {
    if (this.peek() !== char) throw new Unrecognised();
    this.at++;
  }

  atEnd(): boolean {
    this.skipWhitespace();
    return this.at === this.bytes.length;
  }

  /** An object key and its colon. */
  key(): string {
    if (this.peek() !== QUOTE) throw new Unrecognised();
    const start = this.at;
    this.skipString();
    const key = JSON.parse(this.bytes.toString('utf8', start, this.at)) as string;
    this.expect(COLON);
    return key;
  }

  arrayElements(): ConfigSlice[] {
    this.expect(OPEN_BRACKET);
    const slices: ConfigSlice[] = [];
    if (this.peek() === CLOSE_BRACKET) {
      this.at++;
      return slices;
    }
    for (;;) {
      const start = (this.peek(), this.at);
      this.skipValue();
      slices.push({ start, end: this.at, typeUrl: this.typeAt(start) });
      if (this.peek() === COMMA) {
        this.at++;
        continue;
      }
      this.expect(CLOSE_BRACKET);
      return slices;
    }
  }

  private typeAt(start: number): string | undefined {
    const match = TYPE_KEY.exec(this.bytes.toString('latin1', start, Math.min(start + TYPE_WINDOW, this.bytes.length)));
    return match?.[1] === undefined ? undefined : (JSON.parse(match[1]) as string);
  }

  skipValue(): void {
    const first = this.peek();
    if (first === QUOTE) return this.skipString();
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return this.skipScalar();
    // Containers: count brackets, jumping over strings (which may hold any bracket) with the
    // native indexOf: on a big dump that beats stepping through the strings byte by byte.
    const { bytes } = this;
    let depth = 0;
    for (let i = this.at; i < bytes.length; i++) {
      const char = bytes[i];
      if (char === QUOTE) {
        this.at = i;
        this.skipString();
        i = this.at - 1;
      } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
        depth++;
      } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
        if (--depth === 0) {
          this.at = i + 1;
          return;
        }
      }
    }
    throw new Unrecognised(); // the text ends inside the value: truncated
  }

  private skipString(): void {
    const { bytes } = this;
    let close = this.at;
    for (;;) {
      close = bytes.indexOf(QUOTE, close + 1);
      if (close < 0) throw new Unrecognised();
      let backslashes = 0;
      while (bytes[close - 1 - backslashes] === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) break;
    }
    this.at = close + 1;
  }

  private skipScalar(): void {
    const match = /^(?:-?\d[\d.eE+-]*|true|false|null)/.exec(this.bytes.toString('latin1', this.at, Math.min(this.at + 64, this.bytes.length)));
    if (!match) throw new Unrecognised();
    this.at += match[0].length;
  }

  private skipWhitespace(): void {
    const { bytes } = this;
    let char = bytes[this.at];
    while (char === 0x20 || char === 0x0a || char === 0x0d || char === 0x09) char = bytes[++this.at];
  }
}
