// The flags every command that talks to istiod takes: where istiod runs and how to reach it.
import { Option } from 'commander';
import { ISTIOD_TRANSPORTS, type IstiodTransport } from '../../istiod/transports.ts';
import { choiceOption, definedOnly, parseChoice, parseDuration, parsePort, textOf } from '../flags.ts';

export interface IstiodCliOptions {
  istioNamespace: string;
  revision?: string;
  /** Label selector of istiod pods; default `app=istiod`, then Pilot's `istio=pilot`. */
  selector?: string;
  transport: IstiodTransport | 'auto';
  xdsPort: number;
  pilotPort?: number;
  insecure: boolean;
  xdsTokenFile?: string;
  kubeconfig?: string;
  context?: string;
  /** -n: the namespace of pods named on the command line, and the proxies proxy-status keeps. */
  namespace?: string;
  timeoutMs: number;
  verbose: boolean;
}

/** `-l` stands for the istiod label where the command has no pod selector of its own (proxy-status, istiod debug). */
const TRANSPORT_CHOICES = ['auto', ...ISTIOD_TRANSPORTS] as const;

export const ISTIOD_OPTIONS = ({ labelShortFlag = false } = {}): Option[] => [
  new Option('-r, --revision <revision>', 'only the istiod of this control plane revision (label istio.io/rev)'),
  new Option(`${labelShortFlag ? '-l, ' : ''}--xds-label <selector>`, 'label selector of the istiod pods (default app=istiod, then istio=pilot)'),
  choiceOption('--transport <transport>', 'how to ask istiod: auto tries xds, then http, then exec', TRANSPORT_CHOICES, { default: 'auto' }),
  new Option('--xds-port <port>', "istiod's xDS port (TLS)").default('15012'),
  new Option('--pilot-port <port>', "istiod's HTTP debug port (default 15014; Pilot 1.0: 9093)"),
  new Option('--insecure', "xDS: do not verify istiod's certificate against the istio-ca-root-cert ConfigMap"),
  new Option('--xds-token-file <path>', 'xDS: bearer token to present instead of requesting one (audience istio-ca)'),
];

export function istiodOptions(raw: Record<string, unknown>): IstiodCliOptions {
  const text = textOf(raw);
  const picked = parseChoice(text('transport') ?? 'auto', '--transport', TRANSPORT_CHOICES);
  const pilotPort = text('pilotPort');
  return {
    istioNamespace: text('istioNamespace') ?? 'istio-system',
    transport: picked,
    xdsPort: parsePort(text('xdsPort') ?? '15012', '--xds-port'),
    insecure: raw['insecure'] === true,
    timeoutMs: parseDuration(text('timeout') ?? '15s', '--timeout'),
    verbose: raw['verbose'] === true,
    ...definedOnly({
      pilotPort: pilotPort === undefined ? undefined : parsePort(pilotPort, '--pilot-port'),
      revision: text('revision'),
      selector: text('xdsLabel'),
      xdsTokenFile: text('xdsTokenFile'),
      kubeconfig: text('kubeconfig'),
      context: text('context'),
      namespace: text('namespace'),
    }),
  };
}
