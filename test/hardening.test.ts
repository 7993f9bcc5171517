// Bad input of every kind ends in one printable line and the right exit code: wrong JSON types,
// depth and width, truncation, binary and non-JSON text, endless streams, failed writes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { stringify as toYaml } from 'yaml';
import { DataError, ExitCode } from '../src/errors.ts';
import { decodeInput } from '../src/envoy/input.ts';
import { readInput } from '../src/source/file.ts';
import { BIN, runBinSync } from './helpers/bin.ts';
import { runCli } from './helpers/cli.ts';

const examplePath = fileURLToPath(new URL('../examples/reviews-v1.config_dump.json', import.meta.url));
const example = readFileSync(examplePath, 'utf8');

interface Dump {
  configs: Record<string, unknown>[];
}

/** The example with one change made to its parsed form. */
function changed(change: (dump: Dump) => void): string {
  const dump = JSON.parse(example) as Dump;
  change(dump);
  return JSON.stringify(dump);
}

function section(dump: Dump, name: string): Record<string, unknown> {
  const found = dump.configs.find((config) => String(config['@type']).endsWith(`.${name}`));
  assert.ok(found, name);
  return found;
}

/** One line on stderr, printable: no control character but the final newline. */
function assertOneLine(stderr: string): void {
  assert.match(stderr, /^error: [^\n]*\n$/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the assertion is that no control character reaches stderr
  assert.doesNotMatch(stderr.slice(0, -1), /[\u0000-\u001f\u007f]/);
}

async function pc(args: string[], stdin: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(['pc', ...args, '-f', '-'], { stdin });
}

test('a wrong JSON type is a data error naming its path', async () => {
  const dump = changed((d) => {
    const clusters = section(d, 'ClustersConfigDump')['dynamic_active_clusters'] as { cluster: Record<string, unknown> }[];
    (clusters[7] as { cluster: Record<string, unknown> }).cluster['name'] = 7;
  });
  for (const output of ['short', 'json', 'yaml', 'raw']) {
    const result = await pc(['cluster', '-o', output], dump);
    assert.equal(result.code, ExitCode.DATA, output);
    assert.equal(result.stderr, 'error: <stdin>: configs[1].dynamic_active_clusters[7].cluster.name: expected a string, found a number (7)\n');
    assert.equal(result.stdout, '');
  }
  const notAList = changed((d) => {
    section(d, 'ListenersConfigDump')['dynamic_listeners'] = 'none';
  });
  const listeners = await pc(['listener'], notAList);
  assert.equal(listeners.code, ExitCode.DATA);
  assert.match(listeners.stderr, /configs\[\d\]\.dynamic_listeners: expected an array, found a string/);
});

test("numbers outside their field's range are data errors", async () => {
  const text = example.replace(/"port_value": 9080/, '"port_value": 1e400');
  const result = await pc(['all'], text);
  assert.equal(result.code, ExitCode.DATA);
  assertOneLine(result.stderr);
  assert.match(result.stderr, /port_value: the number is out of range \(Infinity\)/);
  const negative = await pc(['endpoint'], example.replace(/"port_value": 9080/, '"port_value": -1'));
  assert.match(negative.stderr, /port_value: expected a port \(0-65535\), found -1/);
});

test('any depth and any width: -o json and raw work, other formats end in a data error', async () => {
  const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
  const wide = `[${Array.from({ length: 500_000 }, () => 0).join(',')}]`;
  for (const value of [deep, wide]) {
    // Inside a cluster's metadata, which every format of `pc cluster` prints.
    const text = example.replace(/"metadata": \{\n\s+"filter_metadata": \{/, `"metadata": { "odd": ${value}, "filter_metadata": {`);
    assert.notEqual(text, example);
    for (const output of ['short', 'json', 'raw', 'yaml', 'table']) {
      const result = await pc(['cluster', '-o', output], text);
      assert.ok(result.code === 0 || result.code === ExitCode.DATA, `${output}: exit ${result.code}: ${result.stderr}`);
      if (result.code !== 0) assertOneLine(result.stderr);
      if (output === 'json' || output === 'raw') {
        assert.equal(result.code, 0, result.stderr);
        const parsed: unknown = JSON.parse(result.stdout);
        if (value === wide) assert.equal(result.stdout, `${JSON.stringify(parsed, null, 4)}\n`);
      }
    }
  }
});

test('truncated input says where it ends, wherever it is cut', async () => {
  const bytes = Buffer.from(example);
  for (const cut of [1, 20, 5000, 150_000, bytes.length - 3]) {
    const result = await pc(['route'], bytes.subarray(0, cut));
    assert.equal(result.code, ExitCode.DATA);
    assert.equal(result.stderr.startsWith(`error: <stdin>: is truncated at byte ${cut}`), true, result.stderr);
    assertOneLine(result.stderr);
  }
});

test('syntax errors are one printable line with a short excerpt', async () => {
  const cases = [
    example.replace('"dynamic_active_clusters"', '"dynamic_active_clusters" :'),
    example.replace(/\n/g, '\r\n').replace('"configs"', '"configs" x'),
    '{"configs": [ {"@type": "x\u001b[2J\u001b]0;title\u0007"} ,, ]}',
    `{"configs": [ {"@type": "${'\u2028'.repeat(200)}"}, ]}`,
  ];
  for (const text of cases) {
    const result = await pc(['cluster'], text);
    assert.equal(result.code, ExitCode.DATA);
    assertOneLine(result.stderr);
    assert.ok(result.stderr.length < 260, result.stderr);
  }
});

test('gzip is decompressed, a BOM skipped, YAML read; UTF-16 and binary input are named', async () => {
  const expected = await pc(['cluster'], example);
  assert.equal(expected.code, 0);
  for (const input of [gzipSync(example), `\ufeff${example}`, toYaml(JSON.parse(example))]) {
    const result = await pc(['cluster'], input);
    assert.deepEqual(result, expected);
  }
  const utf16 = await pc(['cluster'], Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(example, 'utf16le')]));
  assert.match(utf16.stderr, /^error: <stdin>: is UTF-16 text; .*iconv/);
  const binary = await pc(['cluster'], Buffer.from([0x7b, 0x20, 0, 1]));
  assert.match(binary.stderr, /is binary data \(a NUL byte at byte 2\)/);
  const text = await pc(['cluster'], 'hello world\n');
  assert.equal(text.stderr, 'error: <stdin>: is not JSON (nor a YAML dump): it starts with "hello world"\n');
  const badGzip = await pc(['cluster'], gzipSync(example).subarray(0, 100));
  assert.equal(badGzip.code, ExitCode.DATA);
  assertOneLine(badGzip.stderr);
});

/** A stream that never ends: `chunk` forever, counting what was read from it. */
function endless(chunk: string): { stream: Readable; read: () => number } {
  let read = 0;
  const bytes = Buffer.from(chunk.repeat(Math.ceil(16_384 / chunk.length)));
  const stream = new Readable({
    read() {
      read += bytes.length;
      this.push(bytes);
    },
  });
  return { stream, read: () => read };
}

test('input that cannot be a dump is rejected from its first 64 KiB; an endless one at --max-input-size', async () => {
  for (const chunk of ['y\n', '\u0000']) {
    const source = endless(chunk);
    await assert.rejects(readInput('-', { in: source.stream }), DataError);
    assert.ok(source.read() <= 128 * 1024, `${JSON.stringify(chunk)}: read ${source.read()} bytes`);
  }
  const spaces = endless(' ');
  await assert.rejects(readInput('-', { in: spaces.stream }, { maxBytes: 1_000_000 }), /longer than --max-input-size/);
  assert.ok(spaces.read() < 1_100_000);
  if (existsSync('/dev/zero')) {
    const result = runBinSync(['pc', 'cluster', '-f', '/dev/zero'], { timeoutMs: 20_000 });
    assert.equal(result.code, ExitCode.DATA);
    assert.equal(result.stderr, 'error: /dev/zero: is binary data (a NUL byte at byte 0), not a JSON dump\n');
  }
  const small = await runCli(['pc', 'cluster', '-f', examplePath, '--max-input-size', '1KiB']);
  assert.equal(small.code, ExitCode.DATA);
  assert.match(small.stderr, /is 287\.\d KiB|is \d+ bytes, more than --max-input-size \(1024 bytes\)/);
});

test('a failed write is one line and exit 74', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, () => {
  for (const output of ['short', 'json']) {
    const result = spawnSync(
      `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} pc cluster -f ${JSON.stringify(examplePath)} -o ${output} > /dev/full`,
      {
        shell: true,
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, ExitCode.OUTPUT_FAILED);
    assert.equal(result.stderr, 'error: cannot write the output: ENOSPC (no space left on device)\n');
  }
});

test('nothing silent: an unusable bootstrap, a dump with nothing to show', async () => {
  const stringBootstrap = JSON.stringify({ configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: 'x' }] });
  for (const output of ['short', 'json']) {
    const result = await pc(['bootstrap', '-o', output], stringBootstrap);
    assert.equal(result.code, ExitCode.MISSING_SECTION);
    assert.match(result.stderr, /without a usable bootstrap/);
  }
  const nothing = await pc(['all'], JSON.stringify({ configs: [{ '@type': 'type.googleapis.com/x.Unknown' }] }));
  assert.equal(nothing.code, ExitCode.MISSING_SECTION);
  assert.match(nothing.stderr, /has none of the sections 'pc all' shows/);
  // No sections at all, in either shape of "configs": the section asked for is missing.
  for (const empty of ['{"configs":{}}', '{"configs":[]}']) {
    const result = await pc(['cluster'], empty);
    assert.equal(result.code, ExitCode.MISSING_SECTION, empty);
    assert.equal(result.stderr, 'error: <stdin>: has no clusters (ClustersConfigDump) section\n', empty);
  }
});

