"""The sandbox's demo photos, for trainees whose device has no suitable picture.

They are drawn here with Pillow, not photographed: no person, place or photographer is in them,
so there is no licence or consent question. Shapes, gradients and noise are enough for them to
read as a meeting, a posyandu, a kerja bakti and a flag ceremony at a glance on a phone, and
to pass Warta's photo checks (size, light, sharpness, not a near-duplicate of each other).

A fixed seed makes every run draw the same pictures:
    .venv/bin/python -m bot.sandbox.draw_demo_photos
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from handlers.recap import fonts

W, H = 1280, 960  # 4:3, what Telegram keeps of a phone photo
SS = 2  # drawn at twice the size and shrunk: smooth edges without antialiased drawing
SEED = 2025
QUALITY = 85
OUT = Path(__file__).parent / "demo_photos"
FONT = Path(fonts.__file__).parent / "DejaVuSans-Bold.ttf"

RGB = tuple[int, int, int]
Point = tuple[float, float]
Box = tuple[float, float, float, float]
Size = tuple[int, int]
Texture = Callable[[Size], Image.Image]
Fill = RGB | Texture

SKIN: list[RGB] = [(196, 146, 108), (176, 124, 88), (160, 110, 78), (204, 160, 124)]
HAIR: RGB = (28, 22, 20)
KHAKI: RGB = (176, 152, 104)  # civil servants' uniform
KADER: RGB = (220, 120, 160)  # posyandu volunteers' pink
# Batik-like colourways: ground and motif.
BATIK: list[tuple[RGB, RGB]] = [
    ((120, 70, 34), (226, 196, 140)),  # sogan
    ((38, 52, 104), (214, 214, 226)),  # indigo
    ((128, 34, 44), (226, 176, 80)),  # maroon and gold
    ((44, 96, 70), (224, 206, 110)),  # green
    ((54, 96, 164), (206, 220, 240)),  # Korpri blue
    ((150, 60, 110), (240, 200, 220)),  # pink
]


# Textures: a function from a size (in canvas pixels) to an RGB image of that size.


def solid(colour: RGB) -> Texture:
    return lambda size: Image.new("RGB", size, colour)


def _ramp(size: Size, across: bool = False) -> Image.Image:
    ramp = Image.linear_gradient("L")  # black at the top, white at the bottom
    return (ramp.rotate(90) if across else ramp).resize(size, Image.Resampling.BILINEAR)


def gradient(start: RGB, end: RGB, across: bool = False) -> Texture:
    """Top to bottom, or left to right when across."""

    def make(size: Size) -> Image.Image:
        ends = Image.new("RGB", size, end), Image.new("RGB", size, start)
        return Image.composite(*ends, _ramp(size, across))

    return make


def _profile(values: Sequence[float], size: Size, across: bool) -> Image.Image:
    line = Image.new("L", (len(values), 1) if across else (1, len(values)))
    line.putdata([round(255 * v) for v in values])
    return line.resize(size, Image.Resampling.BILINEAR).convert("RGB")


def shaded(fill: Fill, across: Sequence[float] = (), down: Sequence[float] = ()) -> Texture:
    """Darken a texture by a light profile (1 = as is), to make flat shapes look round."""
    base = as_texture(fill)

    def make(size: Size) -> Image.Image:
        image = base(size)
        for values, is_across in ((across, True), (down, False)):
            if values:
                image = ImageChops.multiply(image, _profile(values, size, is_across))
        return image

    return make


def noise(rng: random.Random, size: Size, cells: Size, amount: float) -> Image.Image:
    """Smooth value noise around mid-grey: a neutral overlay plus or minus amount * 128."""
    raw = Image.frombytes("L", cells, rng.randbytes(cells[0] * cells[1]))
    smooth = raw.resize(size, Image.Resampling.BICUBIC)
    return smooth.point(lambda v: round(128 + (v - 128) * amount)).convert("RGB")


def mottled(fill: Fill, rng: random.Random, blobs: int, amount: float) -> Texture:
    """Uneven paint, grass or asphalt: noise of about `blobs` cells across, and finer grit."""
    base = as_texture(fill)

    def make(size: Size) -> Image.Image:
        image = base(size)
        for across, strength in ((blobs, amount), (blobs * 6, amount * 0.6)):
            cells = max(2, across), max(2, across * size[1] // max(1, size[0]))
            image = ImageChops.overlay(image, noise(rng, size, cells, strength))
        return image

    return make


def batik(ground: RGB, ink: RGB, across: int = 5) -> Texture:
    """Kawung-like motif: four petals around each point of a grid, `across` per width."""

    def make(size: Size) -> Image.Image:
        image = Image.new("RGB", size, ground)
        draw = ImageDraw.Draw(image)
        cell = max(6, size[0] // across)
        r = cell * 0.22
        for row in range(-1, size[1] // cell + 2):
            for col in range(-1, across + 2):
                x, y = col * cell + (cell // 2) * (row % 2), row * cell
                for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    cx, cy = x + dx * r * 1.1, y + dy * r * 1.1
                    rx, ry = (r, r * 0.55) if dx else (r * 0.55, r)
                    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=ink)
                draw.ellipse((x - r * 0.25, y - r * 0.25, x + r * 0.25, y + r * 0.25), fill=ground)
        return image

    return make


def as_texture(fill: Fill) -> Texture:
    return solid(fill) if isinstance(fill, tuple) else fill


def darker(colour: RGB, factor: float) -> RGB:
    r, g, b = (min(255, round(c * factor)) for c in colour)
    return r, g, b


ROUND = (0.62, 0.9, 1.0, 0.95, 0.82, 0.6)  # a lit cylinder, light from the left


class Canvas:
    """A picture drawn at SS times its size, in the final picture's coordinates."""

    def __init__(self, rng: random.Random, background: Fill) -> None:
        self.rng = rng
        self.image = as_texture(background)((W * SS, H * SS))
        self.draw = ImageDraw.Draw(self.image)

    def polygon(self, points: Sequence[Point], fill: Fill) -> None:
        pts = [(x * SS, y * SS) for x, y in points]
        # Clipped to the canvas: ground reaching the camera projects far outside it.
        x0 = max(0, math.floor(min(p[0] for p in pts)))
        y0 = max(0, math.floor(min(p[1] for p in pts)))
        x1 = min(W * SS, math.ceil(max(p[0] for p in pts)))
        y1 = min(H * SS, math.ceil(max(p[1] for p in pts)))
        if x1 <= x0 or y1 <= y0:
            return
        mask = Image.new("L", (x1 - x0 + 1, y1 - y0 + 1))
        ImageDraw.Draw(mask).polygon([(x - x0, y - y0) for x, y in pts], fill=255)
        self._paste(x0, y0, mask, fill)

    def rect(self, box: Box, fill: Fill, radius: float = 0) -> None:
        x0, y0, mask = self._mask(box)
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, mask.width - 1, mask.height - 1), radius=radius * SS, fill=255
        )
        self._paste(x0, y0, mask, fill)

    def ellipse(self, box: Box, fill: Fill) -> None:
        x0, y0, mask = self._mask(box)
        ImageDraw.Draw(mask).ellipse((0, 0, mask.width - 1, mask.height - 1), fill=255)
        self._paste(x0, y0, mask, fill)

    def line(self, points: Sequence[Point], colour: RGB, width: float) -> None:
        pts = [(x * SS, y * SS) for x, y in points]
        self.draw.line(pts, fill=colour, width=max(1, round(width * SS)), joint="curve")

    def soft(self, box: Box, colour: RGB, opacity: float, blur: float) -> None:
        """A blurred ellipse of colour: shadows under things, glows, clouds."""
        pad = blur * 3
        x0, y0, mask = self._mask((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
        p = pad * SS
        ImageDraw.Draw(mask).ellipse(
            (p, p, mask.width - p, mask.height - p), fill=round(255 * opacity)
        )
        self.image.paste(colour, (x0, y0), mask.filter(ImageFilter.GaussianBlur(blur * SS)))

    def text(self, at: Point, words: str, size: float, colour: RGB) -> None:
        font = ImageFont.truetype(str(FONT), round(size * SS))
        self.draw.text((at[0] * SS, at[1] * SS), words, fill=colour, font=font, anchor="mm")

    def _mask(self, box: Box) -> tuple[int, int, Image.Image]:
        x0, y0 = math.floor(box[0] * SS), math.floor(box[1] * SS)
        x1, y1 = math.ceil(box[2] * SS), math.ceil(box[3] * SS)
        return x0, y0, Image.new("L", (max(1, x1 - x0), max(1, y1 - y0)))

    def _paste(self, x0: int, y0: int, mask: Image.Image, fill: Fill) -> None:
        self.image.paste(as_texture(fill)(mask.size), (x0, y0), mask)

    def finish(self) -> Image.Image:
        """Shrink, then what a phone camera adds: lens falloff, sensor grain, sharpening."""
        picture = self.image.resize((W, H), Image.Resampling.LANCZOS)
        falloff = Image.radial_gradient("L").resize((W, H), Image.Resampling.BILINEAR)
        picture = ImageChops.multiply(
            picture, falloff.point(lambda v: 255 - max(0, v - 120) * 2 // 3).convert("RGB")
        )
        grain = Image.frombytes("L", (W, H), self.rng.randbytes(W * H))
        grain = grain.point(lambda v: 128 + (v - 128) // 9).filter(ImageFilter.GaussianBlur(0.6))
        picture = ImageChops.overlay(picture, grain.convert("RGB"))
        return picture.filter(ImageFilter.UnsharpMask(radius=1.5, percent=60, threshold=2))


# People: simple silhouettes, feet at `foot`, `h` pixels tall.


@dataclass(frozen=True)
class Outfit:
    shirt: RGB
    ink: RGB | None = None  # batik motif colour; None: a plain shirt
    legs: RGB = (44, 44, 54)
    skirt: bool = False  # a long skirt or gamis in the shirt's cloth
    head: str = "hair"  # hair, hijab, peci, cap
    cover: RGB = HAIR  # colour of the hair, hijab, peci or cap
    skin: RGB = SKIN[0]
    back: bool = False  # seen from behind


def cloth(outfit: Outfit, across: int = 7) -> Texture:
    plain = outfit.ink is None
    base = solid(outfit.shirt) if plain else batik(outfit.shirt, outfit.ink or HAIR, across)
    return shaded(base, across=ROUND, down=(1.0, 0.92, 0.85))


def person(c: Canvas, foot: Point, h: float, outfit: Outfit, hands: Sequence[Point] = ()) -> None:
    """A standing figure; `hands` moves the left and then the right hand to those points."""
    x, y = foot
    top = y - h
    c.soft((x - 0.2 * h, y - 0.03 * h, x + 0.2 * h, y + 0.03 * h), (0, 0, 0), 0.45, 0.02 * h)
    _legs(c, x, y, h, outfit)
    upper_body(c, (x, top), h, outfit, hands)


def _legs(c: Canvas, x: float, y: float, h: float, outfit: Outfit) -> None:
    top = y - h
    if outfit.skirt:
        shape = [(x - 0.14 * h, top + 0.48 * h), (x + 0.14 * h, top + 0.48 * h)]
        shape += [(x + 0.18 * h, y - 0.02 * h), (x - 0.18 * h, y - 0.02 * h)]
        c.polygon(shape, cloth(outfit, 8))
    else:
        for side in (-1, 1):
            x0 = x + side * 0.065 * h
            box = (x0 - 0.055 * h, top + 0.5 * h, x0 + 0.055 * h, y - 0.02 * h)
            c.rect(box, shaded(outfit.legs, across=ROUND), radius=0.02 * h)
    for side in (-1, 1):
        x0 = x + side * 0.07 * h
        c.ellipse((x0 - 0.065 * h, y - 0.04 * h, x0 + 0.065 * h, y + 0.005 * h), (22, 20, 20))


def upper_body(
    c: Canvas, head_top: Point, h: float, outfit: Outfit, hands: Sequence[Point] = ()
) -> None:
    """Head, arms and torso of a figure `h` tall (also all that shows of one sitting)."""
    x, top = head_top
    shoulders = [(x - 0.15 * h, top + 0.2 * h), (x + 0.15 * h, top + 0.2 * h)]
    sleeve = darker(outfit.shirt, 0.8)
    rest = [(x - 0.17 * h, top + 0.47 * h), (x + 0.17 * h, top + 0.47 * h)]
    ends = list(hands) + rest[len(hands) :]
    for shoulder, hand in zip(shoulders, ends, strict=True):
        c.line([shoulder, hand], sleeve, 0.075 * h)
    torso = (x - 0.155 * h, top + 0.155 * h, x + 0.155 * h, top + 0.53 * h)
    c.rect(torso, cloth(outfit), radius=0.06 * h)
    for hx, hy in ends:
        c.ellipse((hx - 0.03 * h, hy - 0.03 * h, hx + 0.03 * h, hy + 0.035 * h), outfit.skin)
    c.rect((x - 0.03 * h, top + 0.12 * h, x + 0.03 * h, top + 0.17 * h), darker(outfit.skin, 0.8))
    head(c, (x, top), h, outfit)


def head(c: Canvas, head_top: Point, h: float, outfit: Outfit) -> None:
    x, top = head_top
    box = (x - 0.06 * h, top, x + 0.06 * h, top + 0.145 * h)
    face = shaded(outfit.skin, across=ROUND)
    cover = shaded(outfit.cover, across=ROUND)
    if outfit.head == "hijab":
        drape = [(x - 0.08 * h, top + 0.08 * h), (x + 0.08 * h, top + 0.08 * h)]
        drape += [(x + 0.16 * h, top + 0.27 * h), (x - 0.16 * h, top + 0.27 * h)]
        c.polygon(drape, cover)
        c.ellipse((box[0] - 0.018 * h, box[1] - 0.012 * h, box[2] + 0.018 * h, box[3]), cover)
        if not outfit.back:
            c.ellipse((x - 0.042 * h, top + 0.035 * h, x + 0.042 * h, top + 0.14 * h), face)
        return
    c.ellipse(box, face)
    hair = outfit.cover if outfit.head == "hair" else HAIR
    if outfit.back:
        c.ellipse((box[0], box[1], box[2], box[3] - 0.02 * h), shaded(hair, across=ROUND))
    else:
        c.ellipse((box[0], box[1] - 0.005 * h, box[2], box[1] + 0.07 * h), hair)
    if outfit.head == "peci":
        c.rect((box[0] + 0.004 * h, top - 0.03 * h, box[2] - 0.004 * h, top + 0.035 * h), cover)
    elif outfit.head == "cap":
        c.ellipse((box[0] - 0.004 * h, top - 0.012 * h, box[2] + 0.004 * h, top + 0.06 * h), cover)
        if not outfit.back:
            brim = (x - 0.07 * h, top + 0.035 * h, x + 0.07 * h, top + 0.06 * h)
            c.ellipse(brim, darker(outfit.cover, 0.8))


def batik_outfits(rng: random.Random, n: int, **fixed: object) -> list[Outfit]:
    """n outfits in different batik colourways, as far as they go; keywords fix the rest."""
    ways = rng.sample(BATIK, len(BATIK))
    outfits = []
    for i in range(n):
        ground, ink = ways[i % len(ways)]
        options: dict[str, object] = {"shirt": ground, "ink": ink, "skin": rng.choice(SKIN)}
        outfits.append(Outfit(**(options | fixed)))  # type: ignore[arg-type]
    return outfits


# Ground-plane projection, for the outdoor scenes: metres to pixels.


@dataclass(frozen=True)
class Camera:
    cx: float  # vanishing point
    horizon: float
    focal: float  # pixels per metre at one metre
    height: float  # of the camera, metres

    def at(self, x: float, z: float, up: float = 0.0) -> Point:
        return self.cx + self.focal * x / z, self.horizon + self.focal * (self.height - up) / z

    def scale(self, z: float) -> float:
        return self.focal / z


def ground_quad(cam: Camera, x0: float, x1: float, z0: float, z1: float) -> list[Point]:
    return [cam.at(x0, z0), cam.at(x1, z0), cam.at(x1, z1), cam.at(x0, z1)]


def sky(c: Canvas, horizon: float) -> None:
    c.rect((0, 0, W, horizon + 40), gradient((92, 150, 214), (200, 222, 238)))
    for cx, cy, w in ((210, 90, 260), (700, 60, 200), (1060, 130, 300), (460, 170, 160)):
        for dx in (-0.3, 0.0, 0.3):
            box = (cx + dx * w - w * 0.3, cy - w * 0.12, cx + dx * w + w * 0.3, cy + w * 0.12)
            c.soft(box, (250, 250, 252), 0.75, w * 0.05)


def tree(c: Canvas, base: Point, size: float, rng: random.Random) -> None:
    x, y = base
    c.rect((x - size * 0.05, y - size * 0.7, x + size * 0.05, y), (74, 54, 38))
    for _ in range(9):
        dx, dy = rng.uniform(-0.4, 0.4) * size, rng.uniform(-1.15, -0.55) * size
        r = rng.uniform(0.22, 0.34) * size
        leaf = rng.choice([(46, 104, 52), (58, 122, 60), (38, 88, 46), (70, 132, 64)])
        texture = mottled(shaded(leaf, down=(1.1, 1.0, 0.7)), rng, 5, 0.5)
        c.ellipse((x + dx - r, y + dy - r, x + dx + r, y + dy + r), texture)


# The four scenes.


def meeting(rng: random.Random) -> Image.Image:
    """Rapat koordinasi: officials behind a head table under a banner, attendees' backs."""
    c = Canvas(rng, mottled(gradient((226, 214, 190), (196, 180, 152)), rng, 12, 0.15))
    c.soft((300, 40, 980, 360), (250, 244, 226), 0.5, 60)
    c.rect((0, 470, W, 640), mottled(gradient((112, 72, 44), (86, 54, 34)), rng, 30, 0.2))
    _floor_tiles(c, rng, 640)
    _window(c, (40, 110, 230, 440))
    _banner(c, (270, 80, 1010, 290), (28, 72, 140), ("RAPAT KOORDINASI", "KECAMATAN SUKAMAJU"))
    _flag_stand(c, (1140, 640))
    seats = [270, 455, 640, 825, 1010]
    officials = batik_outfits(rng, len(seats))
    officials[2] = replace(officials[2], head="peci")  # the camat, in the middle
    officials[3] = replace(officials[3], head="hijab", cover=(60, 90, 120))
    for x, outfit in zip(seats, officials, strict=True):
        c.rect((x - 70, 380, x + 70, 600), (60, 30, 30), radius=20)  # chair back
        upper_body(c, (x, 425), 390, outfit, hands=[(x - 40, 605), (x + 45, 605)])
    _head_table(c, (150, 595, 1130, 790), seats)
    attendees = batik_outfits(rng, 4, back=True)
    attendees[1] = replace(attendees[1], head="hijab", cover=(120, 40, 60))
    for x, outfit in zip((150, 470, 800, 1130), attendees, strict=True):
        upper_body(c, (x, 700), 1000, outfit)
    return c.finish()


def _floor_tiles(
    c: Canvas,
    rng: random.Random,
    top: float,
    colours: tuple[RGB, RGB] = ((178, 170, 160), (206, 200, 190)),
) -> None:
    c.rect((0, top, W, H), mottled(gradient(*colours), rng, 24, 0.3))
    vx, vy = 640.0, 300.0
    for xb in range(-2600, 3900, 260):
        xt = vx + (xb - vx) * (top - vy) / (H - vy)
        c.line([(xt, top), (xb, H)], (150, 142, 132), 1.5)
    for k in range(12):
        y = vy + (H - vy) / (1 + 0.28 * k)
        if y > top:
            c.line([(0, y), (W, y)], (150, 142, 132), 1.5)


def _window(c: Canvas, box: Box) -> None:
    x0, y0, x1, y1 = box
    c.rect(box, (240, 240, 236))
    c.rect((x0 + 10, y0 + 10, x1 - 10, y1 - 10), gradient((190, 220, 245), (236, 244, 248)))
    c.line([((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], (240, 240, 236), 8)
    c.line([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)], (240, 240, 236), 8)
    folds = (0.6, 1.0, 0.7, 1.0, 0.65, 0.95, 0.6)
    for cx0 in (x0 - 30, x1 - 35):
        c.rect((cx0, y0 - 20, cx0 + 65, y1 + 40), shaded((150, 40, 50), across=folds))
    c.rect((x0 - 45, y0 - 34, x1 + 45, y0 - 14), shaded((200, 160, 70), down=(1.0, 0.7)))
    c.soft((x0 + 60, y1 + 150, x1 + 260, y1 + 280), (255, 250, 235), 0.25, 40)


def _banner(c: Canvas, box: Box, colour: RGB, lines: tuple[str, str]) -> None:
    x0, y0, x1, y1 = box
    c.soft((x0 + 6, y0 + 10, x1 + 6, y1 + 14), (0, 0, 0), 0.3, 10)
    c.rect(box, gradient(colour, darker(colour, 0.7)))
    c.rect((x0, y1 - 26, x1, y1 - 13), (200, 30, 40))
    c.rect((x0, y1 - 13, x1, y1), (245, 245, 245))
    cx = (x0 + x1) / 2
    c.text((cx, y0 + (y1 - y0) * 0.36), lines[0], (y1 - y0) * 0.21, (255, 255, 255))
    c.text((cx, y0 + (y1 - y0) * 0.64), lines[1], (y1 - y0) * 0.12, (250, 220, 120))
    for ex in (x0 + 48, x1 - 48):
        c.ellipse((ex - 30, y0 + 46, ex + 30, y0 + 106), gradient((250, 214, 90), (190, 140, 40)))
        c.ellipse((ex - 18, y0 + 58, ex + 18, y0 + 94), darker(colour, 1.2))


def _flag_stand(c: Canvas, base: Point) -> None:
    x, y = base
    c.soft((x - 60, y - 12, x + 60, y + 10), (0, 0, 0), 0.4, 8)
    c.rect((x - 40, y - 18, x + 40, y), (180, 150, 60), radius=6)
    c.line([(x, y - 10), (x, 150)], (200, 170, 80), 7)
    c.ellipse((x - 10, 138, x + 10, 158), (230, 200, 90))
    folds = (0.7, 1.0, 0.8, 1.0, 0.7)
    c.polygon(
        [(x + 3, 165), (x + 40, 175), (x + 36, 360), (x + 3, 300)],
        shaded((210, 30, 40), across=folds),
    )
    c.polygon(
        [(x + 3, 300), (x + 36, 360), (x + 30, 520), (x + 3, 470)],
        shaded((245, 245, 245), across=folds),
    )


def _head_table(c: Canvas, box: Box, seats: Sequence[float]) -> None:
    x0, y0, x1, y1 = box
    c.soft((x0, y1 - 20, x1, y1 + 30), (0, 0, 0), 0.5, 16)
    pleats = [0.72 + 0.28 * abs(math.sin(i * 0.9)) for i in range(40)]
    c.rect((x0, y0 + 22, x1, y1), shaded((40, 110, 70), across=pleats, down=(1.0, 0.8)))
    c.rect((x0 - 10, y0, x1 + 10, y0 + 26), gradient((250, 250, 246), (214, 212, 206)))
    c.rect((x0, y0 + 26, x1, y0 + 50), shaded((236, 200, 90), across=pleats[::2]))
    for x in seats:
        c.polygon(
            [(x - 58, y0 + 8), (x + 18, y0 + 8), (x + 12, y0 - 30), (x - 52, y0 - 30)],
            (250, 250, 250),
        )
        c.line([(x + 34, y0 + 4), (x + 52, y0 - 60)], (30, 30, 30), 3)
        c.ellipse((x + 46, y0 - 72, x + 60, y0 - 56), (40, 40, 40))
        c.rect(
            (x - 90, y0 - 44, x - 72, y0 + 6),
            gradient((210, 230, 245), (120, 170, 210), across=True),
            radius=4,
        )
        c.rect((x - 92, y0 - 52, x - 70, y0 - 42), (30, 90, 170), radius=3)
        paper = [(x + 62, y0 + 12), (x + 132, y0 + 12), (x + 122, y0 - 6), (x + 68, y0 - 6)]
        c.polygon(paper, (196, 220, 238))  # a document folder


def posyandu(rng: random.Random) -> Image.Image:
    """Posyandu: kader at a table with a baby scale, mothers queuing with their children."""
    c = Canvas(rng, mottled(gradient((206, 230, 200), (172, 204, 170)), rng, 10, 0.18))
    c.soft((700, -100, 1500, 500), (255, 252, 236), 0.45, 80)  # daylight from the open side
    _floor_tiles(c, rng, 600, ((214, 212, 204), (236, 234, 228)))
    _banner(c, (60, 50, 720, 230), (200, 70, 120), ("POSYANDU MAWAR", "RW 05 KELURAHAN SUKAMAJU"))
    _growth_chart(c, (790, 70, 970, 320))
    _plate_poster(c, (1010, 80, 1220, 310))
    for x, cover in ((320, (200, 80, 130)), (560, (120, 60, 120))):
        kader = Outfit(KADER, (250, 220, 230), head="hijab", cover=cover, skin=rng.choice(SKIN))
        c.rect((x - 60, 360, x + 60, 580), (40, 110, 60), radius=14)  # plastic chair
        upper_body(c, (x, 380), 380, kader, hands=[(x - 30, 585), (x + 50, 580)])
    _service_table(c, (80, 570, 760, 760))
    _queue(c, rng)
    _pot_plant(c, rng, (1210, 930), 260)
    return c.finish()


def _growth_chart(c: Canvas, box: Box) -> None:
    x0, y0, x1, y1 = box
    c.soft((x0 + 5, y0 + 8, x1 + 5, y1 + 10), (0, 0, 0), 0.25, 8)
    c.rect(box, (250, 250, 246))
    c.text(((x0 + x1) / 2, y0 + 18), "KMS", 20, (40, 120, 70))
    bands = [(236, 90, 80), (250, 210, 80), (110, 190, 110), (250, 210, 80)]
    for i, colour in enumerate(bands):
        k = i * 22
        top = [(x0 + 12, y1 - 60 - k), (x1 - 12, y0 + 70 - k)]
        c.polygon([*top, (x1 - 12, y0 + 92 - k), (x0 + 12, y1 - 38 - k)], colour)
    c.line([(x0 + 20, y1 - 70), (x0 + 70, y1 - 120), (x1 - 30, y0 + 100)], (30, 60, 160), 3)


def _plate_poster(c: Canvas, box: Box) -> None:
    x0, y0, x1, y1 = box
    c.soft((x0 + 5, y0 + 8, x1 + 5, y1 + 10), (0, 0, 0), 0.25, 8)
    c.rect(box, gradient((255, 236, 180), (250, 200, 120)))
    c.text(((x0 + x1) / 2, y0 + 24), "ISI PIRINGKU", 20, (150, 60, 30))
    cx, cy, r = (x0 + x1) / 2, y0 + 130, 72
    c.ellipse((cx - r - 8, cy - r - 8, cx + r + 8, cy + r + 8), (245, 245, 245))
    sectors = [(230, 230, 220), (90, 160, 70), (200, 120, 60), (240, 180, 60)]
    for i, colour in enumerate(sectors):
        c.draw.pieslice(
            ((cx - r) * SS, (cy - r) * SS, (cx + r) * SS, (cy + r) * SS),
            i * 90,
            i * 90 + 90,
            colour,
        )
    c.rect((x0 + 30, y1 - 44, x1 - 30, y1 - 30), (150, 60, 30), radius=6)


def _service_table(c: Canvas, box: Box) -> None:
    x0, y0, x1, y1 = box
    c.soft((x0, y1 - 16, x1, y1 + 26), (0, 0, 0), 0.45, 14)
    folds = [0.78 + 0.22 * abs(math.sin(i * 1.3)) for i in range(30)]
    c.rect((x0 + 8, y0 + 20, x1 - 8, y1), shaded((120, 180, 226), across=folds, down=(1, 0.8)))
    c.rect((x0, y0, x1, y0 + 24), gradient((252, 252, 250), (214, 216, 214)))
    _baby_scale(c, (x0 + 30, y0 - 10))
    book = [(x0 + 300, y0 + 8), (x0 + 470, y0 + 8), (x0 + 450, y0 - 22), (x0 + 318, y0 - 22)]
    c.polygon(book, (248, 248, 240))
    c.line([(x0 + 385, y0 + 8), (x0 + 384, y0 - 22)], (180, 180, 170), 2)
    for i in range(4):
        y = y0 - 16 + i * 6
        c.line([(x0 + 326 + i, y), (x0 + 375, y)], (150, 150, 160), 1.5)
        c.line([(x0 + 395, y), (x0 + 445 - i, y)], (150, 150, 160), 1.5)
    for i, colour in enumerate(((236, 140, 170), (120, 170, 230), (236, 140, 170))):
        x = x0 + 520 + i * 8
        c.polygon([(x, y0 + 6), (x + 90, y0 + 6), (x + 84, y0 - 14), (x + 6, y0 - 14)], colour)


def _baby_scale(c: Canvas, at: Point) -> None:
    x, y = at
    c.rect((x, y - 26, x + 190, y + 12), gradient((250, 250, 250), (200, 202, 206)), radius=10)
    c.rect((x + 70, y - 16, x + 120, y + 2), (40, 50, 46), radius=3)
    c.text((x + 95, y - 7), "7,2", 13, (120, 240, 140))
    tray = [(x + 5, y - 64), (x + 185, y - 64), (x + 170, y - 26), (x + 20, y - 26)]
    c.polygon(tray, shaded((150, 200, 236), down=(1.0, 0.75)))
    c.ellipse((x + 40, y - 100, x + 150, y - 50), shaded((250, 220, 110), down=(1.0, 0.8)))
    c.ellipse((x + 132, y - 104, x + 176, y - 64), shaded(SKIN[3], across=ROUND))
    c.ellipse((x + 134, y - 108, x + 172, y - 90), (60, 40, 30))


def _queue(c: Canvas, rng: random.Random) -> None:
    mothers = [(860, 800, 520, (40, 140, 150)), (1040, 870, 580, (130, 80, 150))]
    mothers.append((1180, 940, 640, (220, 200, 170)))
    outfits = batik_outfits(rng, len(mothers), head="hijab", skirt=True)
    for i, ((x, y, h, cover), outfit) in enumerate(zip(mothers, outfits, strict=True)):
        mother = replace(outfit, cover=cover)
        baby_at = (x - 0.06 * h, y - 0.66 * h)
        hands = [(baby_at[0] - 0.08 * h, baby_at[1] + 0.03 * h), (baby_at[0] + 0.1 * h, baby_at[1])]
        person(c, (x, y), h, mother, hands=hands if i != 1 else ())
        if i != 1:
            _baby_in_arms(c, baby_at, h, ((170, 210, 240), (250, 230, 150))[i // 2])
    toddler = Outfit((240, 200, 60), legs=(60, 90, 150), skin=SKIN[3])
    person(c, (960, 905), 300, toddler)


def _baby_in_arms(c: Canvas, at: Point, h: float, blanket: RGB) -> None:
    x, y = at
    wrap = mottled(shaded(blanket, down=(1, 0.9, 0.7)), c.rng, 6, 0.25)
    c.ellipse((x - 0.14 * h, y - 0.06 * h, x + 0.12 * h, y + 0.07 * h), wrap)
    c.ellipse((x - 0.2 * h, y - 0.075 * h, x - 0.1 * h, y + 0.025 * h), wrap)
    face = (x - 0.185 * h, y - 0.055 * h, x - 0.115 * h, y + 0.015 * h)
    c.ellipse(face, shaded(SKIN[3], across=ROUND))


def _pot_plant(c: Canvas, rng: random.Random, base: Point, size: float) -> None:
    x, y = base
    c.soft((x - size * 0.35, y - 20, x + size * 0.35, y + 14), (0, 0, 0), 0.4, 10)
    for _ in range(14):
        angle = rng.uniform(-2.6, -0.5)
        tip = (x + math.cos(angle) * size * 0.6, y - size * 0.3 + math.sin(angle) * size * 0.7)
        leaf = rng.choice([(50, 120, 60), (70, 140, 70), (40, 100, 50)])
        c.line([(x, y - size * 0.3), ((x + tip[0]) / 2, tip[1] + 20), tip], leaf, size * 0.05)
    pot = [(x - size * 0.25, y - size * 0.35), (x + size * 0.25, y - size * 0.35)]
    c.polygon(
        [*pot, (x + size * 0.18, y), (x - size * 0.18, y)], shaded((170, 90, 50), across=ROUND)
    )


# The street of the kerja bakti, in metres across from the camera's line (left negative).
FENCE, GUTTER, ROAD = -4.6, (-2.6, -1.7), (-1.55, 3.8)
DEPTH = 0.5  # of the gutter


def kerja_bakti(rng: random.Random) -> Image.Image:
    """Kerja bakti: neighbours clearing a gutter along a village road, with brooms and hoes."""
    cam = Camera(cx=780, horizon=400, focal=900, height=1.6)
    c = Canvas(rng, (120, 150, 90))
    sky(c, cam.horizon)
    for z in (120, 90, 70):
        for x in range(-80, 90, 9):
            tree(c, cam.at(x + rng.uniform(-3, 3), z), cam.scale(z) * 7, rng)
    c.polygon(ground_quad(cam, -60, 60, 1, 400), mottled((96, 140, 70), rng, 40, 0.35))
    _houses(c, cam, rng)
    _right_verge(c, cam, rng)
    _gutter(c, cam, rng)
    _road(c, cam, rng)
    _workers(c, cam, rng)
    return c.finish()


def _houses(c: Canvas, cam: Camera, rng: random.Random) -> None:
    walls = [(236, 226, 200), (214, 232, 226), (240, 216, 196), (228, 228, 236)]
    x = FENCE - 1.2
    for z0 in range(58, 0, -9):
        z0, z1 = max(z0, 2), z0 + 8
        wall = [cam.at(x, z0), cam.at(x, z1), cam.at(x, z1, 3.2), cam.at(x, z0, 3.2)]
        c.polygon(wall, mottled(rng.choice(walls), rng, 8, 0.25))
        roof = [cam.at(x + 0.6, z0, 3.1), cam.at(x + 0.6, z1, 3.1)]
        roof += [cam.at(x - 1.5, z1, 4.8), cam.at(x - 1.5, z0, 4.8)]
        c.polygon(roof, mottled(shaded((170, 80, 50), down=(0.8, 1.0)), rng, 10, 0.4))
        for wz in (z0 + 2, z0 + 5):
            pane = [cam.at(x, wz, 1.0), cam.at(x, wz + 1.4, 1.0)]
            c.polygon([*pane, cam.at(x, wz + 1.4, 2.2), cam.at(x, wz, 2.2)], (70, 90, 100))
        fence = [cam.at(FENCE, z0), cam.at(FENCE, z1), cam.at(FENCE, z1, 1.0)]
        c.polygon([*fence, cam.at(FENCE, z0, 1.0)], mottled((200, 196, 186), rng, 12, 0.3))


def _right_verge(c: Canvas, cam: Camera, rng: random.Random) -> None:
    for z in (60, 45, 34, 25, 18, 13):
        tree(c, cam.at(rng.uniform(7, 12), z), cam.scale(z) * 6, rng)
    pole_tops = []
    for z in (60, 35, 14):
        base, top = cam.at(4.6, z), cam.at(4.6, z, 8)
        c.line([base, top], (150, 150, 146), cam.scale(z) * 0.22)
        pole_tops.append(top)
    c.line(pole_tops, (40, 40, 40), 1.5)
    c.line([(p[0] + 8, p[1] + 12) for p in pole_tops], (40, 40, 40), 1.5)


def _gutter(c: Canvas, cam: Camera, rng: random.Random) -> None:
    """An open concrete channel: the far wall's face, muddy water, lips on both sides."""
    left, right = GUTTER
    c.polygon(ground_quad(cam, FENCE, left, 1, 200), mottled((104, 146, 72), rng, 30, 0.4))
    water = [cam.at(left, 1, -DEPTH), cam.at(left, 200, -DEPTH)]
    water += [cam.at(right, 200, -DEPTH), cam.at(right, 1, -DEPTH)]
    c.polygon(water, mottled(gradient((120, 130, 120), (58, 60, 44)), rng, 24, 0.4))
    wall = [cam.at(left, 1), cam.at(left, 200), cam.at(left, 200, -DEPTH), cam.at(left, 1, -DEPTH)]
    c.polygon(wall, mottled(gradient((160, 158, 150), (100, 98, 90)), rng, 24, 0.35))
    for x0, x1 in ((left - 0.15, left), (right, right + 0.15)):
        c.polygon(ground_quad(cam, x0, x1, 1, 200), mottled((196, 194, 186), rng, 30, 0.3))
    for z in (3.6, 5.0, 7.0, 10.0):  # mud already scooped out, and full sacks
        (px, py), s = cam.at(left - 0.7 + rng.uniform(-0.15, 0.15), z), cam.scale(z)
        mud = mottled((88, 70, 48), rng, 6, 0.5)
        c.ellipse((px - 0.5 * s, py - 0.28 * s, px + 0.5 * s, py + 0.08 * s), mud)
    for x, z in ((FENCE + 0.5, 6.6), (FENCE + 0.8, 7.0), (FENCE + 0.5, 11.5)):
        (px, py), s = cam.at(x, z), cam.scale(z)
        sack = (px - 0.3 * s, py - 0.6 * s, px + 0.3 * s, py + 0.04 * s)
        c.ellipse(sack, shaded((30, 30, 34), across=ROUND))


def _road(c: Canvas, cam: Camera, rng: random.Random) -> None:
    asphalt = mottled(gradient((150, 150, 150), (100, 100, 104)), rng, 60, 0.25)
    c.polygon(ground_quad(cam, ROAD[0], ROAD[1], 1, 200), asphalt)
    for z in range(3, 80, 6):
        c.polygon(ground_quad(cam, 1.05, 1.18, z, z + 3), (214, 214, 206))


def _workers(c: Canvas, cam: Camera, rng: random.Random) -> None:
    left = GUTTER[0]
    crew = [
        (1.2, 16.0, "broom"),
        (FENCE + 0.9, 9.0, "bag"),
        (-0.3, 9.0, "broom"),
        (left - 0.9, 4.6, "hoe"),
        (0.3, 4.6, "broom"),
        (1.9, 3.8, "barrow"),
    ]
    shirts = [(230, 120, 40), (240, 240, 236), (60, 120, 70), (40, 70, 140), (200, 40, 50)]
    caps = [(30, 30, 30), (180, 40, 40), (40, 60, 120)]
    for i, (x, z, tool) in enumerate(crew):
        legs = rng.choice([(40, 40, 50), (70, 60, 50), (30, 50, 80)])
        outfit = Outfit(shirts[i % 5], legs=legs, head="cap", cover=rng.choice(caps))
        outfit = replace(outfit, skin=rng.choice(SKIN))
        if i == 2:
            outfit = replace(outfit, head="hijab", cover=(230, 230, 224))
        _worker(c, cam.at(x, z), cam.scale(z) * 1.65, outfit, tool)


def _worker(c: Canvas, foot: Point, h: float, outfit: Outfit, tool: str) -> None:
    x, y = foot
    if tool == "barrow":
        _barrow(c, (x - 0.55 * h, y), h)
        person(
            c, foot, h, outfit, hands=[(x - 0.3 * h, y - 0.45 * h), (x - 0.22 * h, y - 0.43 * h)]
        )
        return
    if tool == "broom":
        low, grip = (x + 0.35 * h, y - 0.02 * h), (x + 0.1 * h, y - 0.55 * h)
        person(c, foot, h, outfit, hands=[(x - 0.02 * h, y - 0.7 * h), grip])
        c.line([(x - 0.05 * h, y - 0.78 * h), low], (150, 110, 60), 0.02 * h)
        for k in range(9):
            c.line(
                [low, (low[0] + (0.05 + k * 0.025) * h, y + 0.01 * h)], (200, 170, 90), 0.006 * h
            )
    elif tool == "hoe":
        blade = (x + 0.42 * h, y + 0.02 * h)
        person(c, foot, h, outfit, hands=[(x + 0.1 * h, y - 0.6 * h), (x + 0.2 * h, y - 0.45 * h)])
        c.line([(x + 0.02 * h, y - 0.72 * h), blade], (130, 90, 50), 0.025 * h)
        c.polygon(
            [
                blade,
                (blade[0] + 0.06 * h, blade[1] - 0.14 * h),
                (blade[0] + 0.16 * h, blade[1] - 0.1 * h),
                (blade[0] + 0.12 * h, blade[1] + 0.04 * h),
            ],
            (70, 74, 78),
        )
    else:
        person(c, foot, h, outfit, hands=[(x + 0.16 * h, y - 0.5 * h), (x + 0.2 * h, y - 0.46 * h)])
        bag = (x + 0.12 * h, y - 0.5 * h, x + 0.42 * h, y)
        c.ellipse(bag, shaded((40, 110, 60), across=ROUND))


def _barrow(c: Canvas, at: Point, h: float) -> None:
    x, y = at
    c.soft((x - 0.3 * h, y - 0.03 * h, x + 0.4 * h, y + 0.03 * h), (0, 0, 0), 0.4, 0.02 * h)
    c.ellipse((x - 0.3 * h, y - 0.17 * h, x - 0.14 * h, y), (30, 30, 30))
    c.line([(x - 0.1 * h, y - 0.2 * h), (x + 0.1 * h, y - 0.02 * h)], (60, 60, 60), 0.02 * h)
    tray = [
        (x - 0.32 * h, y - 0.42 * h),
        (x + 0.3 * h, y - 0.38 * h),
        (x + 0.18 * h, y - 0.16 * h),
        (x - 0.2 * h, y - 0.15 * h),
    ]
    c.polygon(tray, shaded((40, 130, 80), down=(1.0, 0.7)))
    c.ellipse(
        (x - 0.28 * h, y - 0.5 * h, x + 0.22 * h, y - 0.36 * h),
        mottled((90, 70, 50), c.rng, 5, 0.6),
    )
    c.line([(x + 0.2 * h, y - 0.36 * h), (x + 0.5 * h, y - 0.45 * h)], (60, 60, 60), 0.02 * h)


def upacara(rng: random.Random) -> Image.Image:
    """Upacara bendera: rows of civil servants facing the flagpole on the field."""
    cam = Camera(cx=640, horizon=360, focal=1000, height=2.2)
    c = Canvas(rng, (110, 150, 80))
    sky(c, cam.horizon)
    for x in range(-120, 130, 10):
        tree(c, cam.at(x + rng.uniform(-4, 4), 110), cam.scale(110) * 9, rng)
    _office(c, cam, rng)
    _field(c, cam, rng)
    _tent(c, cam, rng)
    _flagpole(c, cam)
    _formation(c, cam, rng)
    return c.finish()


def _office(c: Canvas, cam: Camera, rng: random.Random) -> None:
    z, x0, x1 = 75.0, -34.0, 14.0
    (ax, ay), (bx, by) = cam.at(x0, z, 7), cam.at(x1, z)
    c.rect((ax, ay, bx, by), mottled((236, 234, 226), rng, 20, 0.2))
    for wx in range(round(x0) + 2, round(x1) - 1, 3):
        (wx0, wy0), (wx1, wy1) = cam.at(wx, z, 5.8), cam.at(wx + 1.6, z, 1)
        c.rect((wx0, wy0, wx1, wy1), gradient((90, 110, 130), (60, 70, 80)))
    roof = [
        cam.at(x0 - 1.5, z, 7),
        cam.at(x1 + 1.5, z, 7),
        cam.at(x1 - 3, z, 10.5),
        cam.at(x0 + 3, z, 10.5),
    ]
    c.polygon(roof, mottled(shaded((186, 84, 50), down=(0.85, 1.0)), rng, 20, 0.35))
    c.text(
        cam.at((x0 + x1) / 2, z, 6.4), "KANTOR KECAMATAN SUKAMAJU", cam.scale(z) * 0.9, (60, 60, 60)
    )


def _field(c: Canvas, cam: Camera, rng: random.Random) -> None:
    grass = gradient((120, 160, 80), (80, 126, 56))
    c.polygon(ground_quad(cam, -120, 120, 1, 100), mottled(grass, rng, 30, 0.2))
    for x in range(-61, 60, 6):  # mown stripes
        stripe = mottled(gradient((134, 172, 92), (100, 148, 68)), rng, 30, 0.2)
        c.polygon(ground_quad(cam, x, x + 3, 1, 100), stripe)


def _tent(c: Canvas, cam: Camera, rng: random.Random) -> None:
    z, x0, x1 = 28.0, 9.0, 20.0
    (ax, ay), (bx, by) = cam.at(x0, z, 3.2), cam.at(x1, z, 2.6)
    for px in (x0, x1):
        c.line([cam.at(px, z), cam.at(px, z, 2.6)], (200, 200, 200), 3)
    for i in range(6):
        seat_x = x0 + 1 + i * 1.8
        cover = (40, 40, 40) if i % 2 else (220, 210, 190)
        head = "peci" if i % 2 else "hijab"
        outfit = Outfit(KHAKI, legs=KHAKI, head=head, cover=cover, skin=rng.choice(SKIN))
        person(c, cam.at(seat_x, z + 0.5), cam.scale(z + 0.5) * 1.2, outfit)
    c.polygon(
        [(ax, ay), (bx, ay), (bx + 10, by), (ax - 10, by)],
        gradient((250, 250, 250), (210, 214, 224)),
    )
    for i in range(8):
        sx = ax + (bx - ax) * i / 8
        c.polygon(
            [(sx, by), (sx + (bx - ax) / 8, by), (sx + (bx - ax) / 16, by + 10)], (40, 80, 160)
        )


def _flagpole(c: Canvas, cam: Camera) -> None:
    z = 22.0
    (bx, by), s = cam.at(0, z), cam.scale(z)
    c.polygon(ground_quad(cam, -1.2, 1.2, z - 1.2, z + 1.2), (200, 196, 188))
    c.rect(
        (bx - 0.9 * s, by - 0.5 * s, bx + 0.9 * s, by), gradient((220, 218, 210), (170, 166, 160))
    )
    top = cam.at(0, z, 9.5)
    c.line([(bx, by - 0.5 * s), top], (230, 230, 230), 0.09 * s)
    c.ellipse((top[0] - 4, top[1] - 8, top[0] + 4, top[1]), (220, 190, 80))
    fx, fy = top[0] + 1, top[1] + 6
    wave = [(fx + k * 0.3 * s, fy + math.sin(k * 1.2) * 0.08 * s) for k in range(7)]
    red = [*wave, (wave[-1][0], wave[-1][1] + 0.6 * s), (fx, fy + 0.6 * s)]
    white = [(fx, fy + 0.6 * s), (wave[-1][0], wave[-1][1] + 0.6 * s)]
    white += [(p[0], p[1] + 1.2 * s) for p in reversed(wave)]
    folds = (1.0, 0.8, 1.0, 0.75, 1.0, 0.85)
    c.polygon(red, shaded((214, 30, 40), across=folds))
    c.polygon(white, shaded((248, 248, 248), across=folds))


def _formation(c: Canvas, cam: Camera, rng: random.Random) -> None:
    khaki = Outfit(KHAKI, legs=darker(KHAKI, 0.75), head="peci", back=True)
    korpri = Outfit(*BATIK[4], legs=(40, 40, 48), back=True)
    for z in [18.5 - 1.25 * k for k in range(12)]:
        for col, side in itertools.product(range(9), (-1, 1)):
            x = side * (1.7 + col * 0.95) + rng.uniform(-0.08, 0.08)
            look = replace(khaki if side < 0 else korpri, skin=rng.choice(SKIN))
            if rng.random() < 0.4:
                cover = rng.choice([(220, 210, 190), (90, 60, 50), (40, 40, 40)])
                look = replace(look, skirt=True, head="hijab", cover=cover)
            person(c, cam.at(x, z), cam.scale(z) * rng.uniform(1.58, 1.72), look)
        if z == 13.5:  # the leader of the ceremony, in the aisle
            person(c, cam.at(0, 12.8), cam.scale(12.8) * 1.7, replace(khaki, skin=SKIN[1]))


SCENES: dict[str, Callable[[random.Random], Image.Image]] = {
    "01-rapat-koordinasi.jpg": meeting,
    "02-posyandu.jpg": posyandu,
    "03-kerja-bakti.jpg": kerja_bakti,
    "04-upacara.jpg": upacara,
}


def draw_all(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, scene in SCENES.items():
        picture = scene(random.Random(f"{SEED}:{name}"))  # one seed per photo: each stands alone
        path = out / name
        picture.save(path, "JPEG", quality=QUALITY, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in draw_all():
        print(path, path.stat().st_size, "bytes")
