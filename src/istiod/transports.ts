// The ways of asking istiod for its debug data, in the order modern istioctl uses them.
// Names only: the clients live in live.ts, loaded by the commands that talk to a cluster.

/** `xds`: istio.io/debug over ADS on :15012; `http`: /debug/… on :15014; `exec`: pilot-discovery request. */
export const ISTIOD_TRANSPORTS = ['xds', 'http', 'exec'] as const;
export type IstiodTransport = (typeof ISTIOD_TRANSPORTS)[number];
