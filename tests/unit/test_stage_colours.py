"""The stage's state colours as colour-blind viewers see them: simulated (Machado et al. 2009, full severity),
then compared with CIEDE2000; every state also has a pattern or a word of its own."""

import itertools
import math

import pytest

from workshop_utils.stage import render
from workshop_utils.stage.lanes import CAUGHT, DONE, FAILED, RUNNING

# Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
STATES = (RUNNING, DONE, FAILED, CAUGHT)
SMALLEST_DIFFERENCE = 20  # CIEDE2000; about 2 is a just-noticeable difference, 10 is clearly another colour


def _linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _simulated(hex_colour: str, vision: str) -> list[float]:
    rgb = _linear(hex_colour)
    return [min(1.0, max(0.0, sum(w * c for w, c in zip(row, rgb, strict=True)))) for row in SIMULATIONS[vision]]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb  # linear sRGB to XYZ (D65), then CIELAB
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """Sharma, Wu and Dalal (2005)'s formulation."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 if abs(h2 - h1) <= 180 else h2 - h1 - 360 if h2 > h1 else h2 - h1 + 360)
    d_l, d_c, d_h = l2 - l1, c2 - c1, 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6)) - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    rotation = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    r_t = -math.sin(math.radians(2 * rotation)) * r_c
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


def test_ciede2000_matches_the_published_test_pairs():
    assert ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50, -1.3802, -84.2814), (50, 0, -82.7485)) == pytest.approx(1.0000, abs=1e-4)
    assert ciede2000((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514)) == pytest.approx(0.9082, abs=1e-4)


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_every_pair_of_state_colours_stays_apart_for_colour_blind_viewers(theme, vision):
    colours = render.STATE_COLOURS[theme]
    differences = {
        (a, b): ciede2000(_lab(_simulated(colours[a], vision)), _lab(_simulated(colours[b], vision)))
        for a, b in itertools.combinations(STATES, 2)
    }
    closest = min(differences, key=differences.get)
    assert differences[closest] >= SMALLEST_DIFFERENCE, (theme, vision, closest, round(differences[closest], 1))


def test_every_state_has_a_pattern_or_a_word_no_other_state_shares():
    marks = {state: (render.LANE_PATTERNS.get(state), render.LANE_WORDS.get(state)) for state in STATES}
    assert len(set(marks.values())) == len(STATES), marks
