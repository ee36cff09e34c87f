"""The demo: the Métropole Européenne de Lille's appel à communs on shared mobility,
its partners, evaluators, the Chambre des communs, funders and a host — with
challenges held at several stages so a newcomer sees each one.

Everything past is replayed at its date (time travel) through the real services and
the engine, the deadlines fired by the same sweep as in production. Running it twice
duplicates nothing.

- ``data``: the organisations, accounts, catalogue, resources, offers and pledges;
- ``cast``: the organisations and accounts created once (passwords reset);
- ``steps``: one helper per stretch of the journey (start, refer and publish, position,
  propose, score, the Chambre's opinion);
- ``calls``: the four calls, each left at its stage, and ``run``.
"""

from workflows.demo.calls import run
from workflows.demo.cast import accounts, ensure_cast

__all__ = ["accounts", "ensure_cast", "run"]
