// Messages are one line on a terminal: whatever comes from the input or the command line is
// shown escaped (no newline, carriage return or escape sequence reaches the screen) and short.

/** `text` with control characters escaped as `\n`, `\x1b`… and cut to about `max` characters. */
export function printable(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // C0, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides.
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => {
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
}

/** A user-supplied value quoted for a message: escaped and truncated. */
export function quoted(value: string, max = 60): string {
  return `"${printable(value, max)}"`;
}
