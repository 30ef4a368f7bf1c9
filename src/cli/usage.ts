import { envNames, exitCodes, NAME } from './names.js';

/** `ecs-stop --help`. */
export const usage = `Usage: ${NAME} <server-id> [options]

Asks Huawei Cloud ECS to stop a server (POST /v2.1/{project_id}/servers/{server_id}/action
with {"os-stop": ...}). The stop is asynchronous: success means the request was accepted;
read the server until its status is SHUTOFF to confirm.

Arguments:
  <server-id>             the server's ID, a UUID

Options:
  --type SOFT|HARD        SOFT (graceful, the server's default) or HARD (power off)
  --nova-version v2|v2.1  the Nova API version in the path (default v2.1;
                          --api-version is its former name)
  --endpoint URL          the ECS origin, such as https://ecs.cn-north-4.myhuaweicloud.com
  --region R              a region ID such as cn-north-4, for its standard endpoint
  --project-id P          the project ID (32 hexadecimal characters)
  --microversion X.Y      compute microversion such as 2.60, or latest (v2.1 only)
  --timeout-ms N          timeout per attempt in milliseconds (default 30000)
  --wait                  after the stop is accepted, read the server until it is SHUTOFF
                          (a progress line shows state and elapsed time on a terminal)
  --timeout S             with --wait: give up after S seconds (default 600)
  --ok-if-stopped         a server that is already stopped counts as success (exit 0)
  --json                  print exactly one JSON line on stdout, for success and failure,
                          and nothing on stderr
  -h, --help              print this help
  --version               print the version

Environment (credentials are read from here only; there are no flags for secrets):
  ${envNames.ak}, ${envNames.sk}
                          AK/SK request signing (SDK-HMAC-SHA256)
  ${envNames.securityToken}
                          with temporary AK/SK only
  ${envNames.token}          an IAM token instead of AK/SK (set one kind only)
  ${envNames.projectId}
                          the project ID, when --project-id is not given
  ${envNames.endpoint}            the endpoint, when neither --endpoint nor --region is given
  ${envNames.region}  the region, when none of --endpoint, --region, ${envNames.endpoint} is given
  Empty variables count as unset.

Exit codes:
  ${exitCodes.ok}  the stop request was accepted (HTTP 202 or 204)
  ${exitCodes.usage}  usage error or bad input (flags, server ID, environment); nothing was sent
  ${exitCodes.api}  the API answered with an error (4xx or 5xx)
  ${exitCodes.network}  no answer: network error or timeout
  ${exitCodes.wait}  with --wait: the server went to ERROR, disappeared, or was not SHUTOFF in time
  ${exitCodes.unexpected}  anything unexpected
  ${exitCodes.closedPipe}  stdout or stderr was closed early (a closed pipe, as with | head); nothing more is written`;
