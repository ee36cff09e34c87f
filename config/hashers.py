"""The password hasher of new passwords: Argon2id at the parameters OWASP's Password
Storage Cheat Sheet gives as its first choice (19 MiB of memory, 2 passes, 1 lane),
rather than Django's (100 MiB, 2 passes, 8 lanes).

Why lighter than Django's: on the small machines the service runs on (2 cores), one of
Django's hashes took ~420 ms and five at once, what five web workers do under a burst
of wrong passwords, held every worker for seconds; at these parameters a hash takes
~60 ms and remains memory-hard, which is what defeats offline guessing on GPUs. The
hashes written at other parameters are rewritten at these at the next sign-in
(``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
