/**
 * The ECS regions of Huawei's official SDKs (their `services/ecs/v2/region` table), each served
 * at `https://ecs.{region}.myhuaweicloud.com`. The spec's `region` server variable lists the same
 * (a unit test keeps them equal). For any other host, give `endpoint`.
 */
export const regions = [
  'cn-north-1', 'cn-north-2', 'cn-north-4', 'cn-north-9', 'cn-north-11', 'cn-north-12',
  'cn-east-2', 'cn-east-3', 'cn-east-4', 'cn-east-5',
  'cn-south-1', 'cn-south-2', 'cn-south-4', 'cn-southwest-2', 'cn-southwest-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'my-kualalumpur-1',
  'af-south-1', 'af-north-1', 'sa-brazil-1', 'la-north-2', 'la-south-2', 'na-mexico-1',
  'tr-west-1', 'me-east-1', 'ae-ad-1', 'eu-west-0', 'eu-west-101', 'ru-moscow-1',
] as const;
export type Region = (typeof regions)[number];
