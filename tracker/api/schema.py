"""The API's OpenAPI schema (drf-spectacular), with the errors every operation may answer with."""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AutoSchema(openapi.AutoSchema):
    """Documents the errors every operation may answer with, besides its own 200."""

    def get_response_serializers(self):
        serializer = super().get_response_serializers()
        responses = {"200": serializer}
        if self._is_list_view(serializer) and getattr(self.view, "filterset_class", None):
            responses["400"] = OpenApiResponse(
                OpenApiTypes.OBJECT, description="A filter's value is invalid: {filter: [messages]}."
            )
        responses["404"] = OpenApiResponse(ErrorSerializer, description="No such published object, or no such page.")
        responses["429"] = OpenApiResponse(
            ErrorSerializer, description="Too many requests: try again after the Retry-After header's seconds."
        )
        return responses
