// `secret` table, as istioctl prints it (sdscompare.GetEnvoySecrets + printSecretItemsTabular, padding 5):
// one row per certificate, read from the PEM the secret carries inline.
import type { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { isObj, type Entry, type Obj, type Secret } from '../../envoy/model.ts';
import type { Table } from '../tabwriter.ts';

const HEADER = ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'];
const PADDING = 5;

/** istioctl lists warming secrets before active ones. Static secrets, which istioctl ignores, come last. */
const STATE_ORDER = ['warming', 'active', 'static', 'draining', 'error'];

interface SecretItem {
  name: string;
  status: string;
  /** PEM text; empty when the secret carries no inline certificate. */
  pem: string;
  /** Set for the trust bundles of a SPIFFE validator (one item per trust domain). */
  trustDomain?: string;
}

interface CertificateFacts {
  type: string;
  valid: boolean;
  serialNumber: string;
  notAfter: string;
  notBefore: string;
  trustDomain: string;
}

/**
 * One row per certificate: warming secrets, then active, then static. VALID CERT is judged at `now`.
 * `namePrefix` is `all` mode (`secret/<name>`).
 */
export function secretTable(entries: readonly Entry<Secret>[], options: { namePrefix: boolean; now: Date }): Table | string {
  if (entries.length === 0) return 'No active or warming secrets found.\n';
  const ordered = entries.toSorted((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state));
  const items = ordered.flatMap(secretItems);
  if (items.length === 0) return 'No secret items to show.\n';

  const described = items.map((item) => {
    const facts = certificateFacts(item.pem, options.now);
    return { item, facts, trustDomain: item.trustDomain ?? facts?.trustDomain ?? '' };
  });
  // istioctl adds the column only when every row has a trust domain to show.
  const withTrustDomain = described.every((row) => row.trustDomain !== '');
  const rows = described.map(({ item, facts, trustDomain }) => [
    options.namePrefix ? `secret/${item.name}` : item.name,
    facts?.type ?? '',
    item.status,
    String(facts?.valid ?? false),
    facts?.serialNumber ?? '',
    facts?.notAfter ?? '',
    facts?.notBefore ?? '',
    ...(withTrustDomain ? [trustDomain] : []),
  ]);
  return { rows: [withTrustDomain ? [...HEADER, 'TRUST DOMAIN'] : HEADER, ...rows], padding: PADDING };
}

function secretItems(entry: Entry<Secret>): SecretItem[] {
  const secret = entry.resource;
  const nameField = entry.wrapper['name'];
  const name = typeof nameField === 'string' ? nameField : (secret.name ?? '');
  const status = secretStatus(entry);
  const certificate = dataSourceText(field(secret.tls_certificate, 'certificate_chain'));
  const validation = secret.validation_context;
  const trustedCa = dataSourceText(field(validation, 'trusted_ca'));
  if (certificate !== '' || trustedCa !== '') return [{ name, status, pem: certificate || trustedCa }];

  const validator = field(field(validation, 'custom_validator_config'), 'typed_config');
  const typeUrl = validator?.['@type'];
  if (typeof typeUrl === 'string' && typeUrl.endsWith('.SPIFFECertValidatorConfig')) {
    const domains = validator?.['trust_domains'];
    return (Array.isArray(domains) ? domains : []).filter(isObj).map((domain) => ({
      name,
      status,
      pem: dataSourceText(field(domain, 'trust_bundle')),
      trustDomain: typeof domain['name'] === 'string' ? domain['name'] : '',
    }));
  }
  return [{ name, status, pem: '' }];
}

/**
 * istioctl meant to show UNINITIALIZED for a secret whose version is `uninitialized` (Envoy has not
 * received it yet), but assigns to a loop copy so it never does; here it does.
 */
function secretStatus(entry: Entry<Secret>): string {
  if (entry.state === 'active' && entry.versionInfo === 'uninitialized') return 'UNINITIALIZED';
  return entry.state.toUpperCase();
}

/** A DataSource's inline content: JSON carries `inline_bytes` as base64. Files are not read. */
function dataSourceText(source: Obj | undefined): string {
  const bytes = source?.['inline_bytes'];
  if (typeof bytes === 'string') return Buffer.from(bytes, 'base64').toString('latin1');
  const text = source?.['inline_string'];
  return typeof text === 'string' ? text : '';
}

const PEM_BLOCK = /-----BEGIN ([^-\r\n]+)-----\r?\n([\s\S]*?)-----END \1-----/;

/** Facts of the first PEM block's certificate (the leaf of a chain); undefined if there is none or it does not parse. */
function certificateFacts(pem: string, now: Date): CertificateFacts | undefined {
  const block = PEM_BLOCK.exec(pem);
  if (!block) return undefined;
  let certificate: X509Certificate;
  try {
    certificate = new (loadCrypto().X509Certificate)(Buffer.from((block[2] ?? '').replace(/\s+/g, ''), 'base64'));
  } catch {
    return undefined;
  }
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  return {
    type: certificate.ca ? 'CA' : 'Cert Chain',
    valid: now > notBefore && now < notAfter,
    // Go's `%032x` of the serial: lower-case hex, zero-padded to at least 32 digits.
    serialNumber: certificate.serialNumber
      .toLowerCase()
      .replace(/^0+(?=.)/, '')
      .padStart(32, '0'),
    notAfter: rfc3339(notAfter),
    notBefore: rfc3339(notBefore),
    trustDomain: spiffeTrustDomain(certificate.subjectAltName),
  };
}

/** Go's time.RFC3339 for a UTC time: no fractional seconds. */
function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The trust domain of the last `spiffe://` URI SAN, as istioctl picks it. */
function spiffeTrustDomain(subjectAltName: string | undefined): string {
  const domains = [...(subjectAltName ?? '').matchAll(/URI:spiffe:\/\/([^/,"\s]+)/gi)].map((match) => match[1] ?? '');
  return domains.at(-1) ?? '';
}

function field(obj: Obj | undefined, name: string): Obj | undefined {
  const value = obj?.[name];
  return isObj(value) ? value : undefined;
}

/** node:crypto costs start-up time that only the secret table needs. */
function loadCrypto(): typeof import('node:crypto') {
  return createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
}
