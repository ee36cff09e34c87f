"""Build the documents' dataclasses from the database (the queries side of the
pure renderers in ``procurement.documents``)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PackPiece:
    piece: str
    key: str
    title: str
    render: Callable[[], bytes]


def build_pack(challenge) -> list[PackPiece]:
    raise NotImplementedError  # filled in once the renderers land
