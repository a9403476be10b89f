"""What a stack connects to what (subscriptions, destinations, event sources, redrives, tasks), as plain data."""

from workshop_utils.wiring.model import KINDS, Edge, Node, Wiring
from workshop_utils.wiring.template import from_template

__all__ = ["KINDS", "Edge", "Node", "Wiring", "from_template", "read_deployed"]
# WiringUnreadable lives in workshop_utils.wiring.deployed, with the reader that raises it.


def read_deployed(stack: str) -> Wiring:
    """The wiring of `stack` as deployed on the current target (imported lazily: it needs boto3 clients)."""
    from workshop_utils.wiring.deployed import read_deployed as read

    return read(stack)
