"""Serializers build their fields once per class (kernel.serializers, issue 20): each
instance still has fields of its own, a subclass its own fields, and the answers are
those DRF gives."""

from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from api.proposals import FairPayLineSerializer, ProposalSerializer
from kernel.serializers import FieldsOnceMixin, Serializer

SERVICE_PACKAGES = {"api", "config", "kernel", "portal", "procurement", "scoring", "workflows"}


class Line(Serializer):
    label = serializers.CharField()
    rate = serializers.DecimalField(max_digits=8, decimal_places=2)


class Sheet(Serializer):
    title = serializers.CharField(max_length=10)
    lines = Line(many=True)


class LongSheet(Sheet):
    note = serializers.CharField(required=False)


def test_each_instance_binds_fields_of_its_own():
    # given two instances of the same serializer
    first, second = Sheet(), Sheet()
    # then no field, nested or not, is shared between them
    for name in ("title", "lines"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
    assert first.fields["lines"].child is not second.fields["lines"].child
    assert first.fields["lines"].child.parent is first.fields["lines"]


def test_a_subclass_has_its_own_fields_and_its_parent_keeps_its_own():
    assert list(Sheet().fields) == ["title", "lines"]  # the parent's fields built first
    assert list(LongSheet().fields) == ["title", "lines", "note"]
    assert list(Sheet().fields) == ["title", "lines"]


def test_validation_and_representation_as_drf_gives_them():
    # given a sheet validated twice, once refused
    refused = Sheet(data={"title": "x" * 11, "lines": []})
    assert not refused.is_valid()
    assert refused.errors["title"][0].code == "max_length"
    valid = Sheet(data={"title": "Budget", "lines": [{"label": "Jour", "rate": "300"}]})
    assert valid.is_valid(), valid.errors
    # then each instance gives its own data
    assert valid.validated_data["lines"][0]["rate"] == Decimal("300.00")
    assert Sheet({"title": "A", "lines": []}).data == {"title": "A", "lines": []}
    assert FairPayLineSerializer({"label": "Dév", "hourly_rate": 40, "within": True}).data == {
        "label": "Dév",
        "hourly_rate": "40.00",
        "within": True,
    }


def test_model_serializer_fields_are_read_from_the_model_once():
    # given the proposal's serializer instantiated twice
    assert "fair_pay" in ProposalSerializer().fields
    built = ProposalSerializer.__dict__["_fields_built"]
    fields = ProposalSerializer().fields
    # then the second one has the same fields, made afresh from the class's
    assert list(fields) == list(built)
    assert all(fields[name] is not built[name] for name in built)
    assert fields["status"].choices == built["status"].choices


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_serializer_of_the_service_builds_its_fields_once():
    # given every module the service serves (its URLs import every view, hence every
    # serializer), and the process's step forms
    import importlib

    importlib.import_module(settings.ROOT_URLCONF)
    importlib.import_module("workflows.step_data")
    # when the serializers defined in the service's own packages are listed
    ours = {
        cls
        for cls in _subclasses(serializers.BaseSerializer)
        if cls.__module__.split(".")[0] in SERVICE_PACKAGES
        and not issubclass(cls, serializers.ListSerializer)
    }
    # then there are some, and each one comes from kernel.serializers (DRF's own base
    # classes would rebuild the fields on every instance: issue 20's call list)
    assert len(ours) > 50
    stray = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in ours
        if not issubclass(cls, FieldsOnceMixin)
    )
    assert stray == [], "à faire hériter de kernel.serializers : " + ", ".join(stray)
