#!/usr/bin/env python3
"""Crash safety: kill -9 Quire during a write load, restart it, check integrity and that
every acknowledged write is present. Bounded in time; targets only 127.0.0.1.

    python3 bench/crash.py [--bin target/release/quire] [--database-url URL] [--seconds 4]

Default database: a fresh SQLite file in a temp dir. With a postgres:// URL, pass an empty
database (the script migrates it). Exit status 0 when every check passes.
Standard library only.
"""
import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "crash-test-password"


def request(base, method, path, token=None, data=None, form=None):
    headers = {}
    body = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def start(binary, env, port):
    proc = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if request(base, "GET", "/healthz")[0] == 200:
                return proc, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.05)
    proc.kill()
    sys.exit("quire did not start")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/quire")
    ap.add_argument("--database-url")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--port", type=int, default=18181)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="quire-crash-")
    url = args.database_url or f"sqlite://{tmp}/crash.db"
    env = dict(os.environ, DATABASE_URL=url, QUIRE_ADMIN_PASSWORD=PASSWORD, QUIRE_BCRYPT_COST="4",
               RUST_LOG="warn")
    proc, base = start(args.bin, env, args.port)
    _, tokens = request(base, "POST", "/api/auth/token",
                        form={"username": "admin", "password": PASSWORD, "scope": "posts:create posts:read"})
    token = tokens["access_token"]

    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()
    errors = []

    def writer(w):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                status, post = request(base, "POST", "/api/posts", token,
                                       {"title": f"crash {w}-{n}", "body": "must survive"})
                if status == 201:
                    with lock:
                        acknowledged.append(post["id"])
                else:
                    errors.append(status)
            except (urllib.error.URLError, ConnectionError, OSError):
                pass  # in flight when the server died: never acknowledged

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(args.writers)]
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    os.kill(proc.pid, signal.SIGKILL)  # mid-write, no shutdown
    proc.wait()
    stop.set()
    for t in threads:
        t.join()
    print(f"acknowledged before kill -9: {len(acknowledged)} posts; non-201 answers: {len(errors)}")

    proc, base = start(args.bin, env, args.port)
    try:
        _, tokens = request(base, "POST", "/api/auth/token",
                            form={"username": "admin", "password": PASSWORD, "scope": "posts:read"})
        token = tokens["access_token"]
        missing = []
        for post_id in acknowledged:
            try:
                request(base, "GET", f"/api/posts/{post_id}", token)
            except urllib.error.HTTPError:
                missing.append(post_id)
        print(f"after restart: {len(acknowledged) - len(missing)} present, {len(missing)} missing")
    finally:
        proc.terminate()
        proc.wait()

    ok = not missing and not errors
    if url.startswith("sqlite://"):
        db = sqlite3.connect(url[len("sqlite://"):])
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        orphans = db.execute("PRAGMA foreign_key_check").fetchall()
        print(f"PRAGMA integrity_check: {integrity}; foreign_key_check violations: {len(orphans)}")
        ok = ok and integrity == "ok" and not orphans
    else:
        out = subprocess.run(["psql", url, "-Atc",
                              "SELECT count(*) FROM posts p LEFT JOIN users u ON u.id = p.author_id WHERE u.id IS NULL"],
                             capture_output=True, text=True)
        print(f"posts without an author (PostgreSQL constraints): {out.stdout.strip() or out.stderr.strip()}")
        ok = ok and out.stdout.strip() == "0"
    print("crash safety:", "ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
