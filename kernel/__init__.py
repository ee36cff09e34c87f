"""The shared kernel: what every package may import, and which imports none of them.

Errors (``errors``), generic guards on state and deadlines (``guards``), the API's id
fields (``fields``) and how dates, amounts and numbers are written (``formats``). It
knows nothing of challenges, scoring or the process.
"""
