import { envNames, exitCodes, NAME } from './names.js';

/** `ecs-stop --help`. */
export const usage = `Usage: ${NAME} <server> [<server> ...] [options]

Asks Huawei Cloud ECS to stop servers. One server: Nova's stop action
(POST /v2.1/{project_id}/servers/{server_id}/action with {"os-stop": ...}). Several:
Huawei's batch stop (POST /v1/{project_id}/cloudservers/action), which answers with a job;
more than 1,000 servers go out as batches of 1,000, a minute apart (Huawei's limit).
A stop is asynchronous: success means it was accepted; --wait follows it to SHUTOFF.

Arguments:
  <server>                a server ID (a UUID) or a server name; every name is resolved
                          to exactly one server before anything is stopped

Options:
  --type SOFT|HARD        SOFT (graceful, the server's default) or HARD (power off)
  --api batch|nova        the API that stops: batch (Huawei's, one job) or nova (the
                          action on each server); default nova for one server, batch
                          for several
  --dry-run               resolve the names and read every server (credentials,
                          permission, existence), print what would be stopped with each
                          server's status, and stop nothing
  --nova-version v2|v2.1  the Nova API version in the path (default v2.1;
                          --api-version is its former name)
  --endpoint URL          the ECS origin, such as https://ecs.cn-north-4.myhuaweicloud.com
  --region R              a region ID such as cn-north-4, for its standard endpoint
  --allow-insecure-http   allow an http:// endpoint that is not loopback
  --project-id P          the project ID (32 hexadecimal characters)
  --os-cloud NAME         sign in to the cloud NAME of clouds.yaml (and secure.yaml), as
                          OpenStack's clients do: a Keystone or Huawei IAM token, the endpoint
                          and project from its catalog (no --endpoint, --region, --project-id)
  --microversion X.Y      compute microversion such as 2.60, or latest (v2.1 only)
  --timeout-ms N          timeout per attempt in milliseconds (default 30000)
  --wait                  after the stop is accepted, follow the job (batch) and read each
                          server until it is SHUTOFF; progress on stderr: a line per
                          server on a terminal, otherwise a line every few seconds
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
  ${envNames.projectId} or ${envNames.ecsProjectId}
                          the project ID, when --project-id is not given
  ${envNames.endpoint}            the endpoint, when neither --endpoint nor --region is given
  ${envNames.region}  the region, when none of --endpoint, --region, ${envNames.endpoint} is given
  ${envNames.novaVersion}         the Nova API version, when --nova-version is not given
  ${envNames.cloud}, OS_CLIENT_CONFIG_FILE, OS_CLIENT_SECURE_FILE
                          the cloud of clouds.yaml, when --os-cloud is not given and none of
                          the credentials above is set; where clouds.yaml and secure.yaml are
  Empty variables count as unset.

Exit codes:
  ${exitCodes.ok}  every stop was accepted (with --wait: every server is SHUTOFF)
  ${exitCodes.usage}  usage error or bad input (flags, servers, a name that is missing or
     names several servers, environment); nothing was stopped
  ${exitCodes.api}  the API answered with an error (4xx or 5xx)
  ${exitCodes.network}  no answer: network error or timeout
  ${exitCodes.wait}  with --wait: every stop was accepted, but a server went to ERROR,
     disappeared, or was not SHUTOFF in time
  ${exitCodes.partial}  several servers: the stop failed for some (its part of the job failed,
     or its request was refused after others had been accepted); the report lists
     every server's outcome
  ${exitCodes.unexpected}  anything unexpected
  ${exitCodes.closedPipe}  stdout or stderr was closed early (a closed pipe, as with | head); nothing more is written`;
