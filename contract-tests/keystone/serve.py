#!/usr/bin/python3
"""A real OpenStack Keystone (Debian python3-keystone) on 127.0.0.1, for the tests.

Sets Keystone up in a temporary folder (sqlite in WAL mode, bcrypt with 4 rounds, fernet tokens
living --token-seconds), bootstraps it, adds a project `demo` with a member `demo`, an
application credential of that user, and a compute service whose public endpoint is
--compute-url (with `%(project_id)s`), then prints one line `READY {json}` and serves until its
stdin closes or it gets SIGTERM. Only loopback; nothing leaves the machine.
"""
import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ADMIN_PASSWORD = 'admin-' + os.urandom(6).hex()
DEMO_PASSWORD = 'demo-' + os.urandom(6).hex()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def call(url, method='GET', body=None, token=None):
    headers = {'Content-Type': 'application/json'}
    if token:
        headers['X-Auth-Token'] = token
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return response.status, dict(response.headers), (json.loads(text) if text else None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--token-seconds', type=int, default=3600)
    parser.add_argument('--compute-url', default='http://127.0.0.1:9/v2.1/%(project_id)s')
    parser.add_argument('--region', default='RegionOne')
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix='keystone-')
    port = free_port()
    url = f'http://127.0.0.1:{port}/v3'
    conf = os.path.join(home, 'keystone.conf')
    with open(conf, 'w') as f:
        f.write(f"""[DEFAULT]
log_file = {home}/keystone.log
[database]
connection = sqlite:///{home}/keystone.db
[identity]
password_hash_rounds = 4
[token]
provider = fernet
expiration = {args.token_seconds}
[fernet_tokens]
key_repository = {home}/fernet
[fernet_receipts]
key_repository = {home}/fernet
[credential]
key_repository = {home}/credential
[cache]
enabled = false
""")
    env = {**os.environ, 'OS_KEYSTONE_CONFIG_FILES': conf}
    manage = ['/usr/bin/keystone-manage', '--config-file', conf]

    def run(*command):
        done = subprocess.run([*manage, *command], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f'keystone-manage {command[0]} failed')

    run('db_sync')
    # The default journal answers concurrent requests with "database is locked".
    with sqlite3.connect(os.path.join(home, 'keystone.db')) as db:
        db.execute('PRAGMA journal_mode=WAL')
    os.makedirs(os.path.join(home, 'fernet'))
    os.makedirs(os.path.join(home, 'credential'))
    run('fernet_setup', '--keystone-user', 'root', '--keystone-group', 'root')
    run('credential_setup', '--keystone-user', 'root', '--keystone-group', 'root')
    run('bootstrap', '--bootstrap-password', ADMIN_PASSWORD, '--bootstrap-public-url', url,
        '--bootstrap-region-id', args.region)

    def die_with_parent():
        # Linux PR_SET_PDEATHSIG: the server goes when this script goes, however it goes.
        ctypes.CDLL('libc.so.6').prctl(1, signal.SIGTERM)

    server = subprocess.Popen(['/usr/bin/keystone-wsgi-public', '--host', '127.0.0.1', '--port', str(port), '--', '--config-file', conf],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
    stderr_tail = []
    threading.Thread(target=lambda: [stderr_tail.append(line) or stderr_tail.__delitem__(slice(0, -50)) for line in server.stderr], daemon=True).start()

    def stop(*_):
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(home, ignore_errors=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    for _ in range(600):
        if server.poll() is not None:
            sys.stderr.write(''.join(stderr_tail))
            raise SystemExit('keystone-wsgi-public exited')
        try:
            call(url)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    else:
        raise SystemExit('Keystone did not answer')

    def password_auth(name, password, project):
        return {'auth': {'identity': {'methods': ['password'], 'password': {'user': {'name': name, 'domain': {'name': 'Default'}, 'password': password}}},
                         'scope': {'project': {'name': project, 'domain': {'name': 'Default'}}}}}

    # Tokens may live 5 seconds, less than a busy machine takes for all of this: each call gets a fresh one.
    def token_of(name, password, project):
        _, headers, _ = call(f'{url}/auth/tokens', 'POST', password_auth(name, password, project))
        return headers['X-Subject-Token']

    admin = lambda: token_of('admin', ADMIN_PASSWORD, 'admin')  # noqa: E731
    _, _, project = call(f'{url}/projects', 'POST', {'project': {'name': 'demo', 'domain_id': 'default'}}, admin())
    project_id = project['project']['id']
    _, _, user = call(f'{url}/users', 'POST', {'user': {'name': 'demo', 'domain_id': 'default', 'password': DEMO_PASSWORD}}, admin())
    user_id = user['user']['id']
    _, _, roles = call(f'{url}/roles?name=member', token=admin())
    call(f'{url}/projects/{project_id}/users/{user_id}/roles/{roles["roles"][0]["id"]}', 'PUT', None, admin())
    _, _, service = call(f'{url}/services', 'POST', {'service': {'type': 'compute', 'name': 'nova'}}, admin())
    call(f'{url}/endpoints', 'POST', {'endpoint': {'service_id': service['service']['id'], 'interface': 'public',
                                                   'region_id': args.region, 'url': args.compute_url}}, admin())
    _, _, credential = call(f'{url}/users/{user_id}/application_credentials', 'POST',
                            {'application_credential': {'name': 'ecs-stop-tests'}}, token_of('demo', DEMO_PASSWORD, 'demo'))

    ready = {
        'auth_url': url,
        'region': args.region,
        'username': 'demo',
        'user_id': user_id,
        'password': DEMO_PASSWORD,
        'user_domain_name': 'Default',
        'project_name': 'demo',
        'project_id': project_id,
        'project_domain_name': 'Default',
        'application_credential_id': credential['application_credential']['id'],
        'application_credential_secret': credential['application_credential']['secret'],
        'token_seconds': args.token_seconds,
    }
    print('READY ' + json.dumps(ready), flush=True)
    sys.stdin.read()
    stop()


if __name__ == '__main__':
    main()
