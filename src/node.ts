/**
 * `huaweicloud-ecs-stop/node`: what only Node can run (node:http, files and the environment), kept out of the main entry so that
 * browsers, Deno and Bun never load it.
 */
export { nodeTransport } from './transport/node-transport.js';
export type { NodeTransportOptions } from './transport/node-transport.js';
export { connectCloud, fromCloudsYaml, loadCloud } from './cloud-config.js';
export type { CloudConfigOptions, CloudSettings } from './cloud-config.js';
