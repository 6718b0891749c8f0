// Where the branch's local agent answers gRPC-Web: VITE_AGENT_URL in development, else the page's own origin (the
// agent serves this app on its gRPC port).
export function agentUrl(): string {
  const configured = import.meta.env.VITE_AGENT_URL as string | undefined;
  if (configured) {
    if (!/^https?:\/\/[^/]+$/.test(configured)) throw new Error(`VITE_AGENT_URL must be http(s)://host:port, got ${configured}`);
    return configured;
  }
  return window.location.origin;
}
