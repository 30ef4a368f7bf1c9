#!/usr/bin/python3
"""Serve a real OpenStack Nova (Zed) compute API on a loopback socket.

Nova's own functional-test harness provides sqlite databases, an in-process
Placement, Glance/Neutron/Cinder fixtures and a fake oslo.messaging bus; the
conductor, scheduler and compute services are the real ones, the compute
using nova's fake virt driver. The compute API is nova-api's own eventlet
WSGI server with the api-paste.ini kept next to this file.

Prints one line `READY {json}` on stdout once the servers are ACTIVE, logs to
stderr, and stops on SIGTERM or SIGINT. Needs Debian's python3-nova,
python3-placement, python3-oslotest and python3-wsgi-intercept.
"""
import argparse
import datetime
import gc
import importlib.util
import json
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT_ID = '6f70656e737461636b20342065766572'  # owns the fixtures' network
IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'  # served by GlanceFixture
FLAVOR_ID = '1'  # m1.tiny, created by DefaultFlavorsFixture
BOOT_TIMEOUT = 120.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, default=0,
                        help='port on 127.0.0.1 (default: chosen by the OS)')
    parser.add_argument('--auth', choices=('noauth2', 'keystone'),
                        default='noauth2')
    parser.add_argument('--servers', type=int, default=1,
                        help='servers to boot at startup (default 1)')
    parser.add_argument('--names', type=json.loads, default=[],
                        metavar='JSON',
                        help='names of the servers to boot, as a JSON array '
                        '(may repeat a name); as many servers are booted '
                        'as named, or --servers if more, the others named '
                        'server-N (default: all server-1, server-2, ...)')
    parser.add_argument('--power-off-delay', type=float, default=2.0,
                        metavar='SECONDS',
                        help="the fake hypervisor's power-off time "
                        '(default 2)')
    parser.add_argument('--other-project',
                        default='0f7e4c3b9a8d4e2f8c1b5a6d7e9f0a1b',
                        help='id of a second project, known only via tokens')
    parser.add_argument('--verbose', action='store_true',
                        help='log at INFO level (default: warnings only)')
    return parser.parse_args()


ARGS = parse_args()
if not (isinstance(ARGS.names, list)
        and all(isinstance(name, str) and name for name in ARGS.names)):
    sys.exit('serve.py: --names must be a JSON array of non-empty strings')

if importlib.util.find_spec('nova') is None:
    sys.exit('serve.py: %s has no nova module: install Debian\'s packages with\n'
             '  apt-get install --no-install-recommends python3-nova '
             'python3-placement python3-oslotest python3-wsgi-intercept'
             % sys.executable)

# oslotest reads these: no test timeout (SIGALRM), no capture of stdout/stderr.
for _var in ('OS_TEST_TIMEOUT', 'OS_STDOUT_CAPTURE', 'OS_STDERR_CAPTURE',
             'OS_LOG_CAPTURE', 'OS_DEBUG'):
    os.environ[_var] = '0'
# Only IP addresses are used. Eventlet's green DNS would load dnspython and
# urllib3 before nova's monkey patching: about 1 s more, and a warning.
os.environ['EVENTLET_NO_GREENDNS'] = 'yes'

import nova.monkey_patch  # noqa: E402,F401  eventlet, as every nova service
import webob.dec  # noqa: E402,F401  nova/api/wsgi.py uses it unimported

import http.client  # noqa: E402
import logging  # noqa: E402
import secrets  # noqa: E402
import threading  # noqa: E402
import warnings  # noqa: E402

import fixtures  # noqa: E402
import keystonemiddleware.auth_token  # noqa: E402,F401  registers its options
from keystonemiddleware import fixture as ksm_fixture  # noqa: E402
from nova import service  # noqa: E402
from nova import test  # noqa: E402
from nova.tests import fixtures as nova_fixtures  # noqa: E402
from nova.tests.functional import fixtures as func_fixtures  # noqa: E402
from nova.virt import fake  # noqa: E402
from oslo_utils import timeutils  # noqa: E402


