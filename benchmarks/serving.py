"""gunicorn serving benchmarks.wsgi, and one timed HTTP request."""

import http.client
import pathlib
import socket
import subprocess
import sys
import time
import urllib.parse

from benchmarks import BenchError
from benchmarks.databases import ROOT


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def ms(self):
        return self.seconds * 1000


def fetch(port, path, method="GET", headers=None, body=None, timeout=120):
    """One request on a new connection (gunicorn's sync workers close every connection), timed to the last byte."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        seconds = time.perf_counter() - started
        return Response(response.status, response.headers, payload, seconds)
    finally:
        connection.close()


def path_of(link):
    parts = urllib.parse.urlsplit(link)
    return parts.path + ("?" + parts.query if parts.query else "")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving benchmarks.wsgi on a free port, its log in a file; stopped by its own pid."""

    def __init__(self, env, workers, worker_class, log_dir, label, extra=()):
        self.port = free_port()
        self.workers, self.worker_class = workers, worker_class
        self.log_path = pathlib.Path(log_dir) / f"gunicorn-{label}.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            *extra,
            "benchmarks.wsgi:application",
        ]
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if fetch(self.port, "/api/v1/", timeout=5).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer within {seconds} s:\n{self.log_tail()}")

    def worker_pids(self):
        pids = set()
        for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.add(int(stat.parent.name))
        return pids

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
