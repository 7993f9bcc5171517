// Where and how a JSON text is broken, for a one-line message. V8's JSON.parse says what it
// expected but not always where, and echoes the input verbatim (newlines, escape sequences): this
// validator finds the first fault's byte offset itself, so the message can name it and quote a
// short, printable piece of the input.

/** A syntax fault at `offset` (bytes from the start); `truncated` when the input ends too early. */
export class JsonSyntaxError extends Error {
  readonly offset: number;
  readonly truncated: boolean;
  constructor(offset: number, truncated: boolean, expected: string) {
    super(expected);
    this.offset = offset;
    this.truncated = truncated;
  }
}

/** The bytes JSON's grammar is made of (all ASCII). */
export const Byte = {
  Tab: 0x09,
  Newline: 0x0a,
  Return: 0x0d,
  Space: 0x20,
  Quote: 0x22,
  Plus: 0x2b,
  Comma: 0x2c,
  Minus: 0x2d,
  Dot: 0x2e,
  Zero: 0x30,
  Nine: 0x39,
  Colon: 0x3a,
  OpenBracket: 0x5b,
  Backslash: 0x5c,
  CloseBracket: 0x5d,
  OpenBrace: 0x7b,
  CloseBrace: 0x7d,
} as const;

const ESCAPABLE = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));
const HEX = /^[0-9a-fA-F]{4}$/;

/** JSON's whitespace: space, tab, newline, carriage return. */
export function isSpace(byte: number | undefined): boolean {
  return byte === Byte.Space || byte === Byte.Newline || byte === Byte.Return || byte === Byte.Tab;
}

/**
 * The first syntax fault of `bytes[start, end)` as one JSON value, or undefined when it is valid.
 * Iterative, so nesting depth costs memory, not stack.
 */
export function findJsonError(bytes: Uint8Array, start = 0, end = bytes.length): JsonSyntaxError | undefined {
  let at = start;
  const fail = (expected: string): JsonSyntaxError => new JsonSyntaxError(Math.min(at, end), at >= end, expected);
  const skipSpace = (): void => {
    while (at < end && isSpace(bytes[at])) at++;
  };
  const string = (): JsonSyntaxError | undefined => {
    at++;
    for (;;) {
      if (at >= end) return fail('a closing quote');
      const c = bytes[at] ?? 0;
      if (c === Byte.Quote) {
        at++;
        return undefined;
      }
      if (c < 0x20) return fail('no control character inside a string (escape it)');
      if (c === Byte.Backslash) {
        const next = bytes[at + 1];
        // Each failure first moves `at` to the offending byte, which the error reports.
        if (at + 1 >= end) {
          at++;
          return fail('an escape sequence');
        }
        if (next === 0x75) {
          if (at + 6 > end) {
            at = end;
            return fail('four hex digits');
          }
          if (!HEX.test(Buffer.from(bytes.subarray(at + 2, at + 6)).toString('latin1'))) {
            at += 2;
            return fail('four hex digits after \\u');
          }
          at += 6;
          continue;
        }
        if (next === undefined || !ESCAPABLE.has(next)) {
          at += 1;
          return fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
        at += 2;
        continue;
      }
      at++;
    }
  };
  const digits = (): number => {
    const from = at;
    for (let c = bytes[at] ?? 0; at < end && c >= Byte.Zero && c <= Byte.Nine; c = bytes[++at] ?? 0);
    return at - from;
  };
  const number = (): JsonSyntaxError | undefined => {
    if (bytes[at] === Byte.Minus) at++;
    if (at >= end) return fail('a digit');
    if (bytes[at] === Byte.Zero) at++;
    else if (digits() === 0) return fail('a digit');
    if (at < end && bytes[at] === Byte.Dot) {
      at++;
      if (digits() === 0) return fail('a digit after the decimal point');
    }
    if (at < end && (bytes[at] === 0x65 || bytes[at] === 0x45)) {
      at++;
      if (bytes[at] === Byte.Plus || bytes[at] === Byte.Minus) at++;
      if (digits() === 0) return fail('a digit in the exponent');
    }
    return undefined;
  };
  const literal = (word: string): JsonSyntaxError | undefined => {
    for (let i = 0; i < word.length; i++, at++) {
      if (at >= end) return fail(`"${word}"`);
      if (bytes[at] !== word.charCodeAt(i)) return fail(`"${word}"`);
    }
    return undefined;
  };
  // A member's key and its colon, at `at` after any space; `orElse` adds what else may stand there.
  const key = (orElse: string): JsonSyntaxError | undefined => {
    if (at >= end) return fail(`a key${orElse}`);
    if (bytes[at] !== Byte.Quote) return fail(`a double-quoted key${orElse}`);
    const fault = string();
    if (fault) return fault;
    skipSpace();
    if (at >= end || bytes[at] !== Byte.Colon) return fail('":" after a key');
    at++;
    return undefined;
  };
  // What the enclosing containers expect next: 'o' an object, 'a' an array.
  const stack: ('o' | 'a')[] = [];
  for (;;) {
    // A value.
    skipSpace();
    if (at >= end) return fail('a value');
    const c = bytes[at];
    let fault: JsonSyntaxError | undefined;
    if (c === Byte.OpenBrace) {
      at++;
      skipSpace();
      if (bytes[at] === Byte.CloseBrace && at < end) at++;
      else {
        fault = key(' or "}"');
        if (fault) return fault;
        stack.push('o');
        continue;
      }
    } else if (c === Byte.OpenBracket) {
      at++;
      skipSpace();
      if (bytes[at] === Byte.CloseBracket && at < end) at++;
      else {
        stack.push('a');
        continue;
      }
    } else if (c === Byte.Quote) fault = string();
    else if (c === Byte.Minus || (c !== undefined && c >= Byte.Zero && c <= Byte.Nine)) fault = number();
    else if (c === 0x74) fault = literal('true');
    else if (c === 0x66) fault = literal('false');
    else if (c === 0x6e) fault = literal('null');
    else return fail('a value');
    if (fault) return fault;
    // After a value: close containers or go on to the next member.
    for (;;) {
      skipSpace();
      const container = stack.at(-1);
      if (container === undefined) return at < end ? fail('the end of the input after the JSON value') : undefined;
      if (at >= end) return fail(container === 'o' ? '"," or "}"' : '"," or "]"');
      const next = bytes[at];
      if (next === Byte.Comma) {
        at++;
        if (container === 'o') {
          skipSpace();
          fault = key('');
          if (fault) return fault;
        }
        break;
      }
      if (next === (container === 'o' ? Byte.CloseBrace : Byte.CloseBracket)) {
        at++;
        stack.pop();
        continue;
      }
      return fail(container === 'o' ? '"," or "}"' : '"," or "]"');
    }
  }
}
