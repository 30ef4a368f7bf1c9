// The loopback stand-in for ECS's stop action: every request is read to its end and answered
// 202 with no body, as Nova does. Runs in its own process (so its CPU is not the client's),
// listens on 127.0.0.1 only, prints its port on the first line of stdout, and exits when its
// parent closes stdin, on SIGTERM, or after BENCH_SERVER_MAX_S seconds (default 600) whatever
// happens: a bounded server that stops by itself.
import http from 'node:http';

const maxSeconds = Number(process.env.BENCH_SERVER_MAX_S ?? 600);
let requests = 0;

const server = http.createServer((req, res) => {
  requests++;
  req.resume();
  req.on('end', () => {
    res.writeHead(202, {
      'Content-Length': '0',
      'X-Openstack-Request-Id': 'req-6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    });
    res.end();
  });
});
// Keep idle connections across the pauses between rounds (a client's own idle timeout is shorter).
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});

function stop() {
  server.close();
  server.closeAllConnections();
  process.stderr.write(`bench server: ${requests} requests served\n`);
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
setTimeout(stop, maxSeconds * 1000).unref();
