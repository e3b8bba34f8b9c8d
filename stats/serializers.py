"""Shapes of stats records on the wire (used for the OpenAPI schema and small responses)."""

from __future__ import annotations

from rest_framework import serializers

from stats import kinds

# `data` is the protocol's field name. DRF's metaclass moves declared fields off the class, so it
# never hides Serializer.data at run time; the stubs cannot know that, hence the ignores below.


class StatsRecordInSerializer(serializers.Serializer):
    anr = serializers.UUIDField()
    type = serializers.ChoiceField(choices=kinds.choices())
    date = serializers.DateField()
    data = serializers.JSONField(help_text="The payload of the type (monarc-protocol.md §3).")  # type: ignore[assignment]
    uuid = serializers.UUIDField(required=False, help_text="Kept when not used by another record.")


class StatsRecordSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    anr = serializers.UUIDField()
    type = serializers.ChoiceField(choices=kinds.choices())
    date = serializers.DateField()
    data = serializers.JSONField()  # type: ignore[assignment]


class StoredRecordSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    anr = serializers.UUIDField()
    type = serializers.CharField()
    date = serializers.DateField()


class MetadataSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    offset = serializers.IntegerField(required=False)
    limit = serializers.IntegerField(required=False)


class StatsListSerializer(serializers.Serializer):
    metadata = MetadataSerializer()
    data = StatsRecordSerializer(many=True)  # type: ignore[assignment]


class StatsCreatedSerializer(serializers.Serializer):
    metadata = MetadataSerializer()
    data = StoredRecordSerializer(many=True)  # type: ignore[assignment]


class ProcessedSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=kinds.choices())
    processor = serializers.CharField()
    data = serializers.JSONField(help_text="The processor's output; [] when nothing matches.")  # type: ignore[assignment]


class ProcessorInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=kinds.choices())
    description = serializers.CharField()
    params = serializers.DictField(child=serializers.CharField())