test('user values are shown short and escaped', async () => {
  const result = await runCli(['pc', 'cluster', '-f', examplePath, '--port', `9${'0'.repeat(100_000)}\u001b`]);
  assert.equal(result.code, ExitCode.USAGE);
  assert.ok(result.stderr.length < 200, result.stderr);
  assertOneLine(result.stderr);
});

/** The example padded past the size from which the scanner reads only the shown sections. */
function bigDump(damage: (text: string) => string): string {
  const padded = example.replace('"bootstrap": {', `"bootstrap": {\n  "padding": "${'x'.repeat(3 * 1024 * 1024)}",`);
  return damage(padded);
}

test('big dumps: the framing is always checked; damage inside an unshown section takes --strict', async () => {
  const unshownDamage = bigDump((text) => text.replace('"dynamic_active_clusters": [', '"dynamic_active_clusters": [ tru,'));
  const routes = await pc(['route'], unshownDamage);
  assert.equal(routes.code, 0, routes.stderr);
  const strict = await pc(['route', '--strict'], unshownDamage);
  assert.equal(strict.code, ExitCode.DATA);
  assert.match(strict.stderr, /is not valid JSON at byte \d+ \(line \d+, column \d+\)/);
  const shown = await pc(['cluster'], unshownDamage);
  assert.equal(shown.code, ExitCode.DATA);

  const bytes = Buffer.from(bigDump((text) => text));
  for (const cut of [10, 1_000_000, bytes.length - 400_000, bytes.length - 2]) {
    const result = await pc(['route'], bytes.subarray(0, cut));
    assert.equal(result.code, ExitCode.DATA, `cut at ${cut}`);
    assert.match(result.stderr, new RegExp(`is truncated at byte ${cut}`));
  }
  const missingComma = await pc(
    ['route'],
    bigDump((text) =>
      text.replace(
        /\},\n {2}\{\n {3}"@type": "type.googleapis.com\/envoy.admin.v3.ClustersConfigDump"/,
        '}\n {"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump"',
      ),
    ),
  );
  assert.equal(missingComma.code, ExitCode.DATA, missingComma.stderr);
});

