// The failures of commands that ask istiod, one class per exit code. One line each, naming what
// was tried and what to do next.
import { EnvoyscopeError, ExitCode } from '../errors.ts';

export class NoIstiodError extends EnvoyscopeError {
  constructor(namespace: string, selectors: readonly string[]) {
    super(
      `no istiod pods in namespace "${namespace}" with labels ${selectors.map((s) => `"${s}"`).join(' or ')} (is Istio installed there? use -i/--istio-namespace, or --revision)`,
      ExitCode.NO_ISTIOD,
    );
  }
}

export class IstiodNotReadyError extends EnvoyscopeError {
  constructor(namespace: string, pods: readonly string[]) {
    super(
      `no istiod pod in namespace "${namespace}" is Running and ready (${pods.join(', ')}): wait for it, or check kubectl -n ${namespace} describe pod`,
      ExitCode.ISTIOD_NOT_READY,
    );
  }
}

export class TokenForbiddenError extends EnvoyscopeError {
  constructor(namespace: string, detail: string) {
    super(
      `forbidden: cannot create serviceaccounts/token for service account "default" in namespace "${namespace}" (${detail}): grant it, pass --xds-token-file, or use --transport http`,
      ExitCode.TOKEN_FORBIDDEN,
    );
  }
}

export class IstiodTlsError extends EnvoyscopeError {
  constructor(pod: string, detail: string) {
    super(
      `TLS to istiod ${pod} failed (${detail}): its certificate is not signed by the istio-ca-root-cert ConfigMap's CA (or pass --insecure)`,
      ExitCode.ISTIOD_TLS,
    );
  }
}

export class ProxyNotConnectedError extends EnvoyscopeError {
  constructor(proxy: string, replicas: readonly string[]) {
    super(
      `proxy ${proxy} is not connected to any istiod replica (asked ${replicas.join(', ')}): is its sidecar running, or is it served by another revision (--revision)?`,
      ExitCode.PROXY_NOT_CONNECTED,
    );
  }
}

export class ZtunnelProxyError extends EnvoyscopeError {
  constructor(pod: string) {
    super(`${pod} is a ztunnel: it has no Envoy config to compare (use ztunnel-config)`, ExitCode.ZTUNNEL_PROXY);
  }
}

export class IstiodUnreachableError extends EnvoyscopeError {
  /** `steps`: one "transport: what failed" per attempt, in the order tried. */
  constructor(pod: string, steps: readonly string[]) {
    super(`could not ask istiod ${pod}: ${steps.join('; ')}`, ExitCode.ISTIOD_UNREACHABLE);
  }
}
