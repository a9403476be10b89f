"""The stage's state colours as colour-blind viewers see them: simulated (Machado et al. 2009, full severity),
then compared with CIEDE2000; every state also has a pattern or a word of its own."""

import pytest

from workshop_utils.stage import render
from workshop_utils.stage.colour_vision import SIMULATIONS, ciede2000, closest_pair
from workshop_utils.stage.lanes import CAUGHT, DONE, FAILED, RUNNING

STATES = (RUNNING, DONE, FAILED, CAUGHT)
SMALLEST_DIFFERENCE = 20  # CIEDE2000; about 2 is a just-noticeable difference, 10 is clearly another colour


def test_ciede2000_matches_the_published_test_pairs():
    assert ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50, -1.3802, -84.2814), (50, 0, -82.7485)) == pytest.approx(1.0000, abs=1e-4)
    assert ciede2000((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514)) == pytest.approx(0.9082, abs=1e-4)


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_every_pair_of_state_colours_stays_apart_for_colour_blind_viewers(theme, vision):
    difference, pair = closest_pair({state: render.STATE_COLOURS[theme][state] for state in STATES}, vision)
    assert difference >= SMALLEST_DIFFERENCE, (theme, vision, pair, round(difference, 1))


def test_every_state_has_a_pattern_or_a_word_no_other_state_shares():
    marks = {state: (render.LANE_PATTERNS.get(state), render.LANE_WORDS.get(state)) for state in STATES}
    assert len(set(marks.values())) == len(STATES), marks
