// `metav1.Status` bodies exactly as kube-apiserver writes them for failed requests.

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: { message: string }[] };
  code: number;
}

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** `resource` is the plural name; `group` is empty for the core group ("pods" vs "deployments.apps"). */
export interface ResourceName {
  resource: string;
  group: string;
  name?: string;
}

function qualified({ resource, group }: ResourceName): string {
  return group ? `${resource}.${group}` : resource;
}

function detailsOf(target: ResourceName): NonNullable<StatusBody['details']> {
  return {
    ...(target.name !== undefined ? { name: target.name } : {}),
    ...(target.group ? { group: target.group } : {}),
    kind: target.resource,
  };
}

export const Status = {
  notFound(target: ResourceName): StatusBody {
    return failure(404, 'NotFound', `${qualified(target)} "${target.name ?? ''}" not found`, detailsOf(target));
  },
  unknownPath(): StatusBody {
    return failure(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  unauthorized(): StatusBody {
    return failure(401, 'Unauthorized', 'Unauthorized');
  },
  /** `subresource` like "portforward" makes the resource "pods/portforward", as RBAC names it. */
  forbidden(user: string, verb: string, target: ResourceName & { subresource?: string; namespace?: string }): StatusBody {
    const rbacResource = target.subresource ? `${target.resource}/${target.subresource}` : target.resource;
    const object = target.name !== undefined ? `${qualified(target)} "${target.name}"` : qualified(target);
    const scope = target.namespace !== undefined ? ` in the namespace "${target.namespace}"` : ' at the cluster scope';
    const message = `${object} is forbidden: User "${user}" cannot ${verb} resource "${rbacResource}" in API group "${target.group}"${scope}`;
    return failure(403, 'Forbidden', message, detailsOf(target));
  },
  badRequest(message: string): StatusBody {
    return failure(400, 'BadRequest', message);
  },
  methodNotAllowed(): StatusBody {
    return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  },
};

// Exec results travel on the error channel as a Status (remotecommand v4/v5).
export const ExecStatus = {
  success: { metadata: {}, status: 'Success' },
  exitCode(argv: readonly string[], code: number) {
    return {
      metadata: {},
      status: 'Failure',
      message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
    };
  },
  internalError(message: string) {
    return {
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: ${message}`,
      reason: 'InternalError',
      details: { causes: [{ message }] },
      code: 500,
    };
  },
};