# Warnings that every start gives and that say nothing about this setup.
EXPECTED_WARNINGS = (
    ('nova.service', 'Running %s using eventlet is deprecated'),
    ('nova.api.auth', "'[api]auth_strategy=noauth2' is deprecated"),
    ('nova.compute.manager', 'Compute node %s not found in the database'),
    ('nova.compute.manager', 'No compute node record found for host'),
    ('nova.compute.resource_tracker', 'No compute node record for'),
    ('oslo_messaging.rpc.client', 'Using RPCClient manually'),
    # auth_token has no auth plugin set: it never reaches Keystone here.
    ('keystonemiddleware.auth_token', 'Use of the auth_admin_prefix'),
    ('keystonemiddleware.auth_token', 'Configuring admin URI using auth'),
    ('keystonemiddleware.auth_token', 'Using the in-process token cache'),
    # About the harness's fake policy file, replaced by the real defaults.
    ('oslo_policy.policy', ''),
)


class DropExpectedWarnings(logging.Filter):
    def filter(self, record):
        return not (record.levelno == logging.WARNING and any(
            record.name == name and prefix in str(record.msg)
            for name, prefix in EXPECTED_WARNINGS))


class StderrLogging(fixtures.Fixture):
    """Replaces nova's StandardLogging, which keeps every record in memory."""

    def setUp(self):
        super().setUp()
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(
            '%(asctime)s %(levelname)s [%(name)s] %(message)s'))
        level = logging.INFO if ARGS.verbose else logging.WARNING
        if not ARGS.verbose:
            handler.addFilter(DropExpectedWarnings())
        self.useFixture(fixtures.LogHandler(handler, level=level))


nova_fixtures.StandardLogging = StderrLogging


