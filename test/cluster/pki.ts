// A throwaway PKI for the fake API server: an EC P-256 CA and a server certificate for
// 127.0.0.1/::1/localhost (Go clients such as kubectl require the SAN). Node cannot issue X.509
// certificates by itself, so this shells out to openssl once per process.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PEMs only: the working folder (with the CA's private key) is removed once they are read. */
export interface TestPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

let shared: Promise<TestPki> | undefined;

/** The PKI is the same for every fake cluster of a process: generating it costs ~100 ms. */
export function testPki(): Promise<TestPki> {
  shared ??= createPki();
  return shared;
}

async function createPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'envoyscope-pki-'));
  try {
    return await issue(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function issue(dir: string): Promise<TestPki> {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    run('openssl', args, { cwd: dir }).catch((error: unknown) => {
      throw new Error(`openssl ${args[0]} failed (is openssl installed?): ${String(error)}`);
    });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

  await openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '3',
    '-subj',
    '/CN=envoyscope-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  await openssl('req', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=fake-kube-apiserver');
  await writeFile(
    file('server.ext'),
    ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'].join(
      '\n',
    ),
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '3',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.crt'),
  );

  const read = (name: string) => readFile(file(name), 'utf8');
  const [caPem, certPem, keyPem] = await Promise.all([read('ca.crt'), read('server.crt'), read('server.key')]);
  return { caPem, certPem, keyPem };
}
