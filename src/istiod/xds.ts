// placeholder, replaced below
import type { IstiodCliOptions } from '../cli/commands/istiodOptions.ts';
import type { KubeSession } from '../kube/index.ts';
import type { TransportAsk } from './live.ts';

export async function xdsTransport(_session: KubeSession, _options: IstiodCliOptions): Promise<{ ask: TransportAsk; close?: () => Promise<void> }> {
  throw new Error('not implemented');
}