class NovaHarness(test.TestCase):
    """The fixtures of integrated_helpers._IntegratedTestBase.setUp, minus two.

    Left out: CastAsCallFixture, which turns RPC casts into calls so that
    create and stop would answer only once the compute host is done; and
    OSAPIFixture, which serves the API through wsgi-intercept, not a socket.
    """

    REQUIRES_LOCKING = True  # as _IntegratedTestBase: a temporary lock_path

    def __init__(self):
        super().__init__('serve')
        self.shutting_down = threading.Event()

    def serve(self):
        """Unused: a test case needs a test method to be built."""

    def setUp(self):
        super().setUp()
        if not ARGS.verbose:
            # Set by the harness's WarningsFixture to show them all; e.g.
            # paste.deploy's about the healthcheck filter of api-paste.ini.
            warnings.simplefilter('ignore', DeprecationWarning)
        self.useFixture(func_fixtures.PlacementFixture())
        self.useFixture(nova_fixtures.NeutronFixture(self))
        self.useFixture(nova_fixtures.CinderFixture(self))
        self.useFixture(nova_fixtures.GlanceFixture(self))
        self.useFixture(nova_fixtures.RealPolicyFixture())
        self.useFixture(nova_fixtures.NotificationFixture(self))
        # So that --servers and the clients' own boots are not capped by the
        # default quota of 10 instances.
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')

        self.flags(compute_driver='fake.FakeDriver')
        power_off = fake.FakeDriver.power_off

        def slow_power_off(driver, instance, timeout=0, retry_interval=0):
            # A green wait (eventlet patched threading); cut short at exit,
            # which otherwise waits for the compute's in-flight calls.
            self.shutting_down.wait(ARGS.power_off_delay)
            power_off(driver, instance, timeout, retry_interval)

        self.stub_out('nova.virt.fake.FakeDriver.power_off', slow_power_off)

        self.flags(transport_url=self.cell_mappings['cell1'].transport_url)
        self.start_service('conductor')
        self.start_service('scheduler')
        self._start_compute('compute')

        self.flags(auth_strategy=ARGS.auth, group='api')
        self.flags(api_paste_config=os.path.join(HERE, 'api-paste.ini'),
                   keep_alive=True,  # nova's default; the harness turns it off
                   group='wsgi')
        self.flags(osapi_compute_listen='127.0.0.1',
                   osapi_compute_listen_port=ARGS.port)
        self.tokens = self._make_tokens()
        api = service.WSGIService('osapi_compute')
        api.start()
        self.addCleanup(api.stop)
        self.port = api.port
        self.url = 'http://127.0.0.1:%d' % api.port

    def _make_tokens(self):
        users = {'member': ('member', PROJECT_ID, ['member', 'reader']),
                 'admin': ('admin', PROJECT_ID, ['admin', 'member', 'reader']),
                 'other': ('other', ARGS.other_project, ['member', 'reader'])}
        if ARGS.auth == 'noauth2':
            # Nova's noauth2 reads `user:project`; user "admin" is an admin.
            return {k: '%s:%s' % (u, p) for k, (u, p, _) in users.items()}
        # The real auth_token middleware, with keystonemiddleware's fixture
        # in place of Keystone's token validation.
        self.flags(www_authenticate_uri='http://127.0.0.1:5000/v3',
                   service_token_roles_required=True,  # else a warning
                   group='keystone_authtoken')
        ksm = self.useFixture(ksm_fixture.AuthTokenFixture())
        expires = timeutils.utcnow() + datetime.timedelta(days=365)
        tokens = {key: secrets.token_hex(16) for key in users}
        for key, (user, project, roles) in users.items():
            ksm.add_token_data(
                token_id=tokens[key], expires=expires, user_id=user,
                user_name=user, project_id=project, project_name=project,
                role_list=roles)
        return tokens

    def request(self, method, path, token, body=None):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        headers = {'Accept': 'application/json'}
        if token:
            headers['X-Auth-Token'] = token
        if body is not None:
            body = json.dumps(body)
            headers['Content-Type'] = 'application/json'
        try:
            conn.request(method, path, body, headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        if resp.status >= 400:
            raise RuntimeError('%s %s: %d %s' % (
                method, path, resp.status, data.decode(errors='replace')))
        return json.loads(data) if data else None

    def boot_servers(self, count, names, stopping):
        token = self.tokens['member']
        base = '/v2.1/%s/servers' % PROJECT_ID
        ids = []
        for n in range(max(count, len(names))):
            name = names[n] if n < len(names) else 'server-%d' % (n + 1)
            body = {'server': {'name': name,
                               'imageRef': IMAGE_ID, 'flavorRef': FLAVOR_ID}}
            ids.append(self.request('POST', base, token, body)['server']['id'])
        deadline = time.monotonic() + BOOT_TIMEOUT
        for server_id in ids:
            while True:
                server = self.request('GET', '%s/%s' % (base, server_id),
                                      token)['server']
                if server['status'] == 'ACTIVE':
                    break
                if server['status'] == 'ERROR':
                    raise RuntimeError('server %s went to ERROR: %s' % (
                        server_id, server.get('fault')))
                if stopping():
                    raise RuntimeError('interrupted by a signal')
                if time.monotonic() > deadline:
                    raise RuntimeError('server %s not ACTIVE (status %s)' % (
                        server_id, server['status']))
                time.sleep(0.1)
        return ids

    def run_cleanups(self):
        self.shutting_down.set()
        if not ARGS.verbose:
            # Work still in flight fails noisily as services and databases go.
            logging.disable(logging.ERROR)
        while self._cleanups:
            function, args, kwargs = self._cleanups.pop()
            try:
                function(*args, **kwargs)
            except Exception as exc:
                print('serve.py: cleanup %r failed: %s' % (function, exc),
                      file=sys.stderr)


def main():
    stop = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.append(True))

    harness = NovaHarness()
    try:
        harness.setUp()
        max_version = next(v['version'] for v in harness.request(
            'GET', '/', None)['versions'] if v['id'] == 'v2.1')
        server_ids = harness.boot_servers(ARGS.servers, ARGS.names,
                                          lambda: stop)
        if stop:
            raise RuntimeError('interrupted by a signal')
    except Exception as exc:
        if ARGS.verbose:
            traceback.print_exc()
        print('serve.py: startup failed: %s' % exc, file=sys.stderr)
        harness.run_cleanups()
        return 1

    ready = {
        'url': harness.url, 'auth': ARGS.auth, 'project_id': PROJECT_ID,
        'member_token': harness.tokens['member'],
        'admin_token': harness.tokens['admin'],
        'other_project_id': ARGS.other_project,
        'other_token': harness.tokens['other'],
        'server_ids': server_ids,
        'server_id': server_ids[0] if server_ids else None,
        'image_id': IMAGE_ID, 'flavor_id': FLAVOR_ID,
        'max_microversion': max_version,
    }
    print('READY ' + json.dumps(ready, separators=(',', ':')), flush=True)

    # A signal handler may run in any green thread, so it only sets a flag.
    while not stop:
        time.sleep(0.2)
    harness.run_cleanups()
    return 0


if __name__ == '__main__':
    code = main()
    # Spares the exit's garbage collection of nova's object graph, which
    # takes seconds; the cleanups have run.
    gc.freeze()
    sys.exit(code)
