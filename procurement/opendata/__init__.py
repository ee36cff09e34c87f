"""The open data of the signed contracts: the données essentielles (DECP, ``decp``) and
the Open Contracting Data Standard (OCDS, ``ocds``), pure functions of the frozen
contexts of ``context``, written in flat memory by ``stream`` and validated against the
official schemas vendored in ``schemas/`` (``validation``). The contexts are built from
the database by ``workflows.opendata``."""
