"""`/api/v1/client/...`: the calling client, and admin provisioning."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from clients import services
from clients.authentication import request_client
from clients.models import Client
from clients.permissions import IsAdminClient
from clients.serializers import (
    ClientMeSerializer,
    ClientPatchSerializer,
    ClientRegistrationSerializer,
    ClientSerializer,
)


def _body(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError("The body must be a JSON object.")
    return request.data


class ClientMeViewSet(viewsets.ViewSet):
    @extend_schema(responses=ClientMeSerializer, summary="The calling client")
    def retrieve(self, request: Request) -> Response:
        serializer = ClientMeSerializer(request_client(request), context={"token": request.auth})
        return Response(serializer.data)

    @extend_schema(
        request=ClientPatchSerializer,
        responses=ClientMeSerializer,
        summary="Turn the calling client's sharing on or off",
    )
    def partial_update(self, request: Request) -> Response:
        serializer = ClientPatchSerializer(data=_body(request))
        serializer.is_valid(raise_exception=True)
        client = request_client(request)
        services.set_sharing(client=client, enabled=serializer.validated_data["is_sharing_enabled"])
        return Response(ClientMeSerializer(client, context={"token": request.auth}).data)


class ClientRegistrationViewSet(viewsets.ViewSet):
    permission_classes = [IsAdminClient]

    @extend_schema(
        request=ClientRegistrationSerializer,
        responses={
            201: ClientSerializer,
            304: OpenApiResponse(description="A client with this name or token already exists."),
        },
        summary="Create an ordinary client (admin only, when registration is open)",
    )
    def create(self, request: Request) -> Response:
        if not settings.CLIENT_REGISTRATION_OPEN:
            raise PermissionDenied("Client registration is closed on this instance.")
        serializer = ClientRegistrationSerializer(data=_body(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Provisioning scripts retry until 201 or 304: an existing name or token is "done".
        if Client.objects.filter(name=data["name"].strip()).exists() or services.token_taken(
            data["token"]
        ):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        try:
            client, _ = services.create_client(
                name=data["name"],
                token=data["token"],
                is_sharing_enabled=data["is_sharing_enabled"],
            )
        except services.ClientError as exc:
            raise ValidationError(str(exc)) from None
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)
