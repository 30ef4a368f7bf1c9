/**
 * The names and numbers a user sees: the program's name, the environment variables and the exit
 * codes. Apart from the other modules, because the option parser, the settings, the reports and
 * the help text all quote them.
 */
export const NAME = 'ecs-stop';

export const envNames = {
  ak: 'HUAWEICLOUD_SDK_AK',
  sk: 'HUAWEICLOUD_SDK_SK',
  securityToken: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  token: 'ECS_AUTH_TOKEN',
  projectId: 'HUAWEICLOUD_SDK_PROJECT_ID',
  /** The contract checks' name for the project, taken too. */
  ecsProjectId: 'ECS_PROJECT_ID',
  endpoint: 'ECS_ENDPOINT',
  region: 'HUAWEICLOUD_SDK_REGION',
  /** The Nova API version (v2 or v2.1), as in the contract checks. */
  novaVersion: 'ECS_API_VERSION',
  /** OpenStack's: the cloud of clouds.yaml to use. */
  cloud: 'OS_CLOUD',
} as const;

export const exitCodes = {
  /** The stop request was accepted (HTTP 202 or 204). */
  ok: 0,
  /** Anything unexpected. */
  unexpected: 1,
  /** Bad command line, environment or input; nothing was sent. */
  usage: 2,
  /** The API answered with an error status. */
  api: 3,
  /** No answer: network error or timeout. */
  network: 4,
  /** With --wait: the stop was accepted but a server did not reach SHUTOFF. */
  wait: 5,
  /**
   * Several servers: the stop failed for at least one of them (its part of the job failed, or its
   * request was refused after others had been accepted). The report lists every server's outcome.
   */
  partial: 6,
  /**
   * stdout or stderr was closed early (EPIPE, as in `ecs-stop --help | head -c0`): 128 + SIGPIPE,
   * which is how a shell reports a program ended by writing to a closed pipe, so that
   * `set -o pipefail` sees ecs-stop as it sees `cat` or `yes`. Nothing more is written, no stack
   * trace is printed, and a --wait in progress is given up (a stop already sent stays sent).
   */
  closedPipe: 141,
} as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
