/**
 * The base of every error this package throws: `catch (e) { if (e instanceof EcsError) ... }`
 * tells them from everything else. Each subclass renders (`toJSON`) only fields that cannot hold
 * a credential.
 */
export abstract class EcsError extends Error {
  abstract override readonly name: string;
}
