/**
 * The names a user sees: the program's and the environment variables'. Apart from the other
 * modules, because the option parser, the settings and the help text all quote them.
 */
export const NAME = 'ecs-stop';

export const envNames = {
  ak: 'HUAWEICLOUD_SDK_AK',
  sk: 'HUAWEICLOUD_SDK_SK',
  securityToken: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  token: 'ECS_AUTH_TOKEN',
  projectId: 'HUAWEICLOUD_SDK_PROJECT_ID',
  endpoint: 'ECS_ENDPOINT',
  region: 'HUAWEICLOUD_SDK_REGION',
} as const;
