"""Hostile input: every request here is one a buggy client or a fuzzer could send. Each is
answered in the API's error shape (never a 5xx, a hang or a traceback), and afterwards the
server still serves and every upload it held is listed and intact."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Iterator

import httpx
import pytest
from PIL import Image

from tests.hardening_checks import (
    StoreSnapshot,
    assert_api_error,
    assert_serving,
    leftovers,
    parse_raw,
    raw_request,
    wait_for_no_leftovers,
)
from tests.mock_helpers import REFERENCE_TOKEN, client, path_of, png_bytes, unique_bytes, upload
from tests.server_process import ServerProcess

OWNER = "hardening-owner-token"
ATTACKER = "hardening-attacker-token"
BOUNDARY = "hardening-boundary"


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("hardening-input") / "data"
    args = ["--max-size", "2MB", "--token", OWNER, "--token", ATTACKER]
    with ServerProcess(data, args=args) as process:
        with client(process, OWNER) as http:
            stored = upload(http, ("kept.png", png_bytes()), ("kept.txt", unique_bytes("kept")))
            assert stored.json()["success"] is True, stored.text
        yield process


@pytest.fixture(scope="module")
def before(target: ServerProcess) -> StoreSnapshot:
    return StoreSnapshot.take(target, [REFERENCE_TOKEN, OWNER, ATTACKER])


@pytest.fixture
def attacker(target: ServerProcess) -> Iterator[httpx.Client]:
    with client(target, ATTACKER) as http:
        yield http


def multipart(*parts: tuple[bytes, bytes], boundary: str = BOUNDARY) -> bytes:
    """A multipart body from (part headers, part data) pairs, byte for byte as given."""
    sep = f"--{boundary}".encode()
    return (
        b"".join(sep + b"\r\n" + h + b"\r\n\r\n" + d + b"\r\n" for h, d in parts) + sep + b"--\r\n"
    )


def file_part(name: bytes = b"a.txt", data: bytes = b"data") -> tuple[bytes, bytes]:
    return b'Content-Disposition: form-data; name="files[]"; filename="' + name + b'"', data


def post_upload(http: httpx.Client, body: bytes, content_type: str | None = None) -> httpx.Response:
    kind = f"multipart/form-data; boundary={BOUNDARY}" if content_type is None else content_type
    headers = {"content-type": kind} if kind else {}
    return http.post("/api/upload", content=body, headers=headers)


def raw_get(target: ServerProcess, path: bytes) -> httpx.Response:
    head = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    return parse_raw(raw_request(target, head))


def _raw(target: ServerProcess, data: bytes) -> httpx.Response:
    return parse_raw(raw_request(target, data))


def _upload_head(framing: bytes) -> bytes:
    return (
        b"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\ntoken: " + ATTACKER.encode() + b"\r\n"
        b"Content-Type: multipart/form-data; boundary="
        + BOUNDARY.encode()
        + b"\r\n"
        + framing
        + b"\r\n\r\n"
    )


Case = Callable[[ServerProcess, httpx.Client], httpx.Response]

# (id, request, expected status, a word the description must contain)
HOSTILE: list[tuple[str, Case, int, str]] = [
    # Paths: traversal and control characters never reach the file system.
    ("raw-dotdot", lambda t, h: raw_get(t, b"/../../etc/passwd"), 404, "found"),
    ("encoded-dotdot", lambda t, h: h.get("/..%2f..%2fetc%2fpasswd"), 404, "found"),
    ("dotdot-to-db", lambda t, h: h.get("/%2e%2e%2fdata%2fdiscord-images.sqlite3"), 404, "found"),
    ("database-name", lambda t, h: h.get("/discord-images.sqlite3"), 404, "found"),
    ("files-folder", lambda t, h: raw_get(t, b"/files/UGRmm.jpg"), 404, "found"),
    ("nul-in-name", lambda t, h: h.get("/UGRmm.jpg%00.txt"), 404, "found"),
    ("crlf-in-name", lambda t, h: h.get("/a%0d%0aSet-Cookie:%20x=1"), 404, "found"),
    ("del-in-name", lambda t, h: h.get("/%7f%01%1b"), 404, "found"),
    ("thumb-dotdot", lambda t, h: h.get("/thumbs/..%2f..%2fdiscord-images.sqlite3.png"), 404, ""),
    ("thumb-raw-dotdot", lambda t, h: raw_get(t, b"/thumbs/../files/UGRmm.png"), 404, "found"),
    ("thumb-nul", lambda t, h: h.get("/thumbs/UGRmm%00.png"), 404, "found"),
    ("thumb-control", lambda t, h: h.get("/thumbs/%01%02.png"), 404, "found"),
    # Multipart bodies.
    (
        "part-without-filename",
        lambda t, h: post_upload(
            h, multipart((b'Content-Disposition: form-data; name="files[]"', b"x"))
        ),
        200,
        "No files.",
    ),
    (
        "thousands-of-text-parts",
        lambda t, h: post_upload(
            h, multipart(*[(b'Content-Disposition: form-data; name="f"', b"v")] * 5000)
        ),
        200,
        "Too many parts",
    ),
    (
        "thousands-of-file-parts",
        lambda t, h: post_upload(
            h, multipart(*[file_part(b"%d.txt" % n, b"%d" % n) for n in range(1500)])
        ),
        200,
        "Too many parts",
    ),
    (
        "oversized-text-field",
        lambda t, h: post_upload(
            h, multipart((b'Content-Disposition: form-data; name="note"', b"n" * 1_100_000))
        ),
        200,
        "too long",
    ),
    (
        "oversized-part-header",
        lambda t, h: post_upload(
            h, multipart((file_part()[0] + b"\r\nX-Pad: " + b"p" * 100_000, b"x"))
        ),
        400,
        "header",
    ),
    (
        "oversized-filename",
        lambda t, h: post_upload(h, multipart(file_part(b"a." + b"x" * 50_000))),
        400,
        "header",
    ),
    (
        "wrong-boundary",
        lambda t, h: post_upload(h, multipart(file_part(), boundary="other")),
        400,
        "Malformed",
    ),
    (
        "no-boundary",
        lambda t, h: post_upload(h, multipart(file_part()), "multipart/form-data"),
        400,
        "boundary",
    ),
    (
        "empty-boundary",
        lambda t, h: post_upload(h, multipart(file_part()), "multipart/form-data; boundary="),
        400,
        "boundary",
    ),
    (
        "overlong-boundary",
        lambda t, h: post_upload(
            h,
            multipart(file_part(), boundary="b" * 300),
            "multipart/form-data; boundary=" + "b" * 300,
        ),
        400,
        "Malformed",
    ),
    (
        "body-ends-inside-a-part",
        lambda t, h: post_upload(h, multipart(file_part())[:-30]),
        400,
        "Malformed",
    ),
    (
        "crlf-in-filename",
        lambda t, h: post_upload(h, multipart(file_part(b"a\r\nX-Injected: 1\r\nb.png"))),
        400,
        "Malformed",
    ),
    (
        "disguised-exe",
        lambda t, h: post_upload(h, multipart(file_part("\u202egnp.exe".encode()))),
        200,
        "EXE files are not permitted",
    ),
    ("garbage-body", lambda t, h: post_upload(h, b"\x00\xff" * 1000), 400, "Malformed"),
    (
        "closing-boundary-only",
        lambda t, h: post_upload(h, f"--{BOUNDARY}--\r\n".encode()),
        200,
        "No files.",
    ),
    # Content types.
    (
        "json-for-multipart",
        lambda t, h: h.post("/api/upload", json={"files[]": ["a.txt"]}),
        400,
        "Content-type",
    ),
    (
        "text-plain",
        lambda t, h: post_upload(h, multipart(file_part()), "text/plain"),
        400,
        "Content-type",
    ),
    ("no-content-type", lambda t, h: post_upload(h, multipart(file_part()), ""), 200, "No files."),
    ("no-body", lambda t, h: h.post("/api/upload"), 200, "No files."),
    (
        "form-urlencoded",
        lambda t, h: post_upload(h, b"files%5B%5D=a.txt", "application/x-www-form-urlencoded"),
        400,
        "Content-type",
    ),
    (
        "delete-with-multipart",
        lambda t, h: h.post("/api/upload/delete", files={"id": ("a", b"1")}),
        400,
        "Content-type",
    ),
    (
        "delete-invalid-json",
        lambda t, h: h.post(
            "/api/upload/delete", content=b"{", headers={"content-type": "application/json"}
        ),
        400,
        "",
    ),
    (
        "delete-id-string",
        lambda t, h: h.post("/api/upload/delete", json={"id": "1; DROP"}),
        400,
        "id",
    ),
    ("delete-id-huge", lambda t, h: h.post("/api/upload/delete", json={"id": 10**30}), 200, ""),
    ("verify-token-number", lambda t, h: h.post("/api/tokens/verify", json={"token": 5}), 400, ""),
    # Pages.
    ("negative-page", lambda t, h: h.get("/api/uploads/-1"), 400, "minimum"),
    ("non-numeric-page", lambda t, h: h.get("/api/uploads/abc"), 400, "integer"),
    ("float-page", lambda t, h: h.get("/api/uploads/1.5"), 400, "integer"),
    ("nul-page", lambda t, h: h.get("/api/uploads/%00"), 400, "integer"),
    # Not HTTP, or broken HTTP framing.
    ("not-http", lambda t, h: _raw(t, b"HELLO\r\n\r\n"), 400, "Invalid HTTP"),
    ("bad-request-line", lambda t, h: _raw(t, b"GET /a b c HTTP/1.1\r\n\r\n"), 400, "Invalid"),
    ("header-without-colon", lambda t, h: _raw(t, b"GET / HTTP/1.1\r\nHost\r\n\r\n"), 400, ""),
    (
        "length-and-chunked",
        lambda t, h: _raw(t, _upload_head(b"Content-Length: 5\r\nTransfer-Encoding: chunked")),
        400,
        "Invalid",
    ),
    (
        "bad-chunk-size-mid-upload",
        lambda t, h: _raw(
            t,
            _upload_head(b"Transfer-Encoding: chunked")
            + b"%x\r\n" % len(multipart(file_part())[:60])
            + multipart(file_part())[:60]
            + b"\r\nzz\r\n",
        ),
        400,
        "Invalid",
    ),
    # Request heads far over any real client's.
    (
        "oversized-header",
        lambda t, h: h.get("/api/uploads", headers={"x-pad": "a" * 1_000_000}),
        431,
        "too large",
    ),
    (
        "oversized-url",
        lambda t, h: raw_get(t, b"/api/uploads?" + b"q" * 1_000_000),
        431,
        "too large",
    ),
]


@pytest.mark.parametrize(
    ("request_", "status", "needle"),
    [pytest.param(case, status, needle, id=name) for name, case, status, needle in HOSTILE],
)
def test_hostile_request_gets_the_api_error_shape_and_changes_nothing(
    target: ServerProcess,
    before: StoreSnapshot,
    attacker: httpx.Client,
    request_: Case,
    status: int,
    needle: str,
) -> None:
    description = assert_api_error(request_(target, attacker), status)
    assert needle.lower() in description.lower(), description
    assert_serving(target)
    wait_for_no_leftovers(target)
    before.assert_unchanged(target)


@pytest.mark.parametrize("page", ["99999999999999999999999999", str(2**63 - 1), str(2**62)])
def test_a_huge_page_is_just_past_the_end(
    target: ServerProcess, before: StoreSnapshot, attacker: httpx.Client, page: str
) -> None:
    response = attacker.get(f"/api/uploads/{page}")
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True, "files": []}
    before.assert_unchanged(target)


@pytest.mark.parametrize(
    "filename",
    [
        "../../../escape.txt",
        "..\\..\\escape.txt",
        "/etc/passwd",
        "nul\x00.txt",
        "ctl\x01\x1b\x7f.t\x02xt",
        "..",
        ".",
        "\u202egnp.txt",
        "a." + "x" * 300,
    ],
)
def test_file_names_never_become_paths(
    target: ServerProcess, before: StoreSnapshot, attacker: httpx.Client, filename: str
) -> None:
    data = unique_bytes("name")
    body = multipart(file_part(filename.encode("utf-8", "surrogateescape"), data))
    answer = post_upload(attacker, body).json()
    assert answer["success"] is True, answer
    name = answer["files"][0]["name"]
    # Only a random base and a plain extension: nothing of the client's path survives.
    base, _, ext = name.partition(".")
    assert base.isalnum() and base.isascii() and len(base) == 5, name
    assert ext == "" or (ext.isalnum() and ext.isascii()), name
    assert attacker.get(f"/{name}").content == data
    outside = {p.name for p in target.data_dir.parent.iterdir()}
    assert "escape.txt" not in outside and "passwd" not in outside
    assert attacker.post("/api/upload/delete", json={"id": _id_of(attacker, name)}).json()[
        "success"
    ]
    before.assert_unchanged(target)


def _id_of(http: httpx.Client, name: str) -> int:
    return next(f["id"] for f in http.get("/api/uploads").json()["files"] if f["name"] == name)


def _png(width: int, height: int, mode: str = "1") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _claims_huge_png() -> bytes:
    """A PNG whose header claims 60000x60000 pixels, behind a few KB of zlib stream."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\0" * (60_000 * 4 + 1) * 20, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "#884422").save(buffer, "JPEG")
    return buffer.getvalue()[:700]


