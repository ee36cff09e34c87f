"""The shared kernel: what every package may import, and which imports none of them.

Errors (``errors``), generic guards on state and deadlines (``guards``) and the API's
id fields (``fields``). It knows nothing of challenges, scoring or the process.
"""
