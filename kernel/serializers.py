"""The base classes of every serializer of the service (``api``, ``workflows``): DRF's,
with their fields built once per class.

DRF builds a serializer's fields on each instantiation (``get_fields``): a
``ModelSerializer`` reads its model's metadata and maps every field again, every
declared field is deep-copied. A list of 20 rows with nested serializers does it for
each of them on every request, a quarter of the call list's CPU (issue 20). Here the
first instance of a class builds them and keeps them unbound; every instance then gets
its own copy of each (``_fresh``: the field rebuilt from the arguments it was made
with, as DRF's ``Field.__deepcopy__`` copies declared fields), so binding one to its
instance never touches another's.

This holds because no serializer of the service builds its fields from its context or
request: they depend on the class alone (its declarations and its ``Meta``). A
serializer whose fields depend on the instance (the request, the context) sets
``fields_per_instance = True``: its ``get_fields`` then runs each time, as DRF's.

Representing an object is DRF's ``to_representation`` less its overhead per row and
field: the readable fields are listed once per serializer instance (a list's child
serves every row of the page), and a field that reads one attribute of an object by
DRF's own ``get_attribute`` reads it with ``getattr``; whatever else may happen — a
missing attribute (the field's default, ``allow_null``, ``SkipField``), a callable, a
dictionary rather than an object, a field with a ``get_attribute`` of its own — goes
through DRF's path, so the representation is the same, key for key.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils.functional import Promise
from rest_framework import serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject

# Arguments no field changes: shared between the copies (see ``_fresh``).
_SHARED = (str, int, float, Decimal, bool, type(None), Promise, QuerySet)
# Arguments a field reads into structures of its own, never changing them: the choices
# (``ChoiceField`` builds its own dicts of them) and the error messages (merged into a
# new dict); the validators and the regex, as DRF's own copy shares them.
_SHARED_ARGUMENTS = frozenset({"validators", "regex", "choices", "error_messages"})


def _fresh(field: Field) -> Field:
    """A new field made with the arguments ``field`` was made with, as DRF's
    ``Field.__deepcopy__`` does, less its deep copy of the arguments no field changes:
    strings, numbers, lazy translations, callables (``default=list``), querysets (a
    related field reads ``queryset.all()`` on each use, never the queryset's cache), and
    the arguments of ``_SHARED_ARGUMENTS``. A nested field or serializer is made afresh,
    another list or dict deep-copied."""
    args = [_fresh_value(value) for value in field._args]  # type: ignore[attr-defined]
    kwargs = {
        key: value if key in _SHARED_ARGUMENTS else _fresh_value(value)
        for key, value in field._kwargs.items()  # type: ignore[attr-defined]
    }
    return field.__class__(*args, **kwargs)


def _fresh_value(value: Any) -> Any:
    if isinstance(value, Field):
        return _fresh(value)
    if isinstance(value, _SHARED) or callable(value):
        return value
    return copy.deepcopy(value)


# How a field reads its value from an object (see ``_reader``).
_THE_OBJECT = object()  # the object itself (``source="*"``: a method field, for one)
_DRF = None  # the field's own ``get_attribute``


def _reader(field: Field) -> object:
    """The attribute ``field`` reads from an object when that is all its
    ``get_attribute`` does (DRF's, one name for source), ``_THE_OBJECT`` for
    ``source="*"``, else ``_DRF``."""
    if type(field).get_attribute is not Field.get_attribute:
        return _DRF
    attrs = field.source_attrs
    if not attrs:
        return _THE_OBJECT
    return attrs[0] if len(attrs) == 1 else _DRF


# No docstrings on these classes: drf-spectacular would describe every schema component
# with them (it reads the first docstring of a serializer's classes above DRF's own).


class FieldsOnceMixin:
    # Builds ``get_fields()`` once per serializer class, hands each instance a copy.

    #: True where the fields depend on the instance (its context, its request).
    fields_per_instance = False

    def get_fields(self) -> dict[str, Any]:
        if self.fields_per_instance:
            return super().get_fields()  # type: ignore[misc]
        cls = type(self)
        # per class, never a parent's: a subclass declares or excludes other fields
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built = built  # type: ignore[attr-defined]
        return {name: _fresh(field) for name, field in built.items()}

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # DRF's ``Serializer.to_representation``, less its overhead per row and field.
        if isinstance(instance, Mapping):
            return super().to_representation(instance)  # type: ignore[misc]
        readers = self.__dict__.get("_readers")
        if readers is None:
            readers = self._readers = [
                (field.field_name, field, _reader(field))
                for field in self._readable_fields  # type: ignore[attr-defined]
            ]
        ret: dict[str, Any] = {}
        for name, field, attr in readers:
            try:
                if attr is _THE_OBJECT:
                    attribute = instance
                elif attr is _DRF:
                    attribute = field.get_attribute(instance)
                else:
                    try:
                        attribute = getattr(instance, attr)  # type: ignore[arg-type]
                    except ObjectDoesNotExist:  # as DRF's ``get_attribute``
                        attribute = None
                    except (KeyError, AttributeError):  # the field's default, or none
                        attribute = field.get_attribute(instance)
                    else:
                        if callable(attribute):  # called or not, as DRF decides
                            attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


class Serializer(FieldsOnceMixin, serializers.Serializer):
    pass  # DRF's ``Serializer``, its fields built once per class


class DateTimeField(serializers.DateTimeField):
    # DRF's, the current time zone read once per field rather than once per value (a
    # thread-local read, the dearest part of writing a date): it is the request's, the
    # same while a serializer writes its answer. A list's child serves a whole page.
    def default_timezone(self) -> Any:
        if "_current_timezone" not in self.__dict__:
            self._current_timezone = super().default_timezone()
        return self._current_timezone


class ModelSerializer(FieldsOnceMixin, serializers.ModelSerializer):
    # DRF's ``ModelSerializer``, its fields built once per class (its model read once)
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }
