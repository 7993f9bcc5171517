// Envoy's own route-table vectors (router_check_tool's configs and expected results, read in place
// from ../shared/corpus/router_check): the route stage must give Envoy's answer for the cluster,
// virtual host, virtual cluster, rewrites and redirects of every case.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { decodeInput } from '../../src/envoy/input.ts';
import type { Obj, RouteConfiguration } from '../../src/envoy/model.ts';
import { routeRequest, type HttpRequest, type Runtime } from '../../src/trace/route.ts';
import { corpusDir, corpusPath, skipWithoutCorpus } from '../helpers/corpus.ts';

interface RouterCheckInput {
  authority?: string;
  path?: string;
  method?: string;
  ssl?: boolean;
  internal?: boolean;
  random_value?: number;
  runtime?: string;
  additional_request_headers?: { key: string; value: string }[];
  dynamic_metadata?: { metadata_namespace: string; value: Obj; allow_overwrite?: boolean }[];
}

/** The validate fields this engine answers; the others (header and metadata checks, timeout) are not route decisions. */
const CHECKED = ['cluster_name', 'virtual_host_name', 'virtual_cluster_name', 'path_rewrite', 'host_rewrite', 'path_redirect', 'code_redirect'] as const;

function toRequest(input: RouterCheckInput): HttpRequest {
  const headers = new Map<string, string[]>();
  const add = (key: string, value: string): void => {
    const name = key.toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  };
  for (const { key, value } of input.additional_request_headers ?? []) add(key, value);
  if (input.internal) add('x-envoy-internal', 'true');
  const metadata = new Map<string, Obj>();
  for (const entry of input.dynamic_metadata ?? []) {
    if (metadata.has(entry.metadata_namespace) && entry.allow_overwrite !== true) continue;
    metadata.set(entry.metadata_namespace, entry.value);
  }
  return {
    authority: input.authority,
    path: input.path ?? '/',
    method: input.method ?? 'GET',
    forwardedProto: input.ssl ? 'https' : 'http',
    headers,
    random: input.random_value ?? 0,
    dynamicMetadata: metadata,
    tls: input.ssl === true,
  };
}

/** router_check_tool's mock runtime: a fraction is on only for the key the test names, and 0% counts as 1%. */
function mockRuntime(input: RouterCheckInput): Runtime {
  return {
    fractionEnabled: (key, numerator, _denominator, random) => key !== undefined && key === input.runtime && random < Math.max(numerator, 1),
  };
}

/** What router_check_tool reports for a request: route-entry fields are "" for redirects and direct responses. */
function observe(config: RouteConfiguration, input: RouterCheckInput): Record<(typeof CHECKED)[number], string | number> {
  const request = toRequest(input);
  const decision = routeRequest(config, request, mockRuntime(input));
  const action = decision.action;
  const entry = action?.kind === 'cluster' ? action : undefined;
  const fullUrl = `${request.forwardedProto}://${request.authority ?? ''}${request.path}`;
  return {
    cluster_name: entry?.cluster ?? '',
    virtual_host_name: entry ? (decision.vhost.vhost?.name ?? '') : '',
    virtual_cluster_name: entry ? decision.virtualCluster : '',
    path_rewrite: entry?.pathRewrite ?? '',
    host_rewrite: entry?.hostRewrite ?? '',
    path_redirect: action?.kind === 'redirect' ? action.url : action?.kind === 'direct_response' ? fullUrl : '',
    code_redirect: action?.kind === 'redirect' || action?.kind === 'direct_response' ? action.status : 0,
  };
}

const cases = corpusDir
  ? readdirSync(corpusPath('router_check'))
      .filter((f) => f.endsWith('.tests.json'))
      .sort()
  : [];

test("every router_check case gives Envoy's answer", { skip: skipWithoutCorpus }, () => {
  let checked = 0;
  const failures: string[] = [];
  for (const file of cases) {
    const name = file.replace(/\.tests\.json$/, '');
    const config = parse(readFileSync(corpusPath('router_check', `${name}.yaml`), 'utf8')) as RouteConfiguration;
    // TestRoutes.tests.json has a trailing comma, as upstream: it is read as YAML, as Envoy does.
    const tests = (parse(readFileSync(corpusPath('router_check', file), 'utf8')) as { tests: { test_name: string; input: RouterCheckInput; validate: Obj }[] })
      .tests;
    for (const { test_name, input, validate } of tests) {
      const actual = observe(config, input);
      for (const field of CHECKED) {
        if (!(field in validate)) continue;
        checked++;
        const expected = validate[field];
        if (actual[field] !== expected)
          failures.push(`${name}/${test_name}: ${field} expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual[field])}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(checked >= 150, `only ${checked} expectations checked`);
});

test('a route table decision explains the near misses', () => {
  const config: RouteConfiguration = {
    virtual_hosts: [
      {
        name: 'ratings',
        domains: ['ratings', 'ratings:9080'],
        routes: [
          { name: 'jason', match: { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] }, route: { cluster: 'v2' } },
          { match: { path: '/ratings/0', case_sensitive: true }, route: { cluster: 'v1' } },
        ],
      },
      { name: 'wild', domains: ['*.svc', 'rat*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'wild' } }] },
    ],
  };
  const request = toRequest({ authority: 'ratings:9080', path: '/ratings/0?x=1' });
  const decision = routeRequest(config, request);
  assert.equal(decision.vhost.vhost?.name, 'ratings');
  assert.equal(decision.routeName, '#1 path /ratings/0');
  assert.match(decision.routeCandidates[0]?.reason ?? '', /end-user is absent/);
  const viaSuffix = routeRequest(config, toRequest({ authority: 'a.b.svc', path: '/' }));
  assert.equal(viaSuffix.vhost.domain, '*.svc');
  const viaPrefix = routeRequest(config, toRequest({ authority: 'ratings:80', path: '/' }));
  assert.equal(viaPrefix.vhost.domain, 'rat*');
  assert.match(viaPrefix.vhost.candidates[0]?.reason ?? '', /differs in port/);
  // `*` needs at least one character: "*.svc" does not match ".svc".
  const bare = routeRequest(config, toRequest({ authority: '.svc', path: '/' })).vhost;
  assert.equal(bare.vhost, undefined);
  assert.deepEqual(bare.candidates, [{ name: 'wild', reason: '"*.svc" needs at least one character before ".svc"' }]);
});

test("gateway route configs from istioctl's goldens: host with port ignored, path_separated_prefix on whole segments", {
  skip: skipWithoutCorpus,
}, () => {
  const routeConfig = (dir: string, name: string): RouteConfiguration => {
    const decoded = decodeInput(readFileSync(corpusPath('istioctl', dir, 'config_dump.json')), dir);
    assert.equal(decoded.kind, 'config_dump');
    const found = decoded.kind === 'config_dump' ? decoded.dump.routes.find((entry) => entry.resource.name === name) : undefined;
    assert.ok(found, `${dir} has route ${name}`);
    return found.resource;
  };
  const k8s = routeConfig('route-k8s-gateway-http-route-path-prefix', 'http.80');
  const cluster = (config: RouteConfiguration, authority: string, path: string): string | undefined => {
    const action = routeRequest(config, toRequest({ authority, path })).action;
    return action?.kind === 'cluster' ? action.cluster : undefined;
  };
  const httpbin = 'outbound|8000||httpbin.default.svc.cluster.local';
  assert.equal(cluster(k8s, 'httpbin.example.com', '/get'), httpbin);
  assert.equal(cluster(k8s, 'httpbin.example.com:80', '/get/anything?x=1'), httpbin);
  assert.equal(cluster(k8s, 'httpbin.example.com', '/getter'), undefined);
  assert.equal(cluster(k8s, 'other.example.com', '/get'), undefined);
  const istio = routeConfig('route-istio-gateway-http-route-prefix', 'http.8080');
  assert.equal(cluster(istio, 'httpbin.example.com:8080', '/getter'), httpbin);
  assert.equal(cluster(istio, 'httpbin.example.com', '/GET'), undefined);
});
