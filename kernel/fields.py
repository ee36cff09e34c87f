"""Id fields shared by every layer that reads ids from the outside (API, task data)."""

from rest_framework import serializers

# The largest id a database column holds (bigint): a larger one is a 400, never a 500.
MAX_ID = 2**63 - 1


def IdField(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
