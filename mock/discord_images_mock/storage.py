"""The store: SQLite (WAL) for the rows, the uploaded bytes as files beside it.

Several server processes may share one data folder, so nothing here caches what another
process could change except the accounts, which only change at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import sqlite3
import string
import time
from dataclasses import dataclass
from pathlib import Path

from discord_images_mock.formats import IMAGE_EXTENSIONS
from discord_images_mock.settings import REFERENCE_TOKEN, Settings
from discord_images_mock.thumbnails import make_thumbnail

PAGE_SIZE = 25
REFERENCE_USER_ID = 89
REFERENCE_USERNAME = "tester"
PARTIAL_PREFIX = ".partial-"
MAX_OFFSET = 2**62
_NAME_ALPHABET = string.ascii_letters + string.digits

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    enabled INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    base TEXT NOT NULL UNIQUE,
    extname TEXT NOT NULL,
    userid INTEGER,
    albumid INTEGER,
    size INTEGER NOT NULL,
    hash TEXT NOT NULL,
    timestamp INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_by_user ON uploads (userid, id);
CREATE INDEX IF NOT EXISTS uploads_by_content ON uploads (userid, hash, size);
"""


class StoreError(Exception):
    """The data folder cannot be used (unwritable, not a store)."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    enabled: bool = True


@dataclass(frozen=True)
class Upload:
    id: int
    name: str
    base: str
    extname: str
    userid: int | None
    albumid: int | None
    size: int
    hash: str
    timestamp: int


@dataclass
class StagedFile:
    """A file part written to the files folder under a temporary name, not yet in the store."""

    path: Path
    extension: str
    size: int = 0
    md5: str = ""


def token_digest(token: str) -> str:
    # Accounts are looked up by a digest, so neither the database nor a timing difference in
    # the lookup gives away a token.
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class Store:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.files_dir = settings.files_dir
        self.thumbs_dir = settings.thumbs_dir
        self._db: sqlite3.Connection | None = None
        self._users: dict[str, User] = {}
        self._own_writes = 0

    # Opening -------------------------------------------------------------------------

    def prepare(self) -> None:
        """Create, migrate, seed and clean the data folder. Run once, before serving."""
        if self.settings.fresh:
            self._wipe()
        try:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            self.thumbs_dir.mkdir(parents=True, exist_ok=True)
            probe = self.settings.data_dir / f"{PARTIAL_PREFIX}probe"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise StoreError(
                f"data folder {self.settings.data_dir} is not writable: {exc.strerror}"
            ) from exc
        try:
            db = self.connect()
            db.executescript(_SCHEMA)
            self._add_accounts(db)
            if db.execute("SELECT value FROM meta WHERE key = 'seeded'").fetchone() is None:
                self._seed(db)
            self.recover()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.settings.database} is not a usable store: {exc}") from exc

    def _seed(self, db: sqlite3.Connection) -> None:
        from discord_images_mock.seed import seed

        # One transaction: a start killed while seeding seeds again next time, and the files
        # it wrote without rows are removed by `recover`.
        db.execute("BEGIN IMMEDIATE")
        try:
            seed(self)
            db.execute("INSERT INTO meta (key, value) VALUES ('seeded', '1')")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def connect(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                db = sqlite3.connect(
                    self.settings.database,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=30,
                )
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute("PRAGMA foreign_keys = ON")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open {self.settings.database}: {exc}") from exc
            db.row_factory = sqlite3.Row
            self._db = db
        return self._db

    def load_accounts(self) -> None:
        rows = self.connect().execute("SELECT id, username, token_hash, enabled FROM users")
        self._users = {
            row["token_hash"]: User(row["id"], row["username"], bool(row["enabled"]))
            for row in rows
        }

    def _add_accounts(self, db: sqlite3.Connection) -> None:
        with db:
            db.execute(
                "INSERT OR IGNORE INTO users (id, username, token_hash) VALUES (?, ?, ?)",
                (REFERENCE_USER_ID, REFERENCE_USERNAME, token_digest(REFERENCE_TOKEN)),
            )
            for token in self.settings.tokens:
                digest = token_digest(token)
                if db.execute("SELECT 1 FROM users WHERE token_hash = ?", (digest,)).fetchone():
                    continue
                next_id = db.execute("SELECT MAX(id) + 1 FROM users").fetchone()[0]
                db.execute(
                    "INSERT INTO users (id, username, token_hash) VALUES (?, ?, ?)",
                    (next_id, f"user{next_id}", digest),
                )

    def _wipe(self) -> None:
        database = self.settings.database
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        shutil.rmtree(self.files_dir, ignore_errors=True)
        shutil.rmtree(self.thumbs_dir, ignore_errors=True)

    def recover(self) -> None:
        """Remove what a crash or a dropped upload could have left: partial files, and files
        or thumbnails no row points at."""
        names = {row[0] for row in self.connect().execute("SELECT name FROM uploads")}
        bases = {row[0] for row in self.connect().execute("SELECT base FROM uploads")}
        for path in self.files_dir.iterdir():
            if path.name not in names:
                path.unlink(missing_ok=True)
        for path in self.thumbs_dir.iterdir():
            if path.suffix != ".png" or path.stem not in bases:
                path.unlink(missing_ok=True)
        # A crash between an image's commit and its thumbnail leaves it without one.
        marks = ",".join("?" * len(IMAGE_EXTENSIONS))
        rows = self.connect().execute(
            f"SELECT * FROM uploads WHERE extname IN ({marks})", sorted(IMAGE_EXTENSIONS)
        )
        for row in rows.fetchall():
            upload = Upload(**row)
            if not self.thumb_path(upload.base).exists() and self.file_path(upload).exists():
                make_thumbnail(self.file_path(upload), self.thumb_path(upload.base))

    def version(self) -> tuple[int, int]:
        """Changes whenever the uploads may have changed, in this process or another one
        (SQLite's data_version moves with every other connection's commit)."""
        (data_version,) = self.connect().execute("PRAGMA data_version").fetchone()
        return data_version, self._own_writes

    # Accounts -------------------------------------------------------------------------

    def user_for_token(self, token: str) -> User | None:
        digest = token_digest(token)
        user = self._users.get(digest)
        # The dictionary lookup compares digests; compare once more in constant time so that
        # no code path depends on how much of a digest matched.
        if user is not None and hmac.compare_digest(digest, token_digest(token)):
            return user
        return None

    # Uploads --------------------------------------------------------------------------

    def page(self, userid: int | None, page: int) -> list[Upload]:
        if page * PAGE_SIZE > MAX_OFFSET:
            return []  # past any end SQLite can count to
        rows = self.connect().execute(
            "SELECT * FROM uploads WHERE userid IS ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (userid, PAGE_SIZE, page * PAGE_SIZE),
        )
        return [Upload(**row) for row in rows]

    def by_name(self, name: str) -> Upload | None:
        row = self.connect().execute("SELECT * FROM uploads WHERE name = ?", (name,)).fetchone()
        return Upload(**row) if row else None

    def has_base(self, base: str) -> bool:
        row = self.connect().execute("SELECT 1 FROM uploads WHERE base = ?", (base,)).fetchone()
        return row is not None

    def staging_path(self) -> Path:
        return self.files_dir / f"{PARTIAL_PREFIX}{secrets.token_hex(12)}"

    def commit(self, userid: int | None, staged: StagedFile) -> tuple[Upload, bool]:
        """Store a staged file under a new random name, or find the same content this account
        already uploaded. Returns the upload and whether it is new. The staged file is gone
        afterwards either way."""
        db = self.connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT * FROM uploads WHERE userid IS ? AND hash = ? AND size = ?",
                    (userid, staged.md5, staged.size),
                ).fetchone()
                if row is not None:
                    db.execute("COMMIT")
                    return Upload(**row), False
                base = self._new_base(db)
                name = base + staged.extension
                cursor = db.execute(
                    "INSERT INTO uploads (name, base, extname, userid, albumid, size, hash,"
                    " timestamp) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
                    (
                        name,
                        base,
                        staged.extension.lower(),
                        userid,
                        staged.size,
                        staged.md5,
                        int(time.time()),
                    ),
                )
                # Renamed before the commit: a committed row always has its file. A crash in
                # between leaves a file with no row, which `recover` removes at start-up.
                os.replace(staged.path, self.files_dir / name)
                db.execute("COMMIT")
                self._own_writes += 1
            except BaseException:
                db.execute("ROLLBACK")
                raise
            upload_id = cursor.lastrowid
            assert upload_id is not None
            return self.by_id(upload_id), True
        finally:
            staged.path.unlink(missing_ok=True)

    def by_id(self, upload_id: int) -> Upload:
        row = self.connect().execute("SELECT * FROM uploads WHERE id = ?", (upload_id,))
        return Upload(**row.fetchone())

    def insert_seeded(self, upload: Upload) -> None:
        self._own_writes += 1
        self.connect().execute(
            "INSERT INTO uploads (id, name, base, extname, userid, albumid, size, hash,"
            " timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                upload.id,
                upload.name,
                upload.base,
                upload.extname,
                upload.userid,
                upload.albumid,
                upload.size,
                upload.hash,
                upload.timestamp,
            ),
        )

    def _new_base(self, db: sqlite3.Connection) -> str:
        length = self.settings.name_length
        for _ in range(1000):
            base = "".join(secrets.choice(_NAME_ALPHABET) for _ in range(length))
            if db.execute("SELECT 1 FROM uploads WHERE base = ?", (base,)).fetchone() is None:
                return base
        raise RuntimeError(f"no free name of length {length} found; raise --name-length")

    def delete(self, userid: int | None, upload_id: int) -> Upload | None:
        if not -(2**63) <= upload_id < 2**63:
            return None  # no row can have it; SQLite would refuse to even compare it
        db = self.connect()
        rows = db.execute(
            "DELETE FROM uploads WHERE id = ? AND userid IS ? RETURNING *", (upload_id, userid)
        ).fetchall()
        if not rows:
            return None
        self._own_writes += 1
        upload = Upload(**rows[0])
        (self.files_dir / upload.name).unlink(missing_ok=True)
        self.thumb_path(upload.base).unlink(missing_ok=True)
        return upload

    def thumb_path(self, base: str) -> Path:
        return self.thumbs_dir / f"{base}.png"

    def file_path(self, upload: Upload) -> Path:
        return self.files_dir / upload.name

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
