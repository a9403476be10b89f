"""What a stack connects to what (subscriptions, destinations, event sources, redrives, tasks), as plain data.

Owns: the model (nodes, edges, kinds) and the wiring a synthesized template declares (template). The reader of a
deployed stack's wiring is workshop_utils.cloud.wiring: it needs the target's clients, which are above this.
May import: local_cloud, repo (it needs neither: it is pure data).
"""

from workshop_utils.wiring.model import KINDS, Edge, Node, Wiring
from workshop_utils.wiring.template import from_template

__all__ = ["KINDS", "Edge", "Node", "Wiring", "from_template"]