test('binary data past the first 64 KiB stops the scan where it starts', () => {
  const start = Buffer.from(`{"configs": [${' '.repeat(100_000)}`);
  const text = Buffer.concat([start, Buffer.alloc(5_000_000), Buffer.from(']}')]);
  assert.throws(
    () => decodeInput(text, 'x.json', { only: new Set(['clusters']) }),
    (error: unknown) =>
      error instanceof DataError && error.message.startsWith(`x.json: is not valid JSON at byte ${start.length} `) && error.message.length < 200,
  );
});

test('a long piped stdin is spooled to a temporary file and read back whole; the file is gone afterwards', async () => {
  // 10 MiB of trailing blanks take the stream past the in-memory limit (8 MiB); the JSON is unchanged.
  const padded = Buffer.concat([Buffer.from(example), Buffer.alloc(10 * 2 ** 20, 0x20)]);
  const spools = () => readdirSync(tmpdir()).filter((name) => name.startsWith('envoyscope-stdin-'));
  const before = spools();
  let spoolSeen = false;
  const pieces = function* () {
    for (let at = 0; at < padded.length; at += 1 << 20) {
      yield padded.subarray(at, at + (1 << 20));
      if (at >= 10 * 2 ** 20) spoolSeen ||= spools().length > before.length;
    }
  };
  const input = await readInput('-', { in: Readable.from(pieces(), { highWaterMark: 1 }) });
  assert.ok(spoolSeen, 'past 8 MiB the stream is held in a temporary file, not in memory');
  assert.equal(input.bytes.length, padded.length);
  assert.ok(input.bytes.equals(padded));
  assert.deepEqual(spools(), before);
  // A stream that fails after spooling began leaves nothing behind either.
  const failing = Readable.from(
    (function* () {
      yield* pieces();
      throw new Error('the pipe broke');
    })(),
  );
  await assert.rejects(readInput('-', { in: failing }));
  assert.deepEqual(spools(), before);
});