IMAGES: list[tuple[str, Callable[[], bytes]]] = [
    ("bomb.png", lambda: _png(20_000, 20_000)),
    ("header-bomb.png", _claims_huge_png),
    ("truncated.png", lambda: png_bytes((400, 400))[:300]),
    ("truncated.jpg", _truncated_jpeg),
    ("not-a-png.png", lambda: b"this is plain text, not an image\n" * 10),
    ("not-a-gif.gif", lambda: b"GIF89a" + b"\xff" * 200),
    ("not-a-webp.webp", lambda: b"RIFF\0\0\0\0WEBPVP8 " + b"\x01" * 100),
]


@pytest.mark.parametrize(("filename", "make"), IMAGES, ids=[name for name, _ in IMAGES])
def test_images_the_thumbnailer_must_refuse(
    target: ServerProcess,
    before: StoreSnapshot,
    attacker: httpx.Client,
    filename: str,
    make: Callable[[], bytes],
) -> None:
    data = make() + unique_bytes("image", 16)
    # A file host stores what it is given: the upload succeeds, byte for byte...
    answer = upload(attacker, (filename, data)).json()
    assert answer["success"] is True, answer
    name = answer["files"][0]["name"]
    entry = next(f for f in attacker.get("/api/uploads").json()["files"] if f["name"] == name)
    assert attacker.get(path_of(entry["file"])).content == data
    # ...but there is no thumbnail to show, and asking for it is an ordinary 404.
    assert_api_error(attacker.get(path_of(entry["thumb"])), 404)
    assert not (target.data_dir / "thumbs" / f"{name.split('.')[0]}.png").exists()
    assert_serving(target)
    assert leftovers(target) == []
    assert attacker.post("/api/upload/delete", json={"id": entry["id"]}).json()["success"]
    before.assert_unchanged(target)


def test_a_large_but_honest_image_still_gets_its_thumbnail(attacker: httpx.Client) -> None:
    # The refusals above are about what an image claims, not its size on the wire.
    answer = upload(attacker, ("wide.png", _png(4000, 3000, "RGB"))).json()
    entry = next(
        f
        for f in attacker.get("/api/uploads").json()["files"]
        if f["name"] == answer["files"][0]["name"]
    )
    thumb = attacker.get(path_of(entry["thumb"]))
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.content)).size == (200, 200)
    attacker.post("/api/upload/delete", json={"id": entry["id"]})


def test_no_traceback_ever_reached_the_log(target: ServerProcess) -> None:
    # Runs last in this module: everything above was answered without an unexpected error.
    log = target.log()
    assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]
