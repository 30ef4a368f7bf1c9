/**
 * The one registry of secrets in use (tokens, SK, security tokens, request signatures), shared by
 * the client's errors and the CLI's output: whatever it has seen is cut out of any text it applies to.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private sorted: string[] | undefined;

  /** Registers a secret, raw and as JSON would escape it. Under 4 characters it cannot be swept. */
  add(secret: string | null | undefined): void {
    if (typeof secret !== 'string' || secret.length < 4 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) this.secrets.add(escaped);
    this.sorted = undefined;
  }

  /** Registers what a request carries: its token, its security token and its signature. */
  addFromRequest(request: { headers: { get(name: string): string | null | undefined } }): void {
    this.add(request.headers.get('x-auth-token'));
    this.add(request.headers.get('x-security-token'));
    const authorization = request.headers.get('authorization');
    if (typeof authorization === 'string') this.add(/Signature=([^,\s]+)/.exec(authorization)?.[1] ?? authorization);
  }

  /** `text` with every registered secret replaced by `[redacted]`. */
  apply<T extends string | undefined>(text: T): T {
    if (text === undefined || this.secrets.size === 0) return text;
    // Longest first, so that a secret containing another is replaced whole.
    this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length);
    let result: string = text;
    for (const secret of this.sorted) result = result.split(secret).join('[redacted]');
    return result as T;
  }
}
