// The failures of live commands, one class per exit code. Messages are one line: they name the
// pod or namespace and say what to do next. None of them ever carries a token or credential.

import { EnvoyscopeError, ExitCode } from '../errors.ts';
import { printable } from '../util/printable.ts';

/** `reviews-v1-85c474d9b8-5xbfq.default`, the form istioctl prints and accepts. */
export function podLabel(pod: { name: string; namespace: string }): string {
  return `${pod.name}.${pod.namespace}`;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

export class PodNotFoundError extends EnvoyscopeError {
  /** `kind` is "pod" or the workload kind that was asked for ("deployment", "service", …). */
  constructor(kind: string, name: string, namespace: string) {
    super(`${kind} "${name}" not found in namespace "${namespace}" (check the name, or -n/--namespace)`, ExitCode.POD_NOT_FOUND);
  }
}

export class NoPodsMatchError extends EnvoyscopeError {
  /** `what` is a quoted selector or a workload, e.g. `selector "app=reviews"` or `deployment/reviews (selector app=reviews)`. */
  /** No namespace: every namespace was searched (-A). */
  constructor(what: string, namespace?: string) {
    super(`no pods match ${what} ${namespace === undefined ? 'in any namespace' : `in namespace "${namespace}"`}`, ExitCode.NO_PODS_MATCH);
  }
}

export class NamespaceNotFoundError extends EnvoyscopeError {
  constructor(namespace: string) {
    super(`namespace "${namespace}" not found (check -n/--namespace or the namespace of the kubeconfig context)`, ExitCode.NAMESPACE_NOT_FOUND);
  }
}

export class NotInMeshError extends EnvoyscopeError {
  constructor(pod: { name: string; namespace: string }) {
    super(
      `pod ${podLabel(pod)} has no istio-proxy container: it is not in the mesh (is sidecar injection enabled for namespace "${pod.namespace}"?)`,
      ExitCode.NOT_IN_MESH,
    );
  }
}

export class PodNotRunningError extends EnvoyscopeError {
  /** `phase` is unknown when the API server refused a stream because the pod stopped meanwhile. */
  constructor(pod: { name: string; namespace: string }, phase: string | undefined) {
    const state = phase ? `${phase}, not Running` : 'not Running';
    super(`pod ${podLabel(pod)} is ${state}: its Envoy cannot be reached until it runs`, ExitCode.POD_NOT_RUNNING);
  }
}

export class AdminRefusedError extends EnvoyscopeError {
  /** For a pod: the sidecar is not ready. For --admin-url: nothing listens there. */
  static forPod(pod: { name: string; namespace: string }, port: number, detail?: string): AdminRefusedError {
    const extra = detail ? `: ${detail}` : '';
    return new AdminRefusedError(`the istio-proxy sidecar of ${podLabel(pod)} is not ready yet (Envoy admin port ${port} refused the connection${extra})`);
  }

  static forUrl(url: string, detail: string): AdminRefusedError {
    return new AdminRefusedError(`cannot connect to the Envoy admin at ${url} (${detail}): is Envoy running there?`);
  }

  private constructor(message: string) {
    super(message, ExitCode.ADMIN_REFUSED);
  }
}

export class ApiUnreachableError extends EnvoyscopeError {
  constructor(server: string, detail: string) {
    super(
      `cannot reach the Kubernetes API server at ${server} (${detail}): check that the cluster is up and the kubeconfig context is right`,
      ExitCode.API_UNREACHABLE,
    );
  }
}

/** An answer from the API server that none of the other classes describes (5xx, 429, …). */
export class ApiServerError extends EnvoyscopeError {
  readonly status: number;
  readonly serverMessage: string;
  constructor(server: string, request: string, status: number, serverMessage: string) {
    super(`the Kubernetes API server at ${server} answered ${status} to ${request}: ${serverMessage}`, ExitCode.API_ERROR);
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

export class TlsFailureError extends EnvoyscopeError {
  constructor(server: string, detail: string) {
    super(
      `TLS verification of the Kubernetes API server at ${server} failed (${detail}): check certificate-authority(-data) in the kubeconfig`,
      ExitCode.TLS_FAILURE,
    );
  }
}

export class UnauthorizedError extends EnvoyscopeError {
  constructor(server: string, detail = '401 Unauthorized') {
    super(`the Kubernetes API server at ${server} did not accept the credentials (${detail}): log in again or fix the kubeconfig user`, ExitCode.UNAUTHORIZED);
  }
}

export class ForbiddenError extends EnvoyscopeError {
  readonly serverMessage: string;
  /** `resource` as RBAC names it ("pods/portforward"); `serverMessage` is the API server's own text. */
  constructor(verb: string, resource: string, namespace: string | undefined, serverMessage: string) {
    const where = namespace === undefined ? 'at the cluster scope' : `in namespace "${namespace}"`;
    super(`forbidden: cannot ${verb} ${resource} ${where} (${serverMessage})`, ExitCode.FORBIDDEN);
    this.serverMessage = serverMessage;
  }
}

export class AdminBadStatusError extends EnvoyscopeError {
  readonly status: number;
  /** The first line of the answer's body. */
  readonly bodyLine: string;
  constructor(source: string, path: string, status: number, body: string, method = 'GET') {
    const firstLine = printable(body.trim().split('\n')[0] ?? '', 200);
    super(`the Envoy admin of ${source} answered ${status} to ${method} /${path}${firstLine ? `: ${firstLine}` : ''}`, ExitCode.ADMIN_BAD_STATUS);
    this.status = status;
    this.bodyLine = firstLine;
  }
}

export class AdminBadBodyError extends EnvoyscopeError {
  constructor(source: string, path: string, problem: string, method = 'GET') {
    super(`the Envoy admin of ${source} sent a bad answer to ${method} /${path}: ${problem}`, ExitCode.ADMIN_BAD_BODY);
  }
}

/** `pilot-agent request` could not run in the pod (e.g. no pilot-agent binary). */
export class ExecFailedError extends EnvoyscopeError {
  constructor(source: string, detail: string) {
    super(`running pilot-agent in the istio-proxy container of ${source} failed: ${detail} (try without --via exec)`, ExitCode.EXEC_FAILED);
  }
}

export class KubeTimeoutError extends EnvoyscopeError {
  /** `step` completes "timed out after 15 s …", e.g. "fetching /config_dump from reviews-v1.default". */
  constructor(step: string, timeoutMs: number) {
    super(`timed out after ${seconds(timeoutMs)} ${step} (raise --timeout if the cluster is slow)`, ExitCode.TIMEOUT);
  }
}

/** The kubeconfig (or its absence) keeps us from talking to any cluster. */
export class KubeconfigError extends EnvoyscopeError {
  constructor(message: string) {
    super(message, ExitCode.KUBECONFIG);
  }
}
