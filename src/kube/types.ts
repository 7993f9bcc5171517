// The shapes src/kube hands to the CLI. Nothing here loads @kubernetes/client-node.

/** Receives one line per request in --verbose mode. Lines never contain tokens or credentials. */
export type Logger = (line: string) => void;

/** One pod a command will talk to, with what the pre-flight checks need. */
export interface PodRef {
  name: string;
  namespace: string;
  /** `status.phase`: Running, Pending, Succeeded, Failed or Unknown. */
  phase: string;
  /** Has an `istio-proxy` container (or native sidecar). */
  inMesh: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `spec.nodeName`; empty while unscheduled. */
  nodeName: string;
  /** The Ready condition is True. */
  ready: boolean;
}

/** What a command run in a container left: its output and the API server's final Status. */
export interface ExecOutcome {
  stdout: Buffer;
  stderr: string;
  /** The Status from the error channel; absent when the session ended without one. */
  status: { status?: string; message?: string } | undefined;
}

export interface AdminResponse {
  /** The path asked for, without its leading slash (e.g. `config_dump?mask=dynamic_listeners`). */
  path: string;
  body: string;
  /** The parsed body, for the JSON endpoints (`config_dump`, `…?format=json`, `server_info`). */
  json: unknown;
  bytes: number;
  ms: number;
  /** Where it came from, e.g. `pod reviews-v1-….default` or `http://127.0.0.1:15000`. */
  source: string;
}

export interface EnvoyAdminClient {
  /** `pod <name>.<namespace>` or the admin URL. */
  readonly source: string;
  /** GET an admin path such as `config_dump?mask=…` or `/clusters?format=json`: one connection per call. */
  get(path: string): Promise<AdminResponse>;
  /** POST an admin path such as `logging?level=debug` (no body). */
  post(path: string): Promise<AdminResponse>;
  /** Ends what is still open. get() already releases its own connection. */
  close(): Promise<void>;
}

export type AdminTransport = 'port-forward' | 'exec';
