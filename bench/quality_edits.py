"""Re-shared variants of a picture for bench/quality.py: the edits people and apps make.

Every edit is a function ``(image, rng) -> bytes``: it takes an upright RGB PIL image and a seeded
random generator (for the sides of a crop, the spot of a sticker, ...) and returns the encoded
file a platform would receive, so the variant is decoded by stukje's own ``load_picture``.
Everything stays in memory.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Final

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

Rng = np.random.Generator
Edit = Callable[[Image.Image, Rng], bytes]

#: The group each edit belongs to, for the goals: ordinary edits, exact dihedral, framing
#: (borders, screenshot), crops, small rotations, and combinations.
#: "between" holds crops and turns that fall between the submission set's grid points.
GROUPS: Final = ("ordinary", "dihedral", "framing", "crop", "rotation", "combination", "between")


def encode(image: Image.Image, fmt: str = "PNG", quality: int = 90) -> bytes:
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, "PNG", compress_level=1)
    else:
        image.save(out, fmt, quality=quality)
    return out.getvalue()


def jpeg(quality: int) -> Edit:
    return lambda image, rng: encode(image, "JPEG", quality)


def resized(factor: float) -> Edit:
    def edit(image: Image.Image, rng: Rng) -> bytes:
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        return encode(image.resize(size, Image.Resampling.LANCZOS), "JPEG", 90)

    return edit


def webp(image: Image.Image, rng: Rng) -> bytes:
    return encode(image, "WEBP", 75)


def blur(image: Image.Image, rng: Rng) -> bytes:
    radius = max(image.size) / 400
    return encode(image.filter(ImageFilter.GaussianBlur(radius)), "JPEG", 90)


def noise(image: Image.Image, rng: Rng) -> bytes:
    pixels = np.asarray(image, dtype=np.float32)
    noisy = pixels + rng.normal(0.0, 12.0, pixels.shape)
    return encode(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)), "JPEG", 90)


def gamma(image: Image.Image, rng: Rng) -> bytes:
    table = [round(255 * (value / 255) ** 0.6) for value in range(256)] * 3
    return encode(image.point(table), "JPEG", 90)


def brightness(image: Image.Image, rng: Rng) -> bytes:
    return encode(ImageEnhance.Brightness(image).enhance(1.3), "JPEG", 90)


def contrast(image: Image.Image, rng: Rng) -> bytes:
    return encode(ImageEnhance.Contrast(image).enhance(0.7), "JPEG", 90)


def greyscale(image: Image.Image, rng: Rng) -> bytes:
    return encode(ImageOps.grayscale(image), "JPEG", 90)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def with_caption(image: Image.Image) -> Image.Image:
    """A chat-app caption: white text on a translucent dark band across the lower part."""
    out = image.convert("RGBA")
    band = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(band)
    height = max(12, out.height // 9)
    top = int(out.height * 0.72)
    draw.rectangle((0, top, out.width, top + height), fill=(0, 0, 0, 140))
    draw.text(
        (out.width // 2, top + height // 2),
        "lol look at this",
        fill=(255, 255, 255, 255),
        font=_font(int(height * 0.7)),
        anchor="mm",
    )
    return Image.alpha_composite(out, band).convert("RGB")


def caption(image: Image.Image, rng: Rng) -> bytes:
    return encode(with_caption(image), "JPEG", 85)


def sticker(image: Image.Image, rng: Rng) -> bytes:
    """A round yellow face sticker, a sixth of the short side, somewhere on the picture."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    size = min(out.size) // 6
    x = int(rng.uniform(0.05, 0.95) * (out.width - size))
    y = int(rng.uniform(0.05, 0.95) * (out.height - size))
    draw.ellipse((x, y, x + size, y + size), fill=(255, 204, 0), outline=(120, 80, 0), width=3)
    eye = size // 8
    for ex in (x + size // 3, x + 2 * size // 3):
        draw.ellipse((ex - eye, y + size // 3 - eye, ex + eye, y + size // 3 + eye), fill="black")
    draw.arc(
        (x + size // 4, y + size // 3, x + 3 * size // 4, y + 4 * size // 5), 20, 160, "black", 4
    )
    return encode(out, "JPEG", 85)


def screenshot_of(image: Image.Image) -> Image.Image:
    """The picture as a phone shows it: a 9:19.5 black screen, status bar, picture fit to width."""
    width = 720
    height = 1560
    screen = Image.new("RGB", (width, height), (0, 0, 0))
    scale = min(width / image.width, (height - 200) / image.height)
    shown = image.resize(
        (round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR
    )
    screen.paste(shown, ((width - shown.width) // 2, (height - shown.height) // 2))
    draw = ImageDraw.Draw(screen)
    draw.text((28, 14), "12:34", fill=(255, 255, 255), font=_font(26))
    for step in range(4):  # signal strength bars
        draw.rectangle((560 + 9 * step, 36 - 6 * step, 566 + 9 * step, 40), fill="white")
    draw.rectangle((620, 18, 668, 40), outline="white", width=2)  # battery
    draw.rectangle((624, 22, 654, 36), fill="white")
    draw.rounded_rectangle((260, height - 24, 460, height - 16), 4, fill=(200, 200, 200))
    return screen


def screenshot(image: Image.Image, rng: Rng) -> bytes:
    return encode(screenshot_of(image), "JPEG", 85)


def _colour(rng: Rng) -> tuple[int, int, int]:
    choice = int(rng.integers(3))
    if choice == 0:
        return (0, 0, 0)
    if choice == 1:
        return (255, 255, 255)
    red, green, blue = rng.integers(0, 256, 3)
    return (int(red), int(green), int(blue))


def bordered(share: float) -> Edit:
    """A solid border (black, white or a random colour) of ``share`` of each side's length."""

    def edit(image: Image.Image, rng: Rng) -> bytes:
        pad_x, pad_y = round(image.width * share), round(image.height * share)
        return encode(ImageOps.expand(image, (pad_x, pad_y), fill=_colour(rng)), "JPEG", 90)

    return edit


def crop_box(size: tuple[int, int], share: float, rng: Rng) -> tuple[int, int, int, int]:
    """Remove ``share`` of the width and of the height, split between the sides at random."""
    width, height = size
    cut_x, cut_y = share * width, share * height
    left, top = rng.uniform() * cut_x, rng.uniform() * cut_y
    return (round(left), round(top), round(width - cut_x + left), round(height - cut_y + top))


def cropped(share: float) -> Edit:
    def edit(image: Image.Image, rng: Rng) -> bytes:
        return encode(image.crop(crop_box(image.size, share, rng)), "JPEG", 90)

    return edit


def transposed(method: Image.Transpose) -> Edit:
    return lambda image, rng: encode(image.transpose(method), "JPEG", 90)


def rotated(degrees: float) -> Edit:
    """A small rotation either way, same size, black corners (as Thorn's benchmark does)."""

    def edit(image: Image.Image, rng: Rng) -> bytes:
        angle = degrees if rng.uniform() < 0.5 else -degrees
        turned = image.rotate(angle, Image.Resampling.BICUBIC, expand=False, fillcolor=(0, 0, 0))
        return encode(turned, "JPEG", 90)

    return edit


def crop_caption_jpeg(image: Image.Image, rng: Rng) -> bytes:
    return encode(with_caption(image.crop(crop_box(image.size, 0.10, rng))), "JPEG", 50)


def crop_border_jpeg(image: Image.Image, rng: Rng) -> bytes:
    inner = image.crop(crop_box(image.size, 0.05, rng))
    pad = (round(inner.width * 0.1), round(inner.height * 0.1))
    return encode(ImageOps.expand(inner, pad, fill=_colour(rng)), "JPEG", 70)


def screenshot_of_crop(image: Image.Image, rng: Rng) -> bytes:
    inner = image.crop(crop_box(image.size, 0.10, rng))
    return encode(screenshot_of(with_caption(inner)), "JPEG", 70)


def mirror_crop_jpeg(image: Image.Image, rng: Rng) -> bytes:
    """A mirrored selfie, cropped: left-right mirror, crop 5 %, JPEG quality 70."""
    mirrored = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return encode(mirrored.crop(crop_box(mirrored.size, 0.05, rng)), "JPEG", 70)


def mirror_crop_caption_jpeg(image: Image.Image, rng: Rng) -> bytes:
    return crop_caption_jpeg(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), rng)


def turn_crop_jpeg(image: Image.Image, rng: Rng) -> bytes:
    """Turned a quarter (either way), cropped 5 %, JPEG quality 70."""
    way = Image.Transpose.ROTATE_90 if rng.uniform() < 0.5 else Image.Transpose.ROTATE_270
    turned = image.transpose(way)
    return encode(turned.crop(crop_box(turned.size, 0.05, rng)), "JPEG", 70)


def turn_caption(image: Image.Image, rng: Rng) -> bytes:
    """Turned a quarter (either way), then captioned."""
    way = Image.Transpose.ROTATE_90 if rng.uniform() < 0.5 else Image.Transpose.ROTATE_270
    return encode(with_caption(image.transpose(way)), "JPEG", 90)


#: name -> (group, edit), in the order of the report.
EDITS: Final[dict[str, tuple[str, Edit]]] = {
    "jpeg q90": ("ordinary", jpeg(90)),
    "jpeg q70": ("ordinary", jpeg(70)),
    "jpeg q50": ("ordinary", jpeg(50)),
    "jpeg q30": ("ordinary", jpeg(30)),
    "resize 0.5": ("ordinary", resized(0.5)),
    "resize 0.25": ("ordinary", resized(0.25)),
    "resize 2.0": ("ordinary", resized(2.0)),
    "webp q75": ("ordinary", webp),
    "blur": ("ordinary", blur),
    "noise": ("ordinary", noise),
    "gamma 0.6": ("ordinary", gamma),
    "brightness +30%": ("ordinary", brightness),
    "contrast -30%": ("ordinary", contrast),
    "greyscale": ("ordinary", greyscale),
    "caption": ("ordinary", caption),
    "sticker": ("ordinary", sticker),
    "rotate 90": ("dihedral", transposed(Image.Transpose.ROTATE_90)),
    "rotate 180": ("dihedral", transposed(Image.Transpose.ROTATE_180)),
    "rotate 270": ("dihedral", transposed(Image.Transpose.ROTATE_270)),
    "mirror": ("dihedral", transposed(Image.Transpose.FLIP_LEFT_RIGHT)),
    "screenshot": ("framing", screenshot),
    "border 10%": ("framing", bordered(0.10)),
    "border 20%": ("framing", bordered(0.20)),
    "crop 5%": ("crop", cropped(0.05)),
    "crop 10%": ("crop", cropped(0.10)),
    "crop 20%": ("crop", cropped(0.20)),
    "rotate 2°": ("rotation", rotated(2)),
    "rotate 4°": ("rotation", rotated(4)),
    "crop 7.5%": ("between", cropped(0.075)),
    "crop 15%": ("between", cropped(0.15)),
    "rotate 1°": ("between", rotated(1)),
    "rotate 3°": ("between", rotated(3)),
    "crop 10% + caption + jpeg q50": ("combination", crop_caption_jpeg),
    "crop 5% + border 10% + jpeg q70": ("combination", crop_border_jpeg),
    "screenshot of crop 10% + caption": ("combination", screenshot_of_crop),
    "mirror + crop 5% + jpeg q70": ("combination", mirror_crop_jpeg),
    "mirror + crop 10% + caption + jpeg q50": ("combination", mirror_crop_caption_jpeg),
    "turn 90 + crop 5% + jpeg q70": ("combination", turn_crop_jpeg),
    "turn 90 + caption": ("combination", turn_caption),
}
