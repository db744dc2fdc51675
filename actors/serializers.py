"""Read shapes of actors: names, identifiers and roles nested; related actors by slug."""

from rest_framework import serializers

from actors.models import Actor, ActorIdentifier, ActorName, Role


class ActorNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActorName
        fields = ["name", "language"]
        read_only_fields = fields


class ActorIdentifierSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActorIdentifier
        fields = ["scheme", "value"]
        read_only_fields = fields


class RoleSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="Slug of the organization."
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Role
        fields = ["title", "organization", "organization_name", "start_date", "end_date"]
        read_only_fields = fields


class ActorSummarySerializer(serializers.ModelSerializer):
    """An actor where another resource names it: enough to show it and to follow its slug."""

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind"]
        read_only_fields = fields


class ActorSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Slug of the state this actor belongs to."
    )
    parent = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Slug of the organization this one sits under."
    )
    names = ActorNameSerializer(many=True, read_only=True)
    identifiers = ActorIdentifierSerializer(many=True, read_only=True)
    roles = RoleSerializer(
        many=True, read_only=True, help_text="Titles a person held, newest first; empty for other actors."
    )

    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind", "country", "parent", "names", "identifiers", "roles"]
        read_only_fields = fields
