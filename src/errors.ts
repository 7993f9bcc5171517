// Every failure envoyscope reports on purpose is one of these classes. The CLI maps them to
// exit codes in one place (cli/main.ts); anything else is a bug and exits with INTERNAL.

export const ExitCode = {
  OK: 0,
  /** An unexpected error: a bug in envoyscope. */
  INTERNAL: 1,
  /** The input is a valid Envoy dump but lacks the section the command shows. */
  MISSING_SECTION: 3,
  /** Bad flags or arguments. */
  USAGE: 64,
  /** The input is not JSON, is truncated, or is not an Envoy dump. */
  DATA: 65,
  /** The input file does not exist or cannot be read. */
  NO_INPUT: 66,
  // Live-cluster failures (pods, port-forward, Envoy admin). One code each, so scripts can tell them apart.
  POD_NOT_FOUND: 10,
  NO_PODS_MATCH: 11,
  NAMESPACE_NOT_FOUND: 12,
  NOT_IN_MESH: 13,
  POD_NOT_RUNNING: 14,
  ADMIN_REFUSED: 15,
  API_UNREACHABLE: 16,
  TLS_FAILURE: 17,
  UNAUTHORIZED: 18,
  FORBIDDEN: 19,
  ADMIN_BAD_STATUS: 20,
  ADMIN_BAD_BODY: 21,
  TIMEOUT: 22,
  /** Several pods were asked (-l) and at least one failed. */
  PARTIAL: 23,
  /** The API server answered with an error none of the codes above describes (5xx, 429, …). */
  API_ERROR: 24,
  /** `--via exec`: pilot-agent could not be run in the istio-proxy container. */
  EXEC_FAILED: 25,
  /** No usable kubeconfig (none found, unreadable, or an unknown --context). */
  KUBECONFIG: 26,
  /** Writing stdout or stderr failed (a full disk, an I/O error, stderr closed); sysexits' EX_IOERR. */
  OUTPUT_FAILED: 74,
  /** `pc trace --exit-code`: the traced request reaches no destination (no route, no listener, BlackHole, …). */
  NOT_ROUTED: 1,
  // istiod (proxy-status, pc diff, istiod debug).
  /** Not a failure: `--exit-code` and the compared configs differ (as `git diff --exit-code`). */
  DIFFERENCES: 1,
  /** No istiod pod in the istio namespace with the labels tried. */
  NO_ISTIOD: 27,
  /** istiod pods exist but none is Running and ready. */
  ISTIOD_NOT_READY: 28,
  /** The TokenRequest for the xDS bearer token was refused (serviceaccounts/token). */
  TOKEN_FORBIDDEN: 29,
  /** istiod's xDS certificate did not verify against istio-ca-root-cert. */
  ISTIOD_TLS: 30,
  /** No istiod replica holds a connection from the proxy. */
  PROXY_NOT_CONNECTED: 31,
  /** The pod is a ztunnel: it has no Envoy config to compare. */
  ZTUNNEL_PROXY: 32,
  /** Every transport to istiod failed (the message names each step tried). */
  ISTIOD_UNREACHABLE: 33,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: its message is printed as one line, and it carries an exit code. */
export class EnvoyscopeError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage; the CLI prints a hint to --help after it. */
export class UsageError extends EnvoyscopeError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
  }
}

/** The input could not be decoded. `source` names the file (or `-` for stdin). */
export class DataError extends EnvoyscopeError {
  /** What is wrong, without the source (e.g. "is truncated: …"). */
  readonly problem: string;
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`, ExitCode.DATA);
    this.problem = problem;
  }
}

export class NoInputError extends EnvoyscopeError {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`, ExitCode.NO_INPUT);
  }
}

export class MissingSectionError extends EnvoyscopeError {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`, ExitCode.MISSING_SECTION);
  }
}

/** `--exit-code` found differences: exit 1 with nothing on stderr, the differences are on stdout. */
export class DifferencesFound extends EnvoyscopeError {
  constructor() {
    super('the compared configurations differ', ExitCode.DIFFERENCES);
  }
}
