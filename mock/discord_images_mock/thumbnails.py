"""200x200 PNG thumbnails of image uploads, made with Pillow.

A thumbnail is a courtesy: an upload that Pillow cannot read, or that would take too much
memory to decode, simply has none (its `thumb` URL then answers 404).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

from PIL import Image, ImageOps

SIZE = (200, 200)
# A decompression bomb (a small file that decodes to a huge bitmap) is refused, not decoded:
# at 4 bytes a pixel this bounds a decode to about 100 MB.
MAX_PIXELS = 25_000_000

log = logging.getLogger("discord_images_mock")


def make_thumbnail(source: Path, target: Path) -> bool:
    """Write `target` from the image in `source`; False when there is nothing to show."""
    partial = target.with_name(f".partial-{target.name}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return False
                # JPEG can decode at a fraction of its size, which is all a thumbnail needs.
                image.draft("RGB", (SIZE[0] * 2, SIZE[1] * 2))
                # Shrunk in its own mode before any copy or conversion: the full-size bitmap
                # is held once, not three times (a 25-megapixel PNG took 190 MB otherwise).
                frame = _shrunk(image, max(image.size) // (2 * max(SIZE)))
                frame = ImageOps.exif_transpose(frame) or frame
                frame = frame.convert("RGBA")
                frame.thumbnail(SIZE)
        canvas = Image.new("RGBA", SIZE, (0, 0, 0, 0))
        canvas.paste(frame, ((SIZE[0] - frame.width) // 2, (SIZE[1] - frame.height) // 2))
        canvas.save(partial, "PNG")
        os.replace(partial, target)
        return True
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as exc:
        log.info("no thumbnail for %s: %s", source.name, exc)
        partial.unlink(missing_ok=True)
        return False


def _shrunk(image: Image.Image, factor: int) -> Image.Image:
    if factor <= 1:
        return image
    if image.mode in ("1", "P"):
        # Palette pixels cannot be averaged, and converting first would copy the whole
        # bitmap at 4 bytes a pixel: every factor-th pixel is plenty for a preview.
        size = (-(-image.width // factor), -(-image.height // factor))
        return image.resize(size, Image.Resampling.NEAREST)
    return image.reduce(factor)
