// Messages are one line on a terminal: whatever comes from the input or the command line is
// shown escaped (no newline, carriage return or escape sequence reaches the screen) and short.

/** `text` with control characters escaped (`\n`, `\u001b`…) and cut to about `max` characters. */
export function printable(text: string, max = 60): string {
  // C0, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point, to escape them
  const escaped = text.slice(0, max * 2).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  // Cut after escaping, so escapes count too and the line stays short.
  return escaped.length > max || text.length > max * 2 ? `${escaped.slice(0, max)}…` : escaped;
}

/** A user-supplied value quoted for a message: escaped and truncated. */
export function quoted(value: string, max = 60): string {
  return `"${printable(value, max)}"`;
}
