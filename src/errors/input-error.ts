import { EcsError } from './ecs-error.js';

/**
 * Thrown before any request is sent when an argument or option is unusable. `field` names
 * the offending input (`serverId`, `auth.sk`, `endpoint`, ...). The message never contains
 * the value of a secret.
 */
export class EcsInputError extends EcsError {
  override readonly name = 'EcsInputError';
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.field = field;
  }

  toJSON() {
    return { name: this.name, message: this.message, field: this.field };
  }
}
