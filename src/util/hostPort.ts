/** `host:port`, an IPv6 address in brackets (`[fd00::1]:80`), as Go's net.JoinHostPort writes it. */
export function hostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
