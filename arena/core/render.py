"""Frames without a display (PIL) and GIFs of episodes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

if TYPE_CHECKING:
    from arena.core.scenario import Scenario
    from arena.sim.world import World

SIZE = 480


def _rgb(color: tuple[float, ...], alpha: float = 1.0) -> tuple[int, int, int]:
    """Scale a 0-1 color to 0-255, blended toward white by ``1 - alpha``."""
    c = [alpha * x + (1 - alpha) for x in color[:3]]
    return (int(c[0] * 255), int(c[1] * 255), int(c[2] * 255))


MARK = (220, 0, 0)
"""The ring drawn around marked entities (e.g. the agents an attacker took over)."""


def render_frame(scenario: Scenario, world: World, env_index: int = 0,
                 marked: tuple[int, ...] = ()) -> np.ndarray:
    """RGB frame ``(SIZE, SIZE, 3)`` uint8 of env ``env_index``: entities as circles, scenario
    extras (zones, goals) as outlines, a red ring around the ``marked`` entities. The view fits
    the arena bounds or the entities."""
    pos = world.pos[env_index].detach().cpu().double().numpy()
    radius = world.radius.detach().cpu().double().numpy()
    active = world.active[env_index].cpu().numpy()
    bound = world.physics.bound
    extent = bound if bound is not None else max(1.2, float(np.abs(pos).max() + radius.max()))
    scale = SIZE / (2 * extent * 1.05)

    def px(p: np.ndarray | tuple[float, float]) -> tuple[float, float]:
        return (SIZE / 2 + float(p[0]) * scale, SIZE / 2 - float(p[1]) * scale)

    img = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    if bound is not None:
        draw.rectangle([px((-bound, bound)), px((bound, -bound))], outline=(0, 0, 0), width=2)
    for extra in scenario.render_extras(world, env_index):
        x, y = px(extra["pos"])
        r = float(extra["radius"]) * scale
        fill = None if extra.get("outline") else _rgb(extra["color"], 0.35)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=_rgb(extra["color"]),
                     width=2)
    colors = scenario.entity_colors(world, env_index)
    order = sorted(range(world.num_entities), key=lambda i: world.entities[i].kind == "agent")
    for i in order:
        x, y = px(pos[i])
        r = radius[i] * scale
        alpha = 1.0 if active[i] else 0.3
        draw.ellipse([x - r, y - r, x + r, y + r], fill=_rgb(colors[i], alpha), outline=(0, 0, 0))
        if i in marked:
            ring = r + 4
            draw.ellipse([x - ring, y - ring, x + ring, y + ring], outline=MARK, width=3)
    return np.asarray(img)


def write_gif(frames: list[np.ndarray], path: str | Path, fps: int = 10) -> Path:
    """Write RGB frames to an animated GIF; returns the path."""
    if not frames:
        raise ValueError("write_gif needs at least one frame")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.fromarray(f) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps),
                   loop=0)
    return path
