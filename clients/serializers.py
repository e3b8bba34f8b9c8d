from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from clients.models import Client


class ClientSerializer(serializers.ModelSerializer[Client]):
    class Meta:
        model = Client
        fields = ["uuid", "name", "role", "is_sharing_enabled", "local", "created_at"]
        read_only_fields = fields


class ClientMeSerializer(ClientSerializer):
    """The calling client; `token` echoes the presented key, which MONARC compares with its own.

    `local` lets another instance's `stats_push --check` see that its token belongs to a client
    made with `client_create --remote` (MONARC reads only `token` and `is_sharing_enabled`)."""

    token = serializers.SerializerMethodField()

    class Meta(ClientSerializer.Meta):
        fields = ["name", "uuid", "role", "is_sharing_enabled", "local", "token"]
        read_only_fields = fields

    def get_token(self, obj: Client) -> str:
        return str(self.context["token"])


class StrictBooleanField(serializers.BooleanField):
    """Only JSON true/false: MONARC sends real booleans, and "yes" is more likely a mistake."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictCharField(serializers.CharField):
    """Only JSON strings: DRF would turn 0 into "0", which the schema does not allow."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RejectUnknownFieldsSerializer(serializers.Serializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
        return attrs


class ClientPatchSerializer(RejectUnknownFieldsSerializer):
    is_sharing_enabled = StrictBooleanField()


class ClientRegistrationSerializer(RejectUnknownFieldsSerializer):
    name = StrictCharField(max_length=200)
    token = StrictCharField(
        trim_whitespace=False,
        min_length=settings.CLIENT_TOKEN_MIN_LENGTH,
        max_length=settings.CLIENT_TOKEN_MAX_LENGTH,
    )
    is_sharing_enabled = StrictBooleanField(required=False, default=True)
